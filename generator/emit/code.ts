/**
 * Small pieces of code shared by the parser printers: literals, scanner
 * calls, string reads, scaling, and lists filled in place. Strings reach
 * the code only through JSON.stringify (a quoted literal).
 */
import type { CodeBlockWriter } from 'ts-morph';
import type { Arg, Call, Scale, StringRead } from '../plan/ir.js';

export const q = (s: string): string => JSON.stringify(s);

export function arg(a: Arg): string {
  if (typeof a === 'string') return q(a);
  if (a === undefined) return 'undefined';
  if (typeof a === 'object') return a.code;
  return String(a);
}

export const args = (as: Arg[]): string => as.map(arg).join(', ');

/** s.<method>(<args>). */
export const call = (c: Call): string => `s.${c.method}(${args(c.args)})`;

/** Word readers that look for the backslash while they read (no second search of each word). */
const UNESCAPING: Record<string, string> = { word: 'wordUnescaped', wordTo: 'wordToUnescaped', wordBefore: 'wordBeforeUnescaped' };

export function stringRead(r: StringRead): string {
  const text = `${call(r.call)}${r.trim ? '.trim()' : ''}`;
  if (!r.escaped) return text;
  const variant = r.trim ? undefined : UNESCAPING[r.call.method];
  return variant !== undefined ? `s.${variant}(${args(r.call.args)})` : `Scan.unescape(${text})`;
}

export function scaled(expr: string, scale: Scale): string {
  switch (scale.kind) {
    case 'none':
      return expr;
    case 'bytes':
      return `s.${scale.wide ? 'scaleW' : 'scale'}(${expr}, ${scale.factor})`;
    case 'divide':
      return `${expr} / ${scale.by}`;
  }
}

/**
 * A list made at the length `room` (an expression) and filled in place:
 * listStart, then listAdd per item (push once the room is used up), then
 * listEnd (cuts the length to the items read, when there were fewer).
 */
export function listStart(w: CodeBlockWriter, arr: string, type: string, room: string): void {
  w.writeLine(`const ${arr} = new Array<${type}>(${room});`);
  w.writeLine(`let ${arr}n = 0;`);
}

export function listAdd(w: CodeBlockWriter, arr: string, item: string): void {
  w.writeLine(`if (${arr}n < ${arr}.length) ${arr}[${arr}n] = ${item}; else ${arr}.push(${item});`);
  w.writeLine(`${arr}n++;`);
}

export function listEnd(w: CodeBlockWriter, arr: string): void {
  w.writeLine(`if (${arr}n < ${arr}.length) ${arr}.length = ${arr}n;`);
}

/** Names of temporaries, numbered in the order they are printed. */
export class Names {
  private n = 0;
  next(prefix: string): string {
    return `${prefix}${this.n++}`;
  }
}
