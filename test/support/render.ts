/**
 * The spec-driven renderer of the round-trip tests: from a spec's model it draws raw values with fast-check,
 * writes them as the kernel would print them, and computes the value the parser must return for that text.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { ParseContext } from '../../runtime/core/context.js';
import { decodedToken, optionsOf } from './render-decode.js';
import type { FieldModel, KeyedEntry, LayoutModel, RecordModel, SpecModel, TokenModel, ValueModel } from '../../runtime/model/model.js';
import { choiceSample, treeSample } from './render-nesting.js';
import { binarySample } from './render-binary.js';
import { marked, markedRest, quotedEscaped } from './render-marks.js';

/** A rendered piece of text and the value it must parse to. */
export interface Sample {
  text: string;
  value: unknown;
  /** For an inet address: the hex kept beside the value as `<name>Raw`. */
  raw?: string;
  /** For a rest string with a trailer: its boolean, by name (see render-marks.ts). */
  flags?: Record<string, boolean>;
  /** For a whole compressed file: its bytes, the text compressed (the text is what the parser reads of them). */
  file?: Uint8Array;
  /** For a token with a decoding: the decoded value, kept beside the value under the decoding's name. */
  decoded?: unknown;
}

/** IPv6 text by the WHATWG URL parser (an implementation independent of the scanner's). */
function ipv6Text(bytes: number[]): string {
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! * 256 + bytes[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

type Arb<T> = fc.Arbitrary<T>;

const WORD = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,11}$/);

function unitFactor(unit: string | undefined, ctx: ParseContext): { mul?: number; div?: number } {
  switch (unit) {
    case 'kB':
      return { mul: 1024 };
    case 'pages':
      return { mul: ctx.pageSize };
    case 'sectors':
      return { mul: 512 };
    case 'ticks':
      return { div: ctx.clockTick };
    case 'jiffies':
      return { div: ctx.hz };
    case 'ns':
      return { div: 1e9 };
    case 'us':
      return { div: 1e6 };
    case 'ms':
      return { div: 1e3 };
    case 'cs':
      return { div: 100 };
    default:
      return {};
  }
}

function normalise(n: number, unit: string | undefined, ctx: ParseContext): number {
  const f = unitFactor(unit, ctx);
  if (f.mul !== undefined) return n * f.mul;
  if (f.div !== undefined) return n / f.div;
  return n;
}

function renderCpuList(cpus: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    parts.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Text contexts: a token among others, the whole rest of a keyed line, or a NUL-separated item. */
type Place = 'token' | 'line' | 'item';

export class Renderer {
  constructor(private readonly ctx: ParseContext) {}

  value(v: ValueModel, place: Place): Arb<Sample> {
    const ctx = this.ctx;
    switch (v.kind) {
      case 'integer': {
        const max = v.unit && unitFactor(v.unit, ctx).mul !== undefined ? 2 ** 40 : Number.MAX_SAFE_INTEGER;
        const raws = new Set(v.sentinels.map((s) => s.raw));
        const num = (
          v.signed
            ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).chain((small) => fc.oneof(fc.constant(small), fc.integer({ min: -max, max })))
            : fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max }))
        )
          .filter((n) => !raws.has(String(n)))
          .map((n): Sample => ({ text: v.hex ? n.toString(16) : v.octal ? `0${n.toString(8)}` : String(n), value: normalise(n, v.unit, ctx) }));
        // A suffix that may be missing is drawn with and without.
        const unit = v.suffix === undefined ? fc.constant('') : v.suffixOptional ? fc.constantFrom(` ${v.suffix}`, '') : fc.constant(` ${v.suffix}`);
        const withSuffix = fc.tuple(num, unit).map(([s, u]): Sample => ({ ...s, text: `${s.text}${u}` }));
        if (v.sentinels.length === 0) return withSuffix;
        return fc.oneof(
          withSuffix,
          fc.tuple(fc.constantFrom(...v.sentinels), unit).map(([s, u]): Sample => ({ text: `${s.raw}${u}`, value: s.name })),
        );
      }
      case 'u64': {
        const raws = new Set(v.sentinels.map((s) => s.raw));
        const num = fc
          .bigInt({ min: 0n, max: 2n ** 64n - 1n })
          .filter((n) => !raws.has(n.toString()))
          .map((n): Sample => ({ text: v.hex ? `0x${n.toString(16).padStart(16, '0')}` : n.toString(), value: n }));
        if (v.sentinels.length === 0) return num;
        return fc.oneof(
          num,
          fc.constantFrom(...v.sentinels).map((s): Sample => ({ text: s.raw, value: s.name })),
        );
      }
      case 'float':
        return fc.tuple(fc.integer({ min: 0, max: 10 ** 9 }), fc.boolean()).map(([n, bare]): Sample => {
          const text = (n / 100).toFixed(2);
          return { text: v.suffix !== undefined && !(bare && v.suffixOptional) ? `${text} ${v.suffix}` : text, value: normalise(Number(text), v.unit, ctx) };
        });
      case 'string':
        if (v.verbatim && place === 'line') {
          // White space at the edges belongs to a verbatim value: draw some.
          const edge = fc.constantFrom('', ' ', '  ');
          return fc
            .tuple(edge, this.value({ ...v, verbatim: false }, place), edge)
            .map(([a, x, b]): Sample => ({ text: `${a}${x.text}${b}`, value: `${a}${x.value as string}${b}` }));
        }
        if (v.escaped) {
          // Names with the characters the kernel escapes: the text holds octal escapes, the value the characters.
          const part = fc.oneof(WORD, fc.constantFrom(' ', '\t', '\\', '\n', 'é'));
          return fc.array(part, { minLength: 1, maxLength: 5 }).map((ps): Sample => {
            const value = ps.join('');
            const text = value.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
            return { text, value };
          });
        }
        if (v.quoted && place === 'token') {
          return fc.array(WORD, { minLength: 1, maxLength: 3 }).map((ws): Sample => {
            const value = ws.join(' ');
            return { text: value.includes(' ') ? `"${value}"` : value, value };
          });
        }
        if (place === 'item') {
          return fc
            .string({ maxLength: 12 })
            .filter((x) => !x.includes('\0'))
            .map((x): Sample => ({ text: x, value: x }));
        }
        if (place === 'line') {
          return fc.array(WORD, { minLength: 1, maxLength: 4 }).map((ws): Sample => ({ text: ws.join(' '), value: ws.join(' ') }));
        }
        if (v.phrases !== undefined) {
          // A word that may begin with a phrase holding spaces, which the word may run on past.
          const phrased = fc.tuple(fc.constantFrom(...v.phrases), fc.oneof(fc.constant(''), WORD)).map(([ph, w]) => `${ph}${w}`);
          return fc.oneof(WORD, phrased).map((w): Sample => ({ text: w, value: w }));
        }
        return WORD.map((w): Sample => ({ text: w, value: w }));
      case 'enum':
        return fc.constantFrom(...v.values).map((e): Sample => ({ text: e.raw, value: e.name }));
      case 'mask':
        return fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 4 }).map((groups): Sample => {
          const text = groups.map((g) => g.toString(16).padStart(8, '0')).join(',');
          return { text, value: BigInt(`0x${text.replace(/,/g, '')}`) };
        });
      case 'inet': {
        const hex = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');
        const mapped = fc
          .array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 })
          .map((v4) => [...new Array<number>(10).fill(0), 255, 255, ...v4]);
        const sparse = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: 16, maxLength: 16 });
        const addr = fc.oneof(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), sparse, mapped);
        return addr.map((bytes): Sample => {
          let text = '';
          for (let w = 0; w < bytes.length / 4; w++) {
            const word = bytes.slice(w * 4, w * 4 + 4);
            text += (v.order === 'host' && ctx.littleEndian ? [...word].reverse() : word).map(hex).join('');
          }
          return { text, value: bytes.length === 4 ? bytes.join('.') : ipv6Text(bytes), raw: text };
        });
      }
      case 'choice':
        return choiceSample(v);
      case 'cpulist':
        return fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { minLength: 1, maxLength: 12 }).map((xs): Sample => {
          const sorted = [...xs].sort((a, b) => a - b);
          return { text: renderCpuList(sorted), value: sorted };
        });
      case 'list': {
        const enclosed = v.open !== undefined;
        const minLength = place === 'token' || (v.separator !== null && !enclosed) ? 1 : 0;
        return fc.array(this.value(v.of, 'token'), { minLength, maxLength: 5 }).map((items): Sample => {
          const sep = v.separator === null ? ' ' : v.separator === ',' && enclosed ? ', ' : v.separator;
          const body = items.map((i) => i.text).join(sep);
          return { text: enclosed ? `${v.open}${body}${v.close}` : body, value: items.map((i) => i.value) };
        });
      }
      case 'pair': {
        const first = this.value(v.first.value, 'token').filter((a) => !a.text.includes(v.separator));
        const second = v.second.optional ? fc.option(this.value(v.second.value, 'token')) : this.value(v.second.value, 'token');
        const part = (name: string, x: Sample): Record<string, unknown> =>
          x.raw !== undefined ? { [name]: x.value, [`${name}Raw`]: x.raw } : { [name]: x.value };
        return fc.tuple(first, second).map(
          ([a, b]): Sample =>
            b === null
              ? { text: a.text, value: part(v.first.name, a) }
              : {
                  text: `${a.text}${v.separator}${b.text}`,
                  value: { ...part(v.first.name, a), ...part(v.second.name, b) },
                },
        );
      }
      case 'record':
        return this.record(v.record);
    }
  }

  token(t: Extract<TokenModel, { kind: 'field' }>, cols = 0): Arb<Sample> {
    const f = t.field;
    if (f.decode) return decodedToken(t, this.value(f.value, 'token'));
    const item = this.value(f.value, 'token').map((x): Sample => ({ text: `${t.prefix ?? ''}${x.text}`, value: x.value }));
    if (t.perColumn !== undefined) {
      return fc
        .array(item, { minLength: cols, maxLength: cols })
        .map((items): Sample => ({ text: items.map((i) => i.text).join(' '), value: items.map((i) => i.value) }));
    }
    if (t.repeat) {
      const ends = t.endsAt;
      const items = ends === undefined ? item : t.endsBefore ? item.filter((x) => !x.text.startsWith(ends)) : item.filter((x) => x.text !== ends);
      return fc.array(items, { maxLength: 6 }).map(
        (list): Sample => ({
          text: [...list.map((i) => i.text), ...(t.endsAt !== undefined && !t.endsBefore ? [t.endsAt] : [])].join(' '),
          value: list.map((i) => i.value),
        }),
      );
    }
    if (t.untilLast !== undefined) {
      const c = t.untilLast;
      const verbatim = f.value.kind === 'string' && f.value.verbatim === true;
      return fc
        .tuple(
          fc
            .array(fc.oneof(WORD, fc.constantFrom(c, `${c}x`, 'a)')), { minLength: 1, maxLength: 4 })
            .map((ws) => ws.join(' '))
            .filter((x) => /^[^ ].*[^ ]$|^[^ ]$/.test(x)),
          // A verbatim value may begin or end with spaces.
          verbatim ? fc.constantFrom('', ' ') : fc.constant(''),
          verbatim ? fc.constantFrom('', ' ') : fc.constant(''),
        )
        .map(([x, a, b]): Sample => ({ text: `${a}${x}${b}`, value: `${a}${x}${b}` }));
    }
    if (t.width !== undefined) {
      const width = t.width;
      return fc
        .array(WORD, { minLength: 1, maxLength: 3 })
        .map((ws) =>
          ws
            .join(' ')
            .slice(0, width - 1)
            .trim(),
        )
        .filter((x) => x !== '')
        .map((x): Sample => ({ text: x.padEnd(width, ' '), value: x }));
    }
    if (marked(t)) return markedRest(t);
    if (t.rest) return this.value(f.value, 'line');
    if (t.enclosed?.open === '"' && t.enclosed.closeAt === 'last' && f.value.kind === 'string' && f.value.escaped) return quotedEscaped(t);
    if (t.enclosed) {
      const { open, close, closeAt } = t.enclosed;
      const inner =
        closeAt === 'last'
          ? fc.array(fc.oneof(WORD, fc.constantFrom(open, close, `${close} R 1 ${open}`)), { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' '))
          : closeAt === 'balanced'
            ? fc
                .array(
                  fc.oneof(
                    WORD,
                    WORD.map((w) => `${open}${w} ${w}${close}`),
                  ),
                  { minLength: 1, maxLength: 4 },
                )
                .map((ws) => ws.join(' '))
            : fc.array(WORD, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '));
      return inner.map((s): Sample => ({ text: `${t.prefix ?? ''}${open}${s}${close}${t.terminator ?? ''}`, value: s }));
    }
    if (t.terminator !== undefined && f.value.kind === 'list' && f.value.separator !== null && f.value.of.kind === 'string' && f.value.open === undefined) {
      const { separator } = f.value;
      const item = WORD.filter((x) => !x.includes(separator) && !x.includes(t.terminator!));
      return fc.array(item, { maxLength: 3 }).map((xs): Sample => ({ text: `${t.prefix ?? ''}${xs.join(separator)}${t.terminator}`, value: xs }));
    }
    const base = this.value(f.value, 'token');
    // A string ended by a terminator cannot hold that character.
    const fit = t.terminator !== undefined && f.value.kind === 'string' ? base.filter((s) => !s.text.includes(t.terminator!)) : base;
    return fit.map((s): Sample => ({ ...s, text: `${t.prefix ?? ''}${s.text}${t.terminator ?? ''}` }));
  }

  /**
   * A record's text and value. `cols` is the column count of a table header
   * (for `perColumn` tokens); with `short`, a perColumn list may stop early
   * and end the line, as x86's ERR: row does.
   */
  record(r: RecordModel, lead: Record<string, unknown> = {}, cols = 0): Arb<Sample> {
    if (r.columns) return this.columnsValues(r);
    const fields = r.tokens.filter((t): t is Extract<TokenModel, { kind: 'field' }> => t.kind === 'field');
    // An optional token in delimiters with a required one after it stands or not on its own (not a trailing one).
    const own = new Set(fields.filter((t, i) => t.field.optional && t.enclosed && fields.slice(i + 1).some((x) => !x.field.optional)));
    const optionalCount = fields.filter((t) => t.field.optional && !own.has(t)).length;
    const parts = r.tokens.map((t) => (t.kind === 'literal' ? fc.constant<Sample>({ text: t.text, value: undefined }) : this.token(t, cols)));
    const pairArbs = (r.pairs?.fields ?? []).map((f) =>
      fc.tuple(fc.boolean(), this.value(f.value, 'token')).map(([present, s]) => ({ f, present: present || !f.optional, s })),
    );
    const raws = new Set((r.pairs?.fields ?? []).map((f) => f.raw));
    const unknownPairs = r.pairs
      ? fc.uniqueArray(fc.tuple(fc.stringMatching(/^x[a-z]{1,6}$/), WORD), { maxLength: 2, selector: ([k]) => k }).map((xs) => xs.filter(([k]) => !raws.has(k)))
      : fc.constant<[string, string][]>([]);
    const perColumnAt = r.tokens.findIndex((t) => t.kind === 'field' && t.perColumn !== undefined);
    const canStop = perColumnAt >= 0 && cols > 1 && r.tokens.slice(perColumnAt + 1).every((t) => t.kind === 'field' && t.field.optional);
    const stopAt = canStop ? fc.option(fc.integer({ min: 1, max: cols - 1 }), { freq: 3 }) : fc.constant(null);
    return fc
      .tuple(
        fc.tuple(...parts),
        fc.integer({ min: 0, max: optionalCount }),
        fc.tuple(...pairArbs),
        unknownPairs,
        stopAt,
        fc.array(fc.boolean(), { minLength: r.tokens.length, maxLength: r.tokens.length }),
        fc.boolean(),
      )
      .map(([samples, keepOptional, pairs, unknown, stop, ownPresent, bareEnd]): Sample => {
        const value: Record<string, unknown> = { ...lead };
        const texts: string[] = [];
        let optionalSeen = 0;
        let stopped = false;
        // An "untilLast" token ends where the next one begins: the line cannot stop between the two.
        const trailing = fields.filter((t) => t.field.optional && !own.has(t));
        while (keepOptional > 0 && trailing[keepOptional - 1]!.untilLast !== undefined) keepOptional--;
        r.tokens.forEach((t, i) => {
          if (stopped) return;
          if (t.kind === 'field' && own.has(t)) {
            // Of two such tokens in a row with the same delimiters the first is read first: the second only after it.
            const before = r.tokens[i - 1];
            const afterAbsent = before?.kind === 'field' && own.has(before) && before.enclosed!.open === t.enclosed!.open && !(before.field.name in value);
            if (!ownPresent[i] || afterAbsent) return;
          } else if (t.kind === 'field' && t.field.optional && ++optionalSeen > keepOptional) return;
          if (optionalSeen > keepOptional) return;
          const s = samples[i]!;
          if (i === perColumnAt && stop !== null) {
            // A short row: a few values, then the end of the line.
            const vs = (s.value as unknown[]).slice(0, stop);
            texts.push(s.text.split(' ').slice(0, stop).join(' '));
            value[(t as { field: FieldModel }).field.name] = vs;
            stopped = true;
            return;
          }
          if (s.text !== '') texts.push(s.text);
          if (t.kind === 'field') value[t.field.name] = s.value;
          if (t.kind === 'field' && s.raw !== undefined) value[`${t.field.name}Raw`] = s.raw;
          if (s.flags !== undefined) Object.assign(value, s.flags);
          if (t.kind === 'field' && t.field.decode && s.decoded !== undefined) value[t.field.decode.name] = s.decoded;
        });
        // A terminator that may be missing, on the token that ends the line: drawn with and without.
        const lastShown = [...r.tokens].reverse().find((t) => t.kind === 'field' && t.field.name in value);
        if (bareEnd && lastShown?.kind === 'field' && lastShown.terminatorOptional && texts.at(-1)?.endsWith(lastShown.terminator!)) {
          texts[texts.length - 1] = texts.at(-1)!.slice(0, -lastShown.terminator!.length);
        }
        for (const p of pairs) {
          if (!p.present) continue;
          texts.push(`${p.f.raw}${r.pairs!.separator}${p.s.text}`);
          value[p.f.name] = p.s.value;
        }
        if (unknown.length > 0) {
          for (const [k, x] of unknown) texts.push(`${k}${r.pairs!.separator}${x}`);
          value.extra = Object.fromEntries(unknown);
        }
        return { text: texts.join(' '), value };
      });
  }

  /**
   * A record of `columns`: a line of names (the spec's, shuffled, plus a few
   * unknown ones) and a line of values, as `names` / `values` text without the key.
   */
  columnsValues(r: RecordModel): Arb<Sample> {
    const fields = r.columns!.fields;
    const known = fields.map((f) => fc.tuple(fc.boolean(), this.value(f.value, 'token')).map(([p, s]) => ({ f, present: p || !f.optional, s })));
    const raws = new Set(fields.map((f) => f.raw));
    const unknown = fc
      .uniqueArray(fc.tuple(fc.stringMatching(/^X[A-Za-z]{1,8}$/), fc.oneof(fc.integer({ min: -5, max: 10 ** 9 }), WORD)), {
        maxLength: 3,
        selector: ([k]) => k,
      })
      .map((xs) => xs.filter(([k]) => !raws.has(k)));
    return fc.tuple(fc.tuple(...known), unknown).chain(([ks, us]) => {
      const cols: { name: string; text: string; key?: string; value: unknown }[] = [
        ...ks.filter((k) => k.present).map((k) => ({ name: k.f.raw, text: k.s.text, key: k.f.name, value: k.s.value })),
        ...us.map(([name, v]) => ({ name, text: String(v), value: v })),
      ];
      return fc.shuffledSubarray(cols, { minLength: cols.length, maxLength: cols.length }).map((order): Sample => {
        const value: Record<string, unknown> = {};
        const extra: Record<string, unknown> = {};
        for (const c of order) {
          if (c.key !== undefined) value[c.key] = c.value;
          else extra[c.name] = c.value;
        }
        const others = r.columns!.others;
        if (others) value[others.name] = extra;
        else if (Object.keys(extra).length > 0) value.extra = extra;
        return { text: `${order.map((c) => c.name).join(' ')}\n${order.map((c) => c.text).join(' ')}`, value };
      });
    });
  }

  /** Lines of a keyed layout, with some keys the spec does not know. */
  keyed(l: Extract<LayoutModel, { kind: 'keyed' }>, blockHeader?: RecordModel): Arb<Sample> {
    const header = l.header ?? blockHeader;
    const entryArb = (e: KeyedEntry): Arb<{ e: KeyedEntry; present: boolean; lines: string[]; value: unknown }> => {
      if (e.section && !e.indexed) {
        return fc.tuple(fc.boolean(), this.layout(e.section.layout)).map(([p, s]) => ({
          e,
          present: p || !e.field.optional,
          lines: [e.key, ...(s.text === '' ? [] : s.text.split('\n'))],
          value: s.value,
        }));
      }
      if (e.indexed) {
        const rec = (e.field.value as { record: RecordModel }).record;
        const section = e.section ? this.layout(e.section.layout) : fc.constant<Sample | null>(null);
        return fc.array(fc.tuple(this.record(rec), section), { maxLength: 3 }).map((recs) => ({
          e,
          present: true,
          lines: recs.flatMap(([r, sec], i) => [
            `${e.key}${i}${l.separator === 'space' ? '' : ':'} ${r.text}`,
            ...(sec && sec.text !== '' ? sec.text.split('\n') : []),
          ]),
          value: recs.map(([r, sec], i) => ({ [e.indexed!.name]: i, ...(r.value as object), ...(sec ? { [e.section!.name!]: sec.value } : {}) })),
        }));
      }
      if (e.field.value.kind === 'record' && e.field.value.record.columns) {
        return fc.tuple(fc.boolean(), this.columnsValues(e.field.value.record)).map(([p, s]) => {
          const [names, values] = s.text.split('\n') as [string, string];
          const sep = l.separator === 'space' ? ' ' : ': ';
          return { e, present: p || !e.field.optional, lines: [`${e.key}${sep}${names}`.trimEnd(), `${e.key}${sep}${values}`.trimEnd()], value: s.value };
        });
      }
      if (e.repeated) {
        const sep = l.separator === 'space' ? ' ' : ':\t';
        const prefix = e.prefix !== undefined ? `${e.prefix} ` : '';
        return fc.array(this.value(e.field.value, 'line'), { maxLength: 3 }).map((xs) => ({
          e,
          present: true,
          lines: xs.map((x) => `${e.key}${sep}${prefix}${x.text}`.trimEnd()),
          value: xs.map((x) => x.value),
        }));
      }
      const verbatim = e.field.value.kind === 'string' && e.field.value.verbatim === true;
      return fc.tuple(fc.boolean(), this.value(e.field.value, 'line')).map(([p, s]) => {
        const sep = l.separator === 'space' ? ' ' : ':\t';
        const prefix = e.prefix !== undefined ? `${e.prefix} ` : '';
        const line = `${e.key}${sep}${prefix}${s.text}`;
        return { e, present: p || !e.field.optional, lines: [verbatim ? line : line.trimEnd()], value: s.value };
      });
    };
    const unknown = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 10 ** 6 })), {
      maxLength: l.extra || l.others ? 3 : 0,
      selector: ([k]) => k,
    });
    return fc
      .tuple(fc.tuple(...l.entries.map(entryArb)), unknown, header ? this.record(header) : fc.constant<Sample>({ text: '', value: {} }))
      .map(([entries, extras, head]): Sample => {
        // A section runs until one of its `until` keys, or to the end: make sure the text says where it ends.
        const list = entries.map((x) => ({ ...x }));
        for (let i = 0; i < list.length; i++) {
          const x = list[i]!;
          if (!x.e.section || !x.present) continue;
          const until = new Set(x.e.section.until);
          const next = list.slice(i + 1).find((y) => y.present && y.lines.length > 0);
          if (next && until.has(next.e.key) && !next.e.section) continue;
          const closer = list.slice(i + 1).find((y) => until.has(y.e.key) && !y.e.section && !y.e.indexed);
          const closerIndex = closer ? list.indexOf(closer) : list.length;
          for (let j = i + 1; j < closerIndex; j++) {
            if (!list[j]!.e.field.optional && !list[j]!.e.indexed) throw new Error(`spec cannot be rendered: ${list[j]!.e.key} between a section and its end`);
            list[j]!.present = false;
            if (list[j]!.e.indexed) list[j]!.lines = [];
          }
          if (closer) closer.present = true;
        }
        const lines: string[] = [];
        const value: Record<string, unknown> = { ...(head.value as object) };
        if (header) lines.push(head.text);
        for (let i = 0; i < (l.skip ?? 0); i++) lines.push(`---- skipped line ${i + 1}`);
        const lastSection = [...list].reverse().find((x) => x.e.section && x.present);
        const extraLines = extras.map(([k, n]) => ({ key: `xk${k}`, n }));
        for (const x of list) {
          if (!x.present) continue;
          if (x === lastSection) {
            // unknown keys go before the final section, which runs to the end
            for (const { key, n } of extraLines.splice(0)) lines.push(l.separator === 'space' ? `${key} ${n}` : `${key}:\t${n}`);
          }
          lines.push(...x.lines);
          value[x.e.field.name] = x.value;
          const d = x.e.field.decode;
          if (d?.kind === 'options') value[d.name] = optionsOf(d, x.value as string[]);
        }
        const headed = l.entries.some((e) => e.field.value.kind === 'record' && e.field.value.record.columns);
        for (const { key, n } of extraLines) {
          // In a layout of columns records an unknown key comes as a line of names and a line of values.
          if (headed) lines.push(`${key}: Xa Xb`, `${key}: ${n} -${n}`);
          else lines.push(l.separator === 'space' ? `${key} ${n}` : `${key}:\t${n}`);
        }
        if (extras.length > 0 || l.others) {
          const rec = Object.fromEntries(extras.map(([k, n]) => [`xk${k}`, headed ? { Xa: n, Xb: -n } : n]));
          value[l.others ? l.others.name : 'extra'] = rec;
        }
        return { text: lines.join('\n'), value };
      });
  }

  layout(l: LayoutModel, header?: RecordModel): Arb<Sample> {
    switch (l.kind) {
      case 'line':
        return this.record(l.record);
      case 'keyed':
        return this.keyed(l, header);
      case 'table': {
        const skipped = Array.from({ length: l.skip }, (_, i) => `header line ${i + 1} |`);
        const header = l.header ? this.record(l.header) : fc.constant<Sample | null>(null);
        return header.chain((h) => {
          const counted = l.header?.tokens.find((t) => t.kind === 'field' && t.repeat);
          const cols = h && counted?.kind === 'field' ? (h.value as Record<string, unknown[]>)[counted.field.name]!.length : 0;
          const row =
            'record' in l.rows ? this.record(l.rows.record, {}, cols) : fc.oneof(...l.rows.variants.map((v) => this.record(v.shape, { kind: v.name }, cols)));
          return fc.array(row, { maxLength: 5 }).map((rows): Sample => {
            const text = [...(h ? [h.text] : []), ...skipped, ...rows.map((r) => r.text)].join('\n');
            const list = rows.map((r) => r.value);
            return { text, value: h ? { ...(h.value as object), rows: list } : list };
          });
        });
      }
      case 'variants':
        return fc.oneof(
          ...l.variants.map((v) => this.layout(v.shape, header).map((x): Sample => ({ text: x.text, value: { kind: v.name, ...(x.value as object) } }))),
        );
      case 'items':
        return fc.array(this.item(l.item), { maxLength: 6 }).map(
          (items): Sample => ({
            text: items.map((i) => `${i.text}\0`).join(''),
            value: items.map((i) => i.value),
          }),
        );
      case 'tree':
        return treeSample(l, (r, lead) => this.record(r, lead));
      case 'binary':
        return binarySample(l, this.ctx.littleEndian);
      case 'blocks':
        return fc.array(this.layout(l.body, l.header), { maxLength: 4 }).map((blocks): Sample => {
          const nonEmpty = blocks.filter((b) => b.text.trim() !== '');
          return { text: nonEmpty.map((b) => b.text).join('blank' in l.split ? '\n\n' : '\n'), value: nonEmpty.map((b) => b.value) };
        });
    }
  }

  /** One NUL-terminated item: a string as it is, or a pair split at its first separator. */
  item(f: FieldModel): Arb<Sample> {
    const v = f.value;
    if (v.kind !== 'pair') return this.value(v, 'item');
    const raw = fc.string({ maxLength: 10 }).filter((x) => !x.includes('\0'));
    const first = raw.filter((x) => !x.includes(v.separator));
    return fc
      .tuple(first, fc.option(raw))
      .map(
        ([a, b]): Sample => ({
          text: b === null ? a : `${a}${v.separator}${b}`,
          value: b === null ? { [v.first.name]: a } : { [v.first.name]: a, [v.second.name]: b },
        }),
      )
      .filter((x) => v.second.optional || x.text.includes(v.separator));
  }

  /** A whole file of `spec` and its parsed value; a compressed file's bytes in `file`, its text compressed again (the bytes need not be the kernel's). */
  file(spec: SpecModel): Arb<Sample> {
    return spec.compressed === 'gzip' ? this.wholeText(spec).map((s) => ({ ...s, file: gzipSync(s.text) })) : this.wholeText(spec);
  }

  private wholeText(spec: SpecModel): Arb<Sample> {
    // A link's target is the text as readlink gives it, a binary file its bytes: no final newline added.
    if (spec.layout.kind === 'items' || spec.layout.kind === 'binary' || spec.link === true) return this.layout(spec.layout);
    // A table with a header has its header line even when the line is empty and no rows follow.
    if (spec.layout.kind === 'table' && spec.layout.header) return this.layout(spec.layout).map((s) => ({ text: `${s.text}\n`, value: s.value }));
    return this.layout(spec.layout).map((s) => ({ text: s.text === '' ? '' : `${s.text}\n`, value: s.value }));
  }
}

export type { FieldModel };
