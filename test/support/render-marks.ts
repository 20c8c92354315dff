/**
 * Rendering a `rest` string with marks at its edges (`startsWith`, a
 * `trailer`): a link's path, which may hold spaces, newlines and the
 * trailer's text itself before its end, and ends with the trailer when the
 * file was unlinked.
 */
import fc from 'fast-check';
import type { TokenModel } from '../../runtime/model/model.js';

type FieldToken = Extract<TokenModel, { kind: 'field' }>;

/** A token's text and value (render.ts's Sample), with the trailer's boolean by name. */
interface Sample {
  text: string;
  value: unknown;
  flags?: Record<string, boolean>;
}

/** Whether a token is a rest string with a mark at an edge. */
export const marked = (t: FieldToken): boolean => t.rest && (t.startsWith !== undefined || t.trailer !== undefined);

/** Pieces of a path: words, separators, white space and a newline (a name may hold any byte but NUL and /), and the trailer's text. */
const piece = (trailer: string): fc.Arbitrary<string> =>
  fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/), fc.constantFrom('/', ' ', '\n', '(', ')', 'é', trailer === '' ? ' ' : trailer));

/** The text and value of a marked rest token; the trailer's boolean is in `flags`. */
export function markedRest(t: FieldToken): fc.Arbitrary<Sample> {
  const lead = t.startsWith ?? '';
  const trailer = t.trailer?.text ?? '';
  const body = fc
    .array(piece(trailer), { maxLength: 6 })
    .map((ps) => `${lead}${ps.join('')}`)
    // Without the trailer, a value that ends with its text would read as marked: the kernel's own ambiguity.
    .filter((x) => x !== '' && (trailer === '' || !x.endsWith(trailer)));
  return fc.tuple(body, fc.boolean()).map(([x, on]): Sample => {
    const flags = t.trailer ? { [t.trailer.name]: on } : undefined;
    return { text: on && t.trailer ? `${x}${trailer}` : x, value: x, ...(flags ? { flags } : {}) };
  });
}

/**
 * The text and value of a double-quoted, escaped token that closes at the
 * last quote (kconfig's string values, `"gcc (GCC) 15.3.0"`): any text,
 * empty too, with a backslash before each quote and backslash it holds.
 */
export function quotedEscaped(t: FieldToken): fc.Arbitrary<Sample> {
  const part = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/), fc.constantFrom(' ', '"', '\\', '(', ')', '=', '#', 'é'));
  return fc.array(part, { maxLength: 6 }).map((ps): Sample => {
    const value = ps.join('');
    return { text: `${t.prefix ?? ''}"${value.replace(/["\\]/g, (c) => `\\${c}`)}"${t.terminator ?? ''}`, value };
  });
}
