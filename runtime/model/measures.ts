/**
 * The numbers of a parsed value, each with its path and how it moves
 * (counter or gauge, from the spec's fields and the spec's own default),
 * and the change between two samples: a counter's rate per second, a
 * gauge's level. A counter that went backwards was reset or wrapped (the
 * kernel restarted it, a 32-bit counter rolled over, a device came back):
 * that is reported as such, never as a huge negative rate.
 */
import { fieldsOf, type SpecModel } from './model.js';

export type Measure = 'counter' | 'gauge';

/** One number of a sample. */
export interface Leaf {
  /** Where it is: `memTotal`, `cpus[3].user`, `rows[eth0].rxBytes`. */
  path: string;
  /** The value as parsed: a bigint for a wide integer read in exact mode. */
  value: number | bigint;
  /** Absent when neither the field nor the spec says. */
  measure?: Measure;
}

const measuresCache = new WeakMap<SpecModel, Map<string, Measure>>();

/** The measure of each field name of a spec (a name used by several fields takes the first that says). */
function measuresOf(model: SpecModel): Map<string, Measure> {
  let out = measuresCache.get(model);
  if (out !== undefined) return out;
  out = new Map();
  for (const f of fieldsOf(model)) if (f.measure !== undefined && !out.has(f.name)) out.set(f.name, f.measure);
  measuresCache.set(model, out);
  return out;
}

/** How an array element is named in a path: by its first text field (an interface, a device), else by its index. */
function elementName(x: unknown, i: number): string {
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
    // `kind` tells variants apart; it names nothing.
    for (const [k, v] of Object.entries(x)) if (typeof v === 'string' && k !== 'kind') return v;
  }
  return String(i);
}

/**
 * Every number of `value`, with its path and measure: bigints with a
 * measure (wide integers read in exact mode) as they are, other bigints
 * (addresses, masks) when within 2^53, as numbers.
 */
export function leaves(model: SpecModel, value: unknown): Leaf[] {
  const measures = measuresOf(model);
  const out: Leaf[] = [];
  const walk = (x: unknown, path: string, key: string, inherited: Measure | undefined): void => {
    const own = measures.get(key) ?? inherited;
    if (typeof x === 'number') {
      out.push(own !== undefined ? { path, value: x, measure: own } : { path, value: x });
    } else if (typeof x === 'bigint') {
      if (own !== undefined) out.push({ path, value: x, measure: own });
      else if (x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER)) out.push({ path, value: Number(x) });
    } else if (Array.isArray(x)) {
      x.forEach((y, i) => {
        walk(y, `${path}[${elementName(y, i)}]`, key, own);
      });
    } else if (x !== null && typeof x === 'object') {
      // Keys and columns no field names (extra, header-named columns) take the record's measure, else the spec's.
      for (const [k, y] of Object.entries(x)) walk(y, path === '' ? k : `${path}.${k}`, k, own ?? model.measure);
    }
  };
  walk(value, '', '', undefined);
  return out;
}

/** What a number did between two samples. */
export type Change =
  | { path: string; measure: 'counter'; perSecond: number; value: number | bigint }
  | { path: string; measure: 'counter'; reset: true; value: number | bigint; previous: number | bigint }
  | { path: string; measure: 'gauge' | 'unclassified'; value: number | bigint };

/**
 * `after - before` as a number: two bigints are subtracted exactly and only
 * the difference becomes a double (a counter near 2^64 that moved by 1
 * moved by 1, where doubles 2^64 apart differ by 0 or 4096).
 */
export function difference(after: number | bigint, before: number | bigint): number {
  if (typeof after === 'bigint' && typeof before === 'bigint') return Number(after - before);
  return Number(after) - Number(before);
}

/**
 * The change of each number from `before` to `after`, `seconds` apart.
 * Numbers present in only one sample (a device that came or went) are left
 * out of the rates; a gauge or unclassified number is given as its level.
 */
export function changes(before: readonly Leaf[], after: readonly Leaf[], seconds: number): Change[] {
  const prev = new Map(before.map((l) => [l.path, l.value]));
  const out: Change[] = [];
  for (const l of after) {
    if (l.measure !== 'counter') {
      out.push({ path: l.path, measure: l.measure ?? 'unclassified', value: l.value });
      continue;
    }
    const p = prev.get(l.path);
    if (p === undefined || seconds <= 0) continue;
    const d = difference(l.value, p);
    if (d < 0) out.push({ path: l.path, measure: 'counter', reset: true, value: l.value, previous: p });
    else out.push({ path: l.path, measure: 'counter', perSecond: d / seconds, value: l.value });
  }
  return out;
}
