/**
 * Mutations of /proc text for the fuzzer, as fast-check arbitraries: each
 * draws an edit (bytes flipped, lines cut, duplicated, swapped or shuffled,
 * truncation, fields inserted and removed, numbers at and beyond 2^53 and
 * 2^64, negative numbers, NUL bytes, invalid UTF-8, CRLF, very long lines,
 * indentation changed, words bracketed and unbracketed)
 * and applies it to a text. Shrinking works on the edits, so a failure is
 * reported with few, small ones.
 */
import fc from 'fast-check';

type Edit = (text: string) => string;

/** Values that break careless number parsing. */
export const EXTREME_NUMBERS = [
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '18446744073709551615',
  '18446744073709551616',
  '340282366920938463463374607431768211456',
  '99999999999999999999999999',
  '-1',
  '-0',
  '-9223372036854775808',
  '8796093022207',
  '8796093022208',
  '999999999999999',
  '9999999999999999',
  '4503599627370496',
  '0x10',
  '1e308',
  '1e309',
  'NaN',
  'Infinity',
  '00000000000000000000001',
  '4294967296',
  '-2147483649',
  '1.5',
  '',
];

/** Characters that end, open or separate tokens, and bytes the kernel never prints. */
const SPECIAL = [
  ' ',
  '\t',
  '\n',
  '\r',
  ':',
  '=',
  '(',
  ')',
  '[',
  ']',
  '-',
  ',',
  '/',
  '\\',
  '"',
  '#',
  '\0',
  '\uFFFD',
  '\u00e9',
  '0',
  '9',
  'a',
  'Z',
  '_',
  '.',
  '%',
];

/** Keys a careless parser would write onto an object's prototype. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

const lines = (t: string): string[] => t.split('\n');
const at = (t: string, f: number): number => Math.floor(f * (t.length + 1));
const lineAt = (n: number, f: number): number => Math.min(n - 1, Math.floor(f * n));

/** Token boundaries (start, end) of the text's whitespace-separated tokens. */
function tokens(t: string): [number, number][] {
  const out: [number, number][] = [];
  const re = /[^\s]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) out.push([m.index, m.index + m[0].length]);
  return out;
}

function numbers(t: string): [number, number][] {
  const out: [number, number][] = [];
  const re = /-?\d+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** Invalid UTF-8 as the reader would decode it (each bad byte becomes U+FFFD). */
const invalidUtf8 = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xe2, 0x82]).toString('utf8');

const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const edits: fc.Arbitrary<Edit>[] = [
  fc.tuple(frac, fc.constantFrom(...SPECIAL)).map(([f, c]) => (t: string) => {
    const i = Math.min(at(t, f), Math.max(0, t.length - 1));
    return t.slice(0, i) + c + t.slice(i + 1);
  }),
  fc.tuple(frac, fc.constantFrom(...SPECIAL)).map(([f, c]) => (t: string) => {
    const i = at(t, f);
    return t.slice(0, i) + c + t.slice(i);
  }),
  frac.map((f) => (t: string) => {
    const i = at(t, f);
    return t.slice(0, i) + t.slice(i + 1);
  }),
  frac.map((f) => (t: string) => t.slice(0, at(t, f))),
  frac.map((f) => (t: string) => {
    const l = lines(t);
    l.splice(lineAt(l.length, f), 1);
    return l.join('\n');
  }),
  frac.map((f) => (t: string) => {
    const l = lines(t);
    const i = lineAt(l.length, f);
    l.splice(i, 0, l[i]!);
    return l.join('\n');
  }),
  fc.tuple(frac, frac).map(([f, g]) => (t: string) => {
    const l = lines(t);
    const i = lineAt(l.length, f);
    const j = lineAt(l.length, g);
    [l[i], l[j]] = [l[j]!, l[i]!];
    return l.join('\n');
  }),
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((s) => (t: string) => {
    const l = lines(t);
    let x = s || 1;
    for (let i = l.length - 1; i > 0; i--) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const j = x % (i + 1);
      [l[i], l[j]] = [l[j]!, l[i]!];
    }
    return l.join('\n');
  }),
  fc.tuple(frac, fc.constantFrom(...EXTREME_NUMBERS)).map(([f, n]) => (t: string) => {
    const ns = numbers(t);
    if (ns.length === 0) return t;
    const [a, b] = ns[Math.floor(f * ns.length)]!;
    return t.slice(0, a) + n + t.slice(b);
  }),
  fc.tuple(frac, fc.oneof(fc.constantFrom(...EXTREME_NUMBERS, ...HOSTILE_KEYS), fc.stringMatching(/^[A-Za-z0-9_:()-]{1,12}$/))).map(([f, w]) => (t: string) => {
    const ts = tokens(t);
    if (ts.length === 0) return w;
    const [a] = ts[Math.floor(f * ts.length)]!;
    return `${t.slice(0, a)}${w} ${t.slice(a)}`;
  }),
  frac.map((f) => (t: string) => {
    const ts = tokens(t);
    if (ts.length === 0) return t;
    const [a, b] = ts[Math.floor(f * ts.length)]!;
    return t.slice(0, a) + t.slice(b).replace(/^[ \t]+/, '');
  }),
  // A line of a key the spec may not know (hostile names included), with an ordinary or extreme value.
  fc
    .tuple(
      frac,
      fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/)),
      fc.constantFrom(':', ' ', '=', ':\t', '\t'),
      fc.oneof(fc.constant('1'), fc.constantFrom(...EXTREME_NUMBERS)),
      fc.constantFrom('', ' kB', ' pages', ' 2'),
    )
    .map(([f, k, sep, n, tail]) => (t: string) => {
      const l = lines(t);
      l.splice(lineAt(l.length, f), 0, `${k}${sep}${n}${tail}`);
      return l.join('\n');
    }),
  frac.map((f) => (t: string) => {
    const i = at(t, f);
    return t.slice(0, i) + invalidUtf8 + t.slice(i);
  }),
  fc.constant((t: string) => t.replace(/\n/g, '\r\n')),
  fc.tuple(frac, fc.constantFrom('x', '9', ' ', '(', ')', 'ab ', '0 ')).map(([f, unit]) => (t: string) => {
    const i = at(t, f);
    return t.slice(0, i) + unit.repeat(Math.ceil(20000 / unit.length)) + t.slice(i);
  }),
  fc.constant((t: string) => t.replace(/\n$/, '')),
  fc.constant((t: string) => `${t}\n`),
  // A line indented more or less (a tree's depth, by a level or by part of one).
  fc.tuple(frac, fc.integer({ min: -6, max: 6 })).map(([f, n]) => (t: string) => {
    const l = lines(t);
    const i = lineAt(l.length, f);
    l[i] = n >= 0 ? ' '.repeat(n) + l[i]! : l[i]!.replace(new RegExp(`^ {0,${-n}}`), '');
    return l.join('\n');
  }),
  // A word put in brackets, or its brackets taken off (a choice list's selected word).
  frac.map((f) => (t: string) => {
    const ts = tokens(t);
    if (ts.length === 0) return t;
    const [a, b] = ts[Math.floor(f * ts.length)]!;
    const w = t.slice(a, b);
    return t.slice(0, a) + (/^\[.*\]$/.test(w) ? w.slice(1, -1) : `[${w}]`) + t.slice(b);
  }),
];

/** One to four edits, applied in order. */
export const mutation: fc.Arbitrary<Edit> = fc
  .array(fc.oneof(...edits), { minLength: 1, maxLength: 4 })
  .map((es) => (t: string) => es.reduce((x, e) => e(x), t));

/** Text with no relation to any file: printable, control and multi-byte characters, and lines of digits. */
export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.oneof(fc.stringMatching(/^[0-9 ]{0,40}$/), fc.stringMatching(/^[A-Za-z_]{1,12}:\s+\d{1,25}( kB)?$/)), { maxLength: 30 }).map((l) => l.join('\n')),
);
