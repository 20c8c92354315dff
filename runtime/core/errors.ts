/**
 * The one error class of procspec's runtime. Every failure a caller can see is
 * a ProcfsError with a code; parse errors also carry the file, line, column,
 * what was expected and what was found.
 */
export type ProcfsErrorCode =
  /** The file or process does not exist (ENOENT, ESRCH: a process that ended). */
  | 'not_found'
  /** The caller may not read it (EACCES, EPERM). */
  | 'permission'
  /** The text does not have the shape the spec describes. */
  | 'parse'
  /** The kernel does not offer it here (EOPNOTSUPP, EINVAL on read, a disabled feature). */
  | 'unsupported'
  /** Any other I/O failure, with the system error code in `errno`. */
  | 'io';

export interface ParseLocation {
  /** Path of the file (or a label such as `<text>` when parsing a string). */
  file: string;
  /** 1-based line number. */
  line: number;
  /** 1-based column number. */
  column: number;
  /** What the parser expected at that place. */
  expected: string;
  /** The text found there (cut to a readable length). */
  found: string;
}

export class ProcfsError extends Error {
  readonly code: ProcfsErrorCode;
  readonly file: string | undefined;
  readonly spec: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly expected: string | undefined;
  readonly found: string | undefined;
  readonly errno: string | undefined;

  constructor(
    code: ProcfsErrorCode,
    message: string,
    details: {
      file?: string;
      spec?: string;
      line?: number;
      column?: number;
      expected?: string;
      found?: string;
      errno?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProcfsError';
    this.code = code;
    this.file = details.file;
    this.spec = details.spec;
    this.line = details.line;
    this.column = details.column;
    this.expected = details.expected;
    this.found = details.found;
    this.errno = details.errno;
  }
}

/** Builds the parse error for a place in a file. */
export function parseError(loc: ParseLocation, spec?: string): ProcfsError {
  const found = loc.found.length > 40 ? `${loc.found.slice(0, 40)}…` : loc.found;
  return new ProcfsError(
    'parse',
    `${loc.file}:${loc.line}:${loc.column}: expected ${loc.expected}, found ${found === '' ? 'end of line' : JSON.stringify(found)}`,
    { ...loc, found, spec },
  );
}

/** Maps a Node.js system error from reading `file` to a ProcfsError. */
export function ioError(file: string, err: unknown): ProcfsError {
  const errno = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'UNKNOWN';
  const reason = err instanceof Error ? err.message : String(err);
  switch (errno) {
    case 'ENOENT':
    case 'ESRCH':
    case 'ENOTDIR':
      return new ProcfsError('not_found', `${file}: not found (${errno})`, { file, errno, cause: err });
    case 'EACCES':
    case 'EPERM':
      return new ProcfsError('permission', `${file}: permission denied (${errno})`, { file, errno, cause: err });
    case 'EOPNOTSUPP':
    case 'ENOTSUP':
    case 'EINVAL':
    case 'ENODEV':
      return new ProcfsError('unsupported', `${file}: not supported by this kernel (${errno})`, { file, errno, cause: err });
    default:
      return new ProcfsError('io', `${file}: ${reason}`, { file, errno, cause: err });
  }
}

/**
 * What a missing file means: when its folder is there (/proc, /proc/<pid>,
 * a cgroup), this kernel does not offer the file (no CONFIG_SCHEDSTATS, a
 * module not loaded, pressure turned off for a cgroup): `unsupported`. With
 * the folder gone too, the process or cgroup is gone: `not_found` as it was.
 */
export function absent(err: unknown, folderExists: boolean): unknown {
  if (!(err instanceof ProcfsError) || err.code !== 'not_found' || err.errno !== 'ENOENT' || !folderExists || err.file === undefined) return err;
  return new ProcfsError('unsupported', `${err.file}: not offered by this kernel (ENOENT, though its folder exists)`, {
    file: err.file,
    errno: 'ENOENT',
    cause: err,
  });
}
