/**
 * Small functions whose work is known exactly, for meter.test.ts: each
 * names what it shows the meter counts. The hooks instrument this folder.
 */
import { isAscii } from 'node:buffer';

/** A text searched through `this.text`, as the scanner does. */
export class Text {
  constructor(readonly text: string) {}

  /** indexOf on this.text. */
  find(c: string, from: number): number {
    return this.text.indexOf(c, from);
  }

  /** indexOf on a local variable holding this.text. */
  findInLocal(c: string, from: number): number {
    const t = this.text;
    return t.indexOf(c, from);
  }
}

/** indexOf held in a variable and called with call(). */
export function heldIndexOf(t: string, c: string, from: number): number {
  const find = String.prototype.indexOf;
  return find.call(t, c, from);
}

/** isAscii held in a variable and called plainly. */
export function heldIsAscii(b: Uint8Array): boolean {
  const check = isAscii;
  return check(b);
}

/** A loop of n iterations, with no call in it. */
export function loop(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += i;
  return sum;
}

/** A while loop calling a function of this module each time (1 for the iteration, 1 for the call). */
export function whileCalling(n: number): number {
  let i = 0;
  while (i < n) i = next(i);
  return i;
}

function next(i: number): number {
  return i + 1;
}

/** Buffer's latin1Slice through a variable of type any, as the scanner calls it. */
export function latin1(b: Buffer): string {
  const codec = b as unknown as { latin1Slice(a: number, e: number): string };
  return codec.latin1Slice(0, b.length);
}

/** A TextDecoder made (1) and decoding the bytes. */
export function decoded(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** lastIndexOf from the end, startsWith, slice, split and a regular expression, one after the other. */
export function strings(t: string): number {
  const last = t.lastIndexOf('x');
  const starts = t.startsWith('abc', 1) ? 1 : 0;
  const cut = t.slice(10, 30);
  const parts = t.split(',');
  const found = /q/.test(t) ? 1 : 0;
  return last + starts + cut.length + parts.length + found;
}

/** push, three times. */
export function pushes(): number[] {
  const out: number[] = [];
  out.push(1);
  out.push(2);
  out.push(3);
  return out;
}

/** A bound function: its cost is unknown to the meter, which names it. */
export function bound(t: string): number {
  return t.indexOf.bind(t)('x');
}
