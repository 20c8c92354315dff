/** A problem in a spec file, located at the YAML line and key where it is. */
export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${key === '' ? '(top level)' : key}: ${problem}`);
    this.name = 'SpecError';
  }
}
