/**
 * What the fuzzer demands of every parse: the parser returns a value or
 * throws the typed parse error (code "parse", with the file, a line and a
 * column inside the text, and what was expected), nothing else; integer
 * fields hold integers (exact up to 2^53, the nearest double beyond; no
 * NaN or infinity) and bigints within 64 bits; the exact mode
 * (`bigint: true`) fails where the default fails, with the same error, or
 * gives the same value with each wide integer a bigint whose nearest
 * double is the default's number (the exact mode reads it with BigInt of
 * its text, so the default is the nearest double of the text); nothing
 * leaks onto Object.prototype; and a file of records parsed in pieces, as
 * a streamed read parses it, gives the same value or the same error.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ParseContext } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { fieldsOf, type SpecModel } from '../../runtime/model/model.js';
import { PieceParser } from '../../runtime/core/pieces.js';
import type { SpecEntry } from '../../runtime/core/registry-types.js';

/** Units whose values are divided into seconds: floats by design. */
const TIME = new Set(['ticks', 'jiffies', 'ns', 'us', 'ms', 'cs']);

/**
 * How numbers under a field name may look: 'int' (an integer: exact within
 * 2^53, the nearest double beyond; a bigint within 64 bits), 'real' (any
 * finite number), 'mask' (a bitmask: a bigint of any width, 128 CPUs need
 * 128 bits, never negative).
 */
type NumberRule = 'int' | 'real' | 'mask' | 'bytes';

/** Units a count is multiplied into bytes from: the exact value may be 64 bits times a page (at most 64 KiB here). */
const BYTES = new Set(['kB', 'pages', 'sectors']);
const SCALED_LIMIT = 2n ** 80n;

const rulesCache = new WeakMap<SpecModel, Map<string, NumberRule>>();

/** The number rule of every field name in a spec (a name used for a float anywhere is 'real'). */
function rulesOf(model: SpecModel): Map<string, NumberRule> {
  let rules = rulesCache.get(model);
  if (rules !== undefined) return rules;
  rules = new Map();
  for (const f of fieldsOf(model)) {
    const v = f.value;
    const item = v.kind === 'list' ? v.of : v;
    const rule: NumberRule =
      v.kind === 'mask'
        ? 'mask'
        : v.kind === 'float' || (v.kind === 'integer' && v.unit !== undefined && TIME.has(v.unit))
          ? 'real'
          : item.kind === 'integer' && BYTES.has(item.unit ?? '')
            ? 'bytes'
            : 'int';
    // A name used for several kinds gets the loosest of them.
    const old = rules.get(f.name);
    if (old === undefined || old === 'int' || (old === 'bytes' && rule !== 'int')) rules.set(f.name, rule);
  }
  rulesCache.set(model, rules);
  return rules;
}

/** Problems with the numbers of a parsed value (empty when there are none). */
export function inexact(model: SpecModel, value: unknown): string[] {
  const rules = rulesOf(model);
  const out: string[] = [];
  const walk = (x: unknown, key: string, path: string): void => {
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) out.push(`${path} is ${x}`);
      else if ((rules.get(key) === 'int' || rules.get(key) === 'bytes') && !Number.isInteger(x)) out.push(`${path} = ${x} is not an integer`);
    } else if (typeof x === 'bigint') {
      const rule = rules.get(key);
      if (rule === 'mask') {
        if (x < 0n) out.push(`${path} = ${x}: a mask is never negative`);
      } else if (rule === 'bytes' || rule === undefined) {
        // A count in kB, pages or sectors (or an extra value in kB) times its unit, exactly.
        if (x <= -SCALED_LIMIT || x >= SCALED_LIMIT) out.push(`${path} = ${x} is more than 64 bits times a unit`);
      } else if (x < -(2n ** 63n) || x >= 2n ** 64n) out.push(`${path} = ${x} does not fit 64 bits`);
    } else if (Array.isArray(x)) {
      x.forEach((y, i) => {
        walk(y, key, `${path}[${i}]`);
      });
    } else if (x !== null && typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) walk(y, k, `${path}.${k}`);
    }
  };
  walk(value, '', '$');
  return out;
}

/**
 * Differences between a value parsed by default (`d`) and in exact mode
 * (`e`): the same shape and the same values, except that a number of the
 * default may be a bigint in exact mode, whose nearest double it must be.
 */
export function modeDifferences(d: unknown, e: unknown, path = '$'): string[] {
  if (typeof e === 'bigint' && typeof d === 'number')
    return Number(e) === d ? [] : [`${path}: ${d} by default, ${e}n exactly, whose nearest double is ${Number(e)}`];
  if (Array.isArray(d) && Array.isArray(e)) {
    if (d.length !== e.length) return [`${path}: ${d.length} items by default, ${e.length} exactly`];
    return d.flatMap((x, i) => modeDifferences(x, e[i], `${path}[${i}]`));
  }
  if (d !== null && e !== null && typeof d === 'object' && typeof e === 'object' && !Array.isArray(d) && !Array.isArray(e)) {
    const dk = Object.keys(d).sort().join(',');
    if (dk !== Object.keys(e).sort().join(',')) return [`${path}: keys ${dk} by default, ${Object.keys(e).sort().join(',')} exactly`];
    return Object.keys(d).flatMap((k) => modeDifferences((d as Record<string, unknown>)[k], (e as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return Object.is(d, e) ? [] : [`${path}: ${String(d)} by default, ${String(e)} exactly`];
}

/** The exact-mode parse of `text`, checked against the default's outcome. */
function checkExact(entry: SpecEntry, text: string, ctx: ParseContext, whole: { value: unknown } | { error: unknown }): void {
  let exact: { value: unknown } | { error: unknown };
  try {
    exact = { value: entry.parse(text, { ...ctx, bigint: true } as ParseContext) };
  } catch (error) {
    exact = { error };
  }
  if ('error' in whole) {
    const want = (whole.error as Error).message;
    if (!('error' in exact) || (exact.error as Error).message !== want) {
      throw new Error(`${entry.id}: with bigint: true ${'error' in exact ? String((exact.error as Error).message) : 'a value'}, by default: ${want}`);
    }
    return;
  }
  if ('error' in exact) throw new Error(`${entry.id}: with bigint: true ${String((exact.error as Error).message)}, by default a value`);
  const problems = modeDifferences(whole.value, exact.value);
  if (problems.length > 0) throw new Error(`${entry.id}: ${problems.slice(0, 3).join('; ')}`);
  const bigProblems = inexact(entry.model, exact.value);
  if (bigProblems.length > 0) throw new Error(`${entry.id} with bigint: true: ${bigProblems.slice(0, 3).join('; ')}`);
}

const protoNames = (): string => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const PROTO = protoNames();

/** Whether Object.prototype is as it was when the fuzz began (no member added, none polluted). */
export const prototypeUntouched = (): boolean => protoNames() === PROTO && ({} as Record<string, unknown>).polluted === undefined;

/**
 * The text parsed in pieces as a streamed read parses it (runtime/core/pieces.ts),
 * the bytes arriving `step` at a time: the value, or the error thrown.
 */
export function parseInPieces(entry: SpecEntry, text: string, ctx: ParseContext, step: number): { value: unknown } | { error: unknown } {
  const b = Buffer.from(text, 'utf8');
  const parser = new PieceParser(entry.pieces!, entry.id, ctx);
  try {
    for (let have = Math.min(step, b.length); ; have = Math.min(have + step, b.length)) {
      parser.feed(b, have, have === b.length);
      if (have === b.length) return { value: parser.done() };
    }
  } catch (error) {
    return { error };
  }
}

/** Throws unless parsing in pieces gives what the whole parse gave (the value, or an error with the same message). */
function checkPieces(entry: SpecEntry, text: string, ctx: ParseContext, whole: { value: unknown } | { error: unknown }): void {
  if (entry.pieces === undefined) return;
  // A step from the text itself: cuts land everywhere over the cases, and in many places within one.
  const step = 1 + (text.length % 61);
  const got = parseInPieces(entry, text, ctx, step);
  if ('error' in whole) {
    const want = (whole.error as Error).message;
    if (!('error' in got) || (got.error as Error).message !== want) {
      throw new Error(`${entry.id}: in pieces of ${step} bytes: ${'error' in got ? String((got.error as Error).message) : 'a value'}, whole: ${want}`);
    }
  } else if (!('value' in got) || !isDeepStrictEqual(got.value, whole.value)) {
    throw new Error(
      `${entry.id}: in pieces of ${step} bytes: ${'error' in got ? String((got.error as Error).message) : 'another value'} than the whole text gives`,
    );
  }
}

/** The outcome of one parse, checked: 'value' or 'error'; throws an Error describing any broken property. */
export function checkParse(entry: SpecEntry, text: string, ctx: ParseContext): 'value' | 'error' {
  let value: unknown;
  try {
    value = entry.parse(text, ctx);
  } catch (err) {
    checkPieces(entry, text, ctx, { error: err });
    checkExact(entry, text, ctx, { error: err });
    if (!(err instanceof ProcfsError)) throw new Error(`${entry.id}: threw ${String(err)}, not a ProcfsError`, { cause: err });
    if (err.code !== 'parse') throw new Error(`${entry.id}: error code ${err.code}, not "parse"`, { cause: err });
    const lineCount = text.split('\n').length;
    const items = text.split('\0').length;
    if (err.file !== ctx.file || err.spec !== entry.id) throw new Error(`${entry.id}: error names file ${err.file} spec ${err.spec}`);
    if (!Number.isInteger(err.line) || err.line! < 1 || err.line! > Math.max(lineCount, items) + 1)
      throw new Error(`${entry.id}: error line ${err.line} outside the text (${lineCount} lines)`);
    if (!Number.isInteger(err.column) || err.column! < 1) throw new Error(`${entry.id}: error column ${err.column}`);
    if (!err.expected) throw new Error(`${entry.id}: error says nothing of what was expected`);
    if (!err.message.startsWith(`${ctx.file}:${err.line}:${err.column}: expected `)) throw new Error(`${entry.id}: message ${err.message}`);
    checkPrototype(entry.id);
    return 'error';
  }
  const problems = inexact(entry.model, value);
  if (problems.length > 0) throw new Error(`${entry.id}: ${problems.slice(0, 3).join('; ')}`);
  checkPieces(entry, text, ctx, { value });
  checkExact(entry, text, ctx, { value });
  checkPrototype(entry.id);
  return 'value';
}

function checkPrototype(id: string): void {
  if (!prototypeUntouched()) throw new Error(`${id}: Object.prototype changed`);
}
