/**
 * What the commands need to know of where their output goes: a terminal
 * (tables, redrawn in place, colour unless NO_COLOR is set) or a pipe or
 * file (ndjson, no colour, no control codes).
 */
import { UsageError } from './usage.js';

export const isTerminal = (): boolean => process.stdout.isTTY === true;

/** Colour only on a terminal and never with NO_COLOR (https://no-color.org). */
export const colourOn = (): boolean => isTerminal() && (process.env.NO_COLOR ?? '') === '';

export const yellow = (s: string): string => (colourOn() ? `\x1b[33m${s}\x1b[0m` : s);
export const dim = (s: string): string => (colourOn() ? `\x1b[2m${s}\x1b[0m` : s);

/** Clears the terminal before a redraw (nothing when the output is not a terminal). */
export const clearScreen = (): string => (isTerminal() ? '\x1b[H\x1b[2J' : '');

/** Seconds from `1s`, `500ms`, `2m` or a plain number of seconds; throws on anything else. */
export function parseInterval(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null) throw new UsageError(`bad interval ${JSON.stringify(text)}: use 1s, 500ms, 2m or seconds`);
  const n = Number(m[1]);
  const s = m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
  if (!(s > 0)) throw new UsageError(`bad interval ${JSON.stringify(text)}: it must be above zero`);
  return s;
}

/** The number of samples of --count: a positive whole number, or Infinity when the option is absent. */
export function parseCount(text: string | undefined): number {
  if (text === undefined) return Infinity;
  const n = Number(text);
  if (!(n > 0) || !Number.isInteger(n)) throw new UsageError(`bad --count ${text}: a positive whole number`);
  return n;
}

/** Bytes as MiB with one decimal, for table cells. */
export const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);

/** Colour and style codes (SGR escape sequences), which take no room on the screen. */
const SGR = /\x1b\[[0-9;]*m/g;

/** How many columns a cell takes on the screen: its length without colour codes. */
const visibleLength = (cell: string): number => (cell.includes('\x1b') ? cell.replace(SGR, '').length : cell.length);

/** Lines of aligned columns two spaces apart: `right` columns (numbers) padded on the left, the others on the right (the last not at all). */
export function alignedLines(header: string[], rows: string[][], right: boolean[]): string[] {
  const widths = header.map(visibleLength);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, visibleLength(r[i]!));
  const pad = (c: string, i: number): string => ' '.repeat(widths[i]! - visibleLength(c));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (right[i] ? pad(c, i) + c : i === cells.length - 1 ? c : c + pad(c, i)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A table as one string (see alignedLines). */
export const table = (header: string[], rows: string[][], right: boolean[]): string => alignedLines(header, rows, right).join('\n');

export const sleep = (seconds: number): Promise<void> => new Promise((r) => setTimeout(r, seconds * 1000));
