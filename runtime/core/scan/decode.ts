/**
 * Decodings of the scanner (runtime/core/scan.ts): a value already read
 * decoded further, the value kept as printed (docs/spec-language.md,
 * Decoding). Flag letters become a bit per position, and the items of a
 * list become keys with optional values; a letter or a value that does not
 * fit is a parse error at its place in the line.
 */
import { ScanNesting } from './nesting.js';

/** A key an `options` decoding names: its raw key, its name, and how its value reads (`i` integer, `s` string, `f` a key that comes alone). */
export type OptionKey = readonly [raw: string, name: string, how: 'i' | 's' | 'f'];

const INTEGER = /^(?:0|-?[1-9][0-9]{0,18})$/;

export class ScanDecode extends ScanNesting {
  /**
   * Flag letters, one per position: bit i of the result is set when the
   * letter at i is `on[i]`, clear when it is `off[i]`; any other letter,
   * or a word of another length, is a parse error. The word was the last
   * token read (its start is `ts`).
   */
  letters(word: string, on: string, off: string): number {
    let m = 0;
    const n = Math.min(word.length, on.length);
    for (let i = 0; i < n; i++) {
      const c = word.charCodeAt(i);
      if (c === on.charCodeAt(i)) m |= 1 << i;
      else if (c !== off.charCodeAt(i)) {
        // The letters before i matched one-byte letters: i is a byte offset too.
        this.ts += i;
        this.fail(`"${on[i]}" or "${off[i]}" at flag letter ${i + 1} of ${on.length}`);
      }
    }
    if (word.length !== on.length) {
      if (word.length > n) this.ts += n;
      this.fail(`${on.length} flag letters (each of "${on}" or "${off}")`);
    }
    return m;
  }

  /**
   * The items of a list split at their first `sep` into key and value: a
   * key the spec names is given its name and its value read as `keys` says
   * (an integer, a string, or true for a key that comes alone); any other
   * key lands in `extra` with its value, or true when it has none (with no
   * key named, the result is that record itself, null-prototype). A key
   * that comes twice keeps its last value, as the kernel's own parsers of
   * mount options do. A value that does not fit its key is a parse error
   * at the item.
   */
  options(items: readonly string[], sep: string, keys: readonly OptionKey[]): Record<string, unknown> {
    const out: Record<string, unknown> = keys.length === 0 ? Object.create(null) : {};
    let extra: Record<string, string | true> | undefined = keys.length === 0 ? (out as Record<string, string | true>) : undefined;
    for (const item of items) {
      const at = item.indexOf(sep);
      const key = at < 0 ? item : item.slice(0, at);
      const value = at < 0 ? undefined : item.slice(at + 1);
      const known = keys.find((k) => k[0] === key);
      if (known === undefined) {
        extra ??= Object.create(null) as Record<string, string | true>;
        extra[key] = value ?? true;
        continue;
      }
      const [raw, name, how] = known;
      if (how === 'f') {
        if (value !== undefined) this.failAtItem(item, `"${raw}" alone, without a value`);
        out[name] = true;
      } else if (value === undefined) {
        this.failAtItem(item, `"${raw}${sep}" and a value`);
      } else if (how === 'i') {
        if (!INTEGER.test(value) || !Number.isSafeInteger(Number(value))) this.failAtItem(item, `an integer after "${raw}${sep}"`);
        out[name] = Number(value);
      } else out[name] = value;
    }
    if (extra !== undefined && extra !== out) out.extra = extra;
    return out;
  }

  /** Fails at `item` where it stands in the current line (found by its bytes), else at the last token read. */
  private failAtItem(item: string, expected: string): never {
    const bytes = Buffer.from(item, 'utf8');
    const found = this.b.subarray(this.ls, this.le).indexOf(bytes);
    if (found >= 0) this.ts = this.ls + found;
    this.fail(expected);
  }
}
