/**
 * The process groups config: process-exporter's YAML (`process_names:`, a
 * list of rules, each a `name` template and matchers `comm`, `exe`,
 * `cmdline`), with two matchers of procspec's own, `user` and `cgroup`.
 * Read strictly: a key no rule has, a value of the wrong shape, a regex or
 * a template that does not compile is a GroupsConfigError naming the file,
 * line and column. Regexes are Go's (RE2) as process-exporter compiles
 * them, translated where JavaScript writes them otherwise: `(?P<name>`
 * named groups, leading flags `(?i)`, `(?s)`, `(?m)`, `\A` and `\z`.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { compileTemplate, type Template, TemplateError } from './template.js';

/** A config that cannot be used: where (file:line:col) and what was expected. */
export class GroupsConfigError extends Error {
  override readonly name = 'GroupsConfigError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly what: string,
  ) {
    super(`${file}:${line}:${column}: ${what}`);
  }
}

/** One rule of `process_names`: a process matches when every matcher it has matches (a rule has at least one). */
export interface GroupRule {
  /** The group name template (`{{.ExeBase}}` when the rule gives none, as process-exporter). */
  readonly name: Template;
  /** comm (stat's name, 15 bytes at most): one of these exactly. */
  readonly comm?: ReadonlySet<string>;
  /** The base name of the first word of the command line: one of these keys; when the value is a path, the first word must be it. */
  readonly exe?: ReadonlyMap<string, string>;
  /** Regexes the command line (its words joined by spaces) must all match; their named groups are the template's Matches. */
  readonly cmdline?: readonly RegExp[];
  /** procspec's: the effective user, one of these names or uids. */
  readonly user?: { readonly names: ReadonlySet<string>; readonly uids: ReadonlySet<number> };
  /** procspec's: regexes of which one must match one of the process's cgroup paths (/proc/PID/cgroup); named groups join Matches. */
  readonly cgroup?: readonly RegExp[];
}

export interface GroupsConfig {
  readonly file: string;
  readonly rules: readonly GroupRule[];
}

const RULE_KEYS = ['name', 'comm', 'exe', 'cmdline', 'user', 'cgroup'];

/** A Go (RE2) regex as a JavaScript RegExp; the reason as a string when it cannot be one. */
export function goRegex(source: string): RegExp | string {
  let body = source;
  let flags = '';
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (lead !== null) {
    for (const f of lead[1]!) {
      if (f === 'i' || f === 's' || f === 'm') flags += flags.includes(f) ? '' : f;
      else return `flag ${f} of (?${lead[1]}) has no JavaScript equivalent (i, s and m do)`;
    }
    body = body.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z-]+[):]/.test(body)) return 'flags are supported only at the start of the regex, as (?i), (?s) or (?m)';
  body = body
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])');
  try {
    return new RegExp(body, /\\[pP]/.test(body) ? `${flags}u` : flags);
  } catch (err) {
    return (err as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

class Reader {
  readonly lines = new LineCounter();
  constructor(readonly file: string) {}

  fail(node: Node | { range?: [number, number, number] | null } | undefined, what: string): never {
    const at = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(at);
    throw new GroupsConfigError(this.file, line, col, what);
  }

  /** A list of scalars as strings. */
  strings(node: unknown, key: string): { values: string[]; nodes: Node[] } {
    if (!isSeq(node)) this.fail(node as Node, `${key}: expected a list (${key}: [a, b] or one "- a" a line)`);
    const values: string[] = [];
    const nodes: Node[] = [];
    for (const item of node.items) {
      if (!isScalar(item) || item.value === null || typeof item.value === 'object') this.fail(item as Node, `${key}: expected a string in the list`);
      values.push(String(item.value));
      nodes.push(item);
    }
    return { values, nodes };
  }

  regexes(node: unknown, key: string): RegExp[] {
    const { values, nodes } = this.strings(node, key);
    return values.map((v, i) => {
      const r = goRegex(v);
      if (typeof r === 'string') this.fail(nodes[i], `${key}: bad regex ${JSON.stringify(v)}: ${r}`);
      return r;
    });
  }

  rule(node: unknown): GroupRule {
    if (!isMap(node)) this.fail(node as Node, 'expected a rule: a map with name and comm, exe, cmdline, user or cgroup');
    const rule: { -readonly [K in keyof GroupRule]?: GroupRule[K] } = {};
    let name = '{{.ExeBase}}';
    let nameNode: Node | undefined;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!RULE_KEYS.includes(key)) this.fail(pair.key as Node, `unknown key ${JSON.stringify(key)} in a rule (expected ${RULE_KEYS.join(', ')})`);
      const v = pair.value;
      if (key === 'name') {
        if (!isScalar(v) || typeof v.value !== 'string') this.fail((v ?? pair.key) as Node, 'name: expected a template string such as "{{.Comm}}"');
        name = v.value;
        nameNode = v;
      } else if (key === 'comm') rule.comm = new Set(this.strings(v, key).values);
      else if (key === 'exe') rule.exe = new Map(this.strings(v, key).values.map((e) => (e.includes('/') ? [e.slice(e.lastIndexOf('/') + 1), e] : [e, ''])));
      else if (key === 'cmdline') rule.cmdline = this.regexes(v, key);
      else if (key === 'cgroup') rule.cgroup = this.regexes(v, key);
      else if (key === 'user') {
        const names = new Set<string>();
        const uids = new Set<number>();
        for (const u of this.strings(v, key).values) {
          if (/^[0-9]+$/.test(u)) uids.add(Number(u));
          else names.add(u);
        }
        rule.user = { names, uids };
      }
    }
    if (rule.comm === undefined && rule.exe === undefined && rule.cmdline === undefined && rule.user === undefined && rule.cgroup === undefined)
      this.fail(node, 'a rule needs a matcher: comm, exe, cmdline, user or cgroup');
    try {
      rule.name = compileTemplate(name);
    } catch (err) {
      if (!(err instanceof TemplateError) || nameNode === undefined) throw err;
      // The column of the template's character, when the scalar is written on one line as it is in the file.
      const start = nameNode.range![0];
      const quoted = this.source[start] === '"' || this.source[start] === "'" ? 1 : 0;
      this.fail({ range: [start + quoted + err.offset, 0, 0] }, `name: bad template ${JSON.stringify(name)}: ${err.message}`);
    }
    return rule as GroupRule;
  }

  source = '';
}

/** Parses a config's text; `file` names it in errors. */
export function parseGroupsConfig(text: string, file: string): GroupsConfig {
  const r: Reader = new Reader(file);
  r.source = text;
  const doc = parseDocument(text, { lineCounter: r.lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    r.fail({ range: [e.pos[0], 0, 0] }, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) r.fail((root ?? undefined) as Node | undefined, 'expected a map with process_names: a list of rules');
  let list: unknown;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'process_names') r.fail(pair.key as Node, `unknown key ${JSON.stringify(key)} (expected process_names)`);
    list = pair.value;
  }
  if (list === undefined) r.fail(root, 'expected process_names: a list of rules');
  if (!isSeq(list)) r.fail(list as Node, 'process_names: expected a list of rules');
  return { file, rules: list.items.map((n) => r.rule(n)) };
}

/** Reads and parses a config file; GroupsConfigError when it cannot be read or used. */
export function readGroupsConfig(file: string): GroupsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new GroupsConfigError(file, 1, 1, `cannot read the file: ${(err as Error).message}`);
  }
  return parseGroupsConfig(text, file);
}
