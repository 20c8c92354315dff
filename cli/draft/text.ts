/**
 * The sample as lines and tokens, the way the generated parsers see it:
 * lines split at newlines (the final newline ends the last line), tokens
 * separated by white space, a blank line one that holds only white space.
 */

/** Why a sample is not text a spec can describe, or undefined when it is. */
export function notTextReason(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return 'the sample is empty';
  if (bytes.includes(0)) return 'the sample holds NUL bytes (binary data, or NUL-separated items, which this command does not draft)';
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD'))) return 'the sample is not valid UTF-8 text';
  // Tab and newline are the only control characters /proc text holds (a carriage return would be part of a token).
  const control = /[\x01-\x08\x0B-\x1F\x7F]/.exec(text);
  if (control) return `the sample holds the control character 0x${control[0].charCodeAt(0).toString(16).padStart(2, '0')} (binary data)`;
  if (text.trim() === '') return 'the sample holds only white space';
  return undefined;
}

/** The lines of a text; the newline that ends the last line does not start another. */
export function linesOf(text: string): string[] {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body.split('\n');
}

/** True when a line holds only white space, spaces and tabs (the parsers skip such lines in keyed and table layouts). */
export function isBlank(line: string): boolean {
  return /^[ \t]*$/.test(line);
}

/** A line without the spaces and tabs at its ends. */
export function trimmed(line: string): string {
  return line.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** The tokens of a line, separated by spaces and tabs as the parsers separate them. */
export function tokensOf(line: string): string[] {
  return line.split(/[ \t]+/).filter((t) => t.length > 0);
}

/**
 * Groups of lines separated by one or more blank lines, blank lines at
 * either end of the text dropped: the blocks of a cpuinfo-like file.
 */
export function blankSeparatedGroups(lines: readonly string[]): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (isBlank(line)) {
      if (current.length > 0) groups.push(current);
      current = [];
    } else current.push(line);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
