/**
 * The type of a value from every text the sample gives it: all the tokens of
 * a column, or all the values of a key. A type is chosen only when every
 * text reads as it, so the draft parses the sample back; anything else is a
 * string, which reads any word.
 */
import type { DraftValue } from './spec.js';
import { tokensOf } from './text.js';
import { unitOfName, unitOfWord } from './units.js';

const DECIMAL = /^[0-9]+$/;
const NEGATIVE = /^-[0-9]+$/;
const FLOAT = /^-?([0-9]+\.[0-9]*|\.[0-9]+)$/;
const HEX = /^(0[xX])?[0-9a-fA-F]+$/;
/** Most hex digits an `integer` holds exactly (13 digits stay below 2^52); longer values are `u64`. */
const MAX_HEX_INTEGER_DIGITS = 13;
/** Most hex digits a `u64` holds; longer runs (IPv6 addresses) are text. */
const MAX_HEX_U64_DIGITS = 16;
const MAX_U64 = 0xffffffffffffffffn;

/**
 * The kernel prints a number zero-padded to a fixed width (`%08x`) in hex:
 * digits alone, all of one width of at least 4, one of them starting with 0.
 */
function zeroPaddedHex(texts: readonly string[]): boolean {
  const width = texts[0]!.length;
  return width >= 4 && texts.every((t) => t.length === width && DECIMAL.test(t)) && texts.some((t) => t.startsWith('0'));
}

/**
 * Hex without zero padding: every text is hex digits (with or without 0x),
 * one has a letter a-f or the 0x, and one has a digit (a column of words
 * like `add` and `bad` is text).
 */
function plainHex(texts: readonly string[]): boolean {
  return texts.every((t) => HEX.test(t)) && texts.some((t) => /^0[xX]|[a-fA-F]/.test(t)) && texts.some((t) => /[0-9]/.test(t.replace(/^0[xX]/, '')));
}

function hexValue(texts: readonly string[]): DraftValue {
  const digits = Math.max(...texts.map((t) => t.replace(/^0[xX]/, '').length));
  if (digits > MAX_HEX_U64_DIGITS) return { type: 'string' };
  return digits > MAX_HEX_INTEGER_DIGITS ? { type: 'u64', hex: true } : { type: 'integer', hex: true };
}

/** The type that reads every one of `texts` (single tokens), with a unit when `kernelName` ends in one (`_ns`). */
export function draftValueOf(texts: readonly string[], kernelName?: string): DraftValue {
  return withNameUnit(scalarOf(texts), kernelName);
}

function scalarOf(texts: readonly string[]): DraftValue {
  if (texts.length === 0) return { type: 'string' };
  if (zeroPaddedHex(texts)) return hexValue(texts);
  if (texts.every((t) => DECIMAL.test(t) || NEGATIVE.test(t))) {
    const signed = texts.some((t) => NEGATIVE.test(t));
    const values = texts.map((t) => BigInt(t));
    const tooBig = values.some((v) => v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER));
    if (!tooBig) return signed ? { type: 'integer', signed: true } : { type: 'integer' };
    // Beyond 2^53 only an unsigned 64-bit value is exact; a signed one, or one beyond 2^64, stays text.
    return signed || values.some((v) => v > MAX_U64) ? { type: 'string' } : { type: 'u64' };
  }
  if (texts.every((t) => FLOAT.test(t) || DECIMAL.test(t) || NEGATIVE.test(t))) return { type: 'float' };
  if (plainHex(texts)) return hexValue(texts);
  return { type: 'string' };
}

/** A decimal number gets the unit the end of its kernel name gives (`timerslack_ns` -> ns). */
function withNameUnit(value: DraftValue, kernelName: string | undefined): DraftValue {
  if (kernelName === undefined || value.hex === true || (value.type !== 'integer' && value.type !== 'float')) return value;
  const unit = unitOfName(kernelName);
  return unit === undefined ? value : { ...value, unit };
}

/**
 * The type of a keyed value from every text it has after the key: one token
 * each (a number or a word), or a number and the same unit word each time
 * (`16 kB` -> integer, unit kB, suffix kB), else the rest of the line as a
 * string. (Values made of `key=value` tokens are records: the caller reads
 * them with pairsOf first.)
 */
export function keyedValueOf(texts: readonly string[], key: string): DraftValue {
  const tokens = texts.map(tokensOf);
  if (tokens.every((ts) => ts.length === 1))
    return draftValueOf(
      tokens.map((ts) => ts[0]!),
      key,
    );
  const word = tokens[0]?.[1];
  if (word !== undefined && tokens.every((ts) => ts.length === 2 && ts[1] === word)) {
    const unit = unitOfWord(word);
    const number = scalarOf(tokens.map((ts) => ts[0]!));
    if (unit !== undefined && number.hex !== true && (number.type === 'integer' || number.type === 'float')) return { ...number, unit, suffix: word };
  }
  return { type: 'string' };
}
