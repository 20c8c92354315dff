/**
 * Nesting of the scanner (runtime/core/scan.ts): the depth of an indented
 * line of a tree (iomem, fib_trie), and choice lists, a line of words of
 * which the selected one is in brackets (`always [madvise] never`).
 */
import { ScanInet } from './inet.js';

/** A line of choices: the bracketed word (absent when none is) and every word, brackets removed. */
export interface Choice {
  selected?: string;
  choices: string[];
}

export class ScanNesting extends ScanInet {
  /**
   * The depth of the current line of a tree, from its leading spaces: 0 at
   * the left edge, d at column `first + (d - 1) * indent`. The line may be
   * at most one level deeper than the line above, whose depth is `max - 1`
   * (`max` is 0 before the first line). Leaves the cursor after the spaces.
   */
  treeDepth(indent: number, first: number, max: number): number {
    const b = this.b;
    let p = this.ls;
    while (p < this.le && b[p] === 32) p++;
    const n = p - this.ls;
    this.pos = p;
    this.ts = p;
    const d = n === 0 ? 0 : n >= first && (n - first) % indent === 0 ? 1 + (n - first) / indent : -1;
    if (d < 0) this.fail(`an indentation of 0, ${first}, ${first + indent}, ${first + 2 * indent}... spaces (${indent} more per level)`);
    if (d > max) {
      this.fail(max === 0 ? 'a first line at the left edge (depth 0)' : `a line at most one level below the line above (depth ${max} or less, not ${d})`);
    }
    return d;
  }

  /**
   * The words from the cursor to the end of the line, of which one is in
   * brackets: the selected choice. With `unselected` a line with no
   * bracketed word is read too (sysfs prints a lone `none` for a queue
   * with no scheduler to choose); two bracketed words are an error.
   */
  choice(unselected: false): Required<Choice>;
  choice(unselected: true): Choice;
  choice(unselected: boolean): Choice {
    const choices: string[] = [];
    let selected: string | undefined;
    const start = this.pos;
    for (;;) {
      this.ws();
      if (this.pos >= this.le) break;
      const a = this.pos;
      let w = this.word();
      const open = w.startsWith('[');
      if (open && w.endsWith(']') && w.length > 2 && !w.slice(1, -1).includes('[') && !w.slice(1, -1).includes(']')) {
        if (selected !== undefined) {
          this.ts = a;
          this.fail(`one bracketed word (the selected choice): [${selected}] was bracketed already`);
        }
        w = w.slice(1, -1);
        selected = w;
      } else if (open || w.includes('[') || w.includes(']')) {
        this.ts = a;
        this.fail('a word, or one word in brackets ([name])');
      }
      choices.push(w);
    }
    this.ts = start;
    if (choices.length === 0) this.fail('a list of choices');
    if (selected === undefined && !unselected) this.fail('one word in brackets (the selected choice) among the words of the line');
    return selected === undefined ? { choices } : { selected, choices };
  }
}
