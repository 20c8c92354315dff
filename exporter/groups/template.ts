/**
 * Group name templates as process-exporter writes them (Go text/template):
 * literal text and field references, `{{.Comm}}`, `{{.Matches.name}}`, with
 * Go's trim markers (`{{- .Comm -}}`). Only references are supported: an
 * action, a pipeline, a function or an unknown field is refused when the
 * config is read, with its place in the template. Values print as Go prints
 * them: a list as `[a b]`, a map as `map[k:v]` (keys sorted), a time as
 * `2006-01-02 15:04:05.999999999 +0000 UTC`, a missing key as `<no value>`.
 */

/** What a template may name: process-exporter's fields. */
export interface TemplateParams {
  readonly Comm: string;
  readonly ExeBase: string;
  readonly ExeFull: string;
  readonly Username: string;
  readonly PID: number;
  /** Start time in milliseconds since the epoch. */
  readonly StartTime: number;
  readonly Cgroups: readonly string[];
  readonly Cwd: string;
  readonly Matches: Readonly<Record<string, string>>;
}

export const TEMPLATE_FIELDS = ['Comm', 'ExeBase', 'ExeFull', 'Username', 'PID', 'StartTime', 'Cgroups', 'Cwd', 'Matches'] as const;
type Field = (typeof TEMPLATE_FIELDS)[number];

/** A template that could not be compiled: what is wrong and at which character of the template (0-based). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A compiled template: its text for a process, and the fields it names (a field not named is not read). */
export interface Template {
  readonly source: string;
  readonly fields: ReadonlySet<Field>;
  render(p: TemplateParams): string;
}

type Piece = string | { field: Field; key?: string };

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A time as Go's time.Time prints it, in UTC (fraction without trailing zeros). */
export function goTime(ms: number): string {
  const d = new Date(ms);
  const frac = ms % 1000 === 0 ? '' : `.${pad(Math.floor(((ms % 1000) + 1000) % 1000), 3).replace(/0+$/, '')}`;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} +0000 UTC`;
}

function print(p: TemplateParams, piece: Exclude<Piece, string>): string {
  switch (piece.field) {
    case 'Matches':
      if (piece.key !== undefined) return p.Matches[piece.key] ?? '<no value>';
      return `map[${Object.keys(p.Matches)
        .sort()
        .map((k) => `${k}:${p.Matches[k]}`)
        .join(' ')}]`;
    case 'Cgroups':
      return `[${p.Cgroups.join(' ')}]`;
    case 'StartTime':
      return goTime(p.StartTime);
    case 'PID':
      return String(p.PID);
    default:
      return p[piece.field];
  }
}

const ACTION = /^\{\{(-\s)?\s*\.([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z0-9_]+))?\s*(\s-)?\}\}/;

/** Compiles a template; TemplateError for anything but text and field references. */
export function compileTemplate(source: string): Template {
  const pieces: Piece[] = [];
  const fields = new Set<Field>();
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = source.slice(i, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text !== '') pieces.push(text);
      break;
    }
    const m = ACTION.exec(source.slice(open));
    if (m === null) {
      const close = source.indexOf('}}', open);
      const what = close < 0 ? 'an action not closed by }}' : JSON.stringify(source.slice(open, close + 2));
      throw new TemplateError(`${what}: procspec supports field references only ({{.Comm}}, {{.Matches.name}}; fields ${TEMPLATE_FIELDS.join(', ')})`, open);
    }
    if (m[1] !== undefined) text = text.replace(/\s+$/, '');
    if (text !== '') pieces.push(text);
    const name = m[2]!;
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name))
      throw new TemplateError(`no field ${name} (process-exporter's fields: ${TEMPLATE_FIELDS.join(', ')})`, open);
    const field = name as Field;
    if (m[3] !== undefined && field !== 'Matches') throw new TemplateError(`${name} has no field ${m[3]} (only Matches has keys)`, open);
    fields.add(field);
    pieces.push(m[3] !== undefined ? { field, key: m[3] } : { field });
    trimNext = m[4] !== undefined;
    i = open + m[0].length;
  }
  return {
    source,
    fields,
    render(p) {
      let out = '';
      for (const piece of pieces) out += typeof piece === 'string' ? piece : print(p, piece);
      return out;
    },
  };
}
