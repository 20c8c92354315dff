/**
 * Units a draft can read from the text: a unit word printed after a number
 * (`MemTotal: 16 kB`, `last_unhandled 0 ms`), or the end of a kernel name
 * (`timerslack_ns`, `AVX512_elapsed_ms`). Only units the spec language
 * normalises are recognised; other words are left for the author.
 */
import type { Unit } from '../../runtime/model/model.js';

/** Words the kernel prints after a number, and the unit each stands for. */
const UNIT_WORDS: ReadonlyMap<string, Unit> = new Map<string, Unit>([
  ['kB', 'kB'],
  ['bytes', 'bytes'],
  ['pages', 'pages'],
  ['sectors', 'sectors'],
  ['jiffies', 'jiffies'],
  ['ns', 'ns'],
  ['us', 'us'],
  ['ms', 'ms'],
]);

/** Endings of kernel names (`_ns`, `_msecs`, `_kB`...) that give the unit of the value. */
const NAME_ENDINGS: readonly [RegExp, Unit][] = [
  [/[_-](ns|nsecs?)$/i, 'ns'],
  [/[_-](us|usecs?)$/i, 'us'],
  [/[_-](ms|msecs?)$/i, 'ms'],
  [/[_-]centisecs?$/i, 'cs'],
  [/[_-](secs?|seconds)$/i, 's'],
  [/[_-]jiffies$/i, 'jiffies'],
  [/[_-](kb|kbytes)$/i, 'kB'],
  [/[_-]bytes$/i, 'bytes'],
];

/** The unit a word printed after a number stands for, if the spec language knows it. */
export function unitOfWord(word: string): Unit | undefined {
  return UNIT_WORDS.get(word);
}

/** The unit the ending of a kernel name gives its value (`timerslack_ns` -> ns), if any. */
export function unitOfName(name: string): Unit | undefined {
  for (const [ending, unit] of NAME_ENDINGS) if (ending.test(name)) return unit;
  return undefined;
}
