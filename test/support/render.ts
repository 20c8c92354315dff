/**
 * The spec-driven renderer of the round-trip tests: from a spec's model it
 * draws raw values with fast-check, writes them as the kernel would print
 * them, and computes the value the parser must return for that text.
 */
import fc from 'fast-check';
import type { ParseContext } from '../../runtime/context.js';
import type { FieldModel, KeyedEntry, LayoutModel, RecordModel, SpecModel, TokenModel, ValueModel } from '../../runtime/model.js';

/** A rendered piece of text and the value it must parse to. */
export interface Sample {
  text: string;
  value: unknown;
}

type Arb<T> = fc.Arbitrary<T>;

const WORD = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,11}$/);

function unitFactor(unit: string | undefined, ctx: ParseContext): { mul?: number; div?: number } {
  switch (unit) {
    case 'kB': return { mul: 1024 };
    case 'pages': return { mul: ctx.pageSize };
    case 'sectors': return { mul: 512 };
    case 'ticks': return { div: ctx.clockTick };
    case 'jiffies': return { div: ctx.hz };
    case 'ns': return { div: 1e9 };
    case 'us': return { div: 1e6 };
    case 'ms': return { div: 1e3 };
    default: return {};
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

/** Text contexts: a token among others, or the whole rest of a keyed line. */
type Place = 'token' | 'line';

export class Renderer {
  constructor(private readonly ctx: ParseContext) {}

  value(v: ValueModel, place: Place): Arb<Sample> {
    const ctx = this.ctx;
    switch (v.kind) {
      case 'integer': {
        const max = v.unit && unitFactor(v.unit, ctx).mul !== undefined ? 2 ** 40 : Number.MAX_SAFE_INTEGER;
        const raws = new Set(v.sentinels.map((s) => s.raw));
        const num = (v.signed ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).chain((small) => fc.oneof(fc.constant(small), fc.integer({ min: -max, max }))) : fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max })))
          .filter((n) => !raws.has(String(n)))
          .map((n): Sample => ({ text: v.hex ? n.toString(16) : String(n), value: normalise(n, v.unit, ctx) }));
        const withSuffix = num.map((s) => (v.suffix !== undefined ? { text: `${s.text} ${v.suffix}`, value: s.value } : s));
        if (v.sentinels.length === 0) return withSuffix;
        return fc.oneof(withSuffix, fc.constantFrom(...v.sentinels).map((s): Sample => ({ text: v.suffix !== undefined ? `${s.raw} ${v.suffix}` : s.raw, value: s.name })));
      }
      case 'u64': {
        const raws = new Set(v.sentinels.map((s) => s.raw));
        const num = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
          .filter((n) => !raws.has(n.toString()))
          .map((n): Sample => ({ text: v.hex ? `0x${n.toString(16).padStart(16, '0')}` : n.toString(), value: n }));
        if (v.sentinels.length === 0) return num;
        return fc.oneof(num, fc.constantFrom(...v.sentinels).map((s): Sample => ({ text: s.raw, value: s.name })));
      }
      case 'float':
        return fc.integer({ min: 0, max: 10 ** 9 }).map((n): Sample => {
          const text = (n / 100).toFixed(2);
          return { text: v.suffix !== undefined ? `${text} ${v.suffix}` : text, value: normalise(Number(text), v.unit, ctx) };
        });
      case 'string':
        if (place === 'line') {
          return fc.array(WORD, { minLength: 1, maxLength: 4 }).map((ws): Sample => ({ text: ws.join(' '), value: ws.join(' ') }));
        }
        return WORD.map((w): Sample => ({ text: w, value: w }));
      case 'enum':
        return fc.constantFrom(...v.values).map((e): Sample => ({ text: e.raw, value: e.name }));
      case 'mask':
        return fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 4 }).map((groups): Sample => {
          const text = groups.map((g) => g.toString(16).padStart(8, '0')).join(',');
          return { text, value: BigInt(`0x${text.replace(/,/g, '')}`) };
        });
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
      case 'pair':
        return fc.tuple(this.value(v.first.value, 'token'), this.value(v.second.value, 'token')).map(([a, b]): Sample => ({
          text: `${a.text}${v.separator}${b.text}`,
          value: { [v.first.name]: a.value, [v.second.name]: b.value },
        }));
      case 'record':
        return this.record(v.record);
    }
  }

  token(t: Extract<TokenModel, { kind: 'field' }>): Arb<Sample> {
    const f = t.field;
    if (t.repeat) {
      return fc.array(this.value(f.value, 'token'), { maxLength: 6 }).map((items): Sample => ({ text: items.map((i) => i.text).join(' '), value: items.map((i) => i.value) }));
    }
    if (t.rest) return this.value(f.value, 'line');
    if (t.enclosed) {
      const { open, close, closeAt } = t.enclosed;
      const inner =
        closeAt === 'last'
          ? fc.array(fc.oneof(WORD, fc.constantFrom(open, close, `${close} R 1 ${open}`)), { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' '))
          : closeAt === 'balanced'
            ? fc.array(fc.oneof(WORD, WORD.map((w) => `${open}${w} ${w}${close}`)), { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' '))
            : fc.array(WORD, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '));
      return inner.map((s): Sample => ({ text: `${open}${s}${close}${t.terminator ?? ''}`, value: s }));
    }
    const base = this.value(f.value, 'token');
    return base.map((s): Sample => ({ text: `${t.prefix ?? ''}${s.text}${t.terminator ?? ''}`, value: s.value }));
  }

  record(r: RecordModel, lead: Record<string, unknown> = {}): Arb<Sample> {
    const fields = r.tokens.filter((t): t is Extract<TokenModel, { kind: 'field' }> => t.kind === 'field');
    const optionalCount = fields.filter((t) => t.field.optional).length;
    const parts = r.tokens.map((t) => (t.kind === 'literal' ? fc.constant<Sample>({ text: t.text, value: undefined }) : this.token(t)));
    const pairArbs = (r.pairs?.fields ?? []).map((f) =>
      fc.tuple(fc.boolean(), this.value(f.value, 'token')).map(([present, s]) => ({ f, present: present || !f.optional, s })),
    );
    return fc
      .tuple(fc.tuple(...parts), fc.integer({ min: 0, max: optionalCount }), fc.tuple(...pairArbs))
      .map(([samples, keepOptional, pairs]): Sample => {
        const value: Record<string, unknown> = { ...lead };
        const texts: string[] = [];
        let optionalSeen = 0;
        r.tokens.forEach((t, i) => {
          if (t.kind === 'field' && t.field.optional && ++optionalSeen > keepOptional) return;
          if (optionalSeen > keepOptional) return;
          const s = samples[i]!;
          if (s.text !== '') texts.push(s.text);
          if (t.kind === 'field') value[t.field.name] = s.value;
        });
        for (const p of pairs) {
          if (!p.present) continue;
          texts.push(`${p.f.raw}${r.pairs!.separator}${p.s.text}`);
          value[p.f.name] = p.s.value;
        }
        return { text: texts.join(' '), value };
      });
  }

  /** Lines of a keyed layout, with some keys the spec does not know. */
  keyed(l: Extract<LayoutModel, { kind: 'keyed' }>, header?: RecordModel): Arb<Sample> {
    const entryArb = (e: KeyedEntry): Arb<{ e: KeyedEntry; present: boolean; lines: string[]; value: unknown }> => {
      if (e.section) {
        return fc.tuple(fc.boolean(), this.layout(e.section.layout)).map(([p, s]) => ({
          e, present: p || !e.field.optional, lines: [e.key, ...(s.text === '' ? [] : s.text.split('\n'))], value: s.value,
        }));
      }
      if (e.indexed) {
        const rec = (e.field.value as { record: RecordModel }).record;
        return fc.array(this.record(rec), { maxLength: 3 }).map((recs) => ({
          e, present: true,
          lines: recs.map((r, i) => `${e.key}${i} ${r.text}`),
          value: recs.map((r, i) => ({ [e.indexed!.name]: i, ...(r.value as object) })),
        }));
      }
      return fc.tuple(fc.boolean(), this.value(e.field.value, 'line')).map(([p, s]) => {
        const sep = l.separator === 'space' ? ' ' : ':\t';
        const prefix = e.prefix !== undefined ? `${e.prefix} ` : '';
        return { e, present: p || !e.field.optional, lines: [`${e.key}${sep}${prefix}${s.text}`.trimEnd()], value: s.value };
      });
    };
    const unknown = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 10 ** 6 })), { maxLength: l.extra || l.others ? 3 : 0, selector: ([k]) => k });
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
        }
        for (const { key, n } of extraLines) lines.push(l.separator === 'space' ? `${key} ${n}` : `${key}:\t${n}`);
        if (extras.length > 0 || l.others) {
          const rec = Object.fromEntries(extras.map(([k, n]) => [`xk${k}`, n]));
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
      case 'table':
        return fc.array(this.record(l.row), { maxLength: 5 }).map((rows): Sample => {
          const head = Array.from({ length: l.skip }, (_, i) => `header line ${i + 1} |`);
          return { text: [...head, ...rows.map((r) => r.text)].join('\n'), value: rows.map((r) => r.value) };
        });
      case 'blocks':
        return fc.array(this.layout(l.body, l.header), { maxLength: 4 }).map((blocks): Sample => {
          const nonEmpty = blocks.filter((b) => b.text.trim() !== '');
          return { text: nonEmpty.map((b) => b.text).join('blank' in l.split ? '\n\n' : '\n'), value: nonEmpty.map((b) => b.value) };
        });
    }
  }

  /** A whole file of `spec` and its parsed value. */
  file(spec: SpecModel): Arb<Sample> {
    return this.layout(spec.layout).map((s) => ({ text: s.text === '' ? '' : `${s.text}\n`, value: s.value }));
  }
}

export type { FieldModel };
