/** A problem in a spec file, located at the YAML line, column and key where it is. */
export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly key: string,
    readonly problem: string,
    /** 1-based; 0 when only the line is known. */
    readonly column = 0,
  ) {
    super(`${file}:${line}${column > 0 ? `:${column}` : ''}: ${key === '' ? '(top level)' : key}: ${problem}`);
    this.name = 'SpecError';
  }
}
