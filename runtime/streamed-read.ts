/**
 * Reading and parsing a long file at once: the native module of
 * native/stream.c reads the file on a thread of its own while this thread
 * parses it a piece at a time (runtime/pieces.ts), so that a file of
 * megabytes (smaps of a large process, net/tcp of a busy server) takes about
 * as long as its read. A file shorter than HAND_OVER_BYTES is read and
 * parsed whole, as by readViewSync and the parser.
 */
import type { ParseContext } from './context.js';
import { ioError } from './errors.js';
import { errnoError, loadNativeModule } from './native.js';
import { PieceParser, type Pieces } from './pieces.js';

interface StreamModule {
  start(file: string | number, buf: Buffer, threshold: number, state: Float64Array): number;
  wait(target: number, state: Float64Array): number;
  resume(buf: Buffer, state: Float64Array): number;
  stop(): void;
}

const RUNNING = 0;
const END = 1;
const FULL = 2;
const EBUSY = 16;

/** Bytes read on the calling thread before the reading thread takes over; a shorter file is read and parsed whole. */
const HAND_OVER_BYTES = 64 * 1024;

/** Bytes a piece holds at least (the last one excepted): each piece costs a Scan and a string of its text. */
const PIECE_BYTES = 64 * 1024;

/** Largest buffer kept for the next read (as read.ts's): a larger one is let go after its read. */
const MAX_RETAINED_BUFFER_BYTES = 4 * 1024 * 1024;

function load(): StreamModule | undefined {
  if (process.env.PROCSPEC_NATIVE === '0') return undefined;
  const m = loadNativeModule<StreamModule>('stream');
  return m instanceof Error ? undefined : m;
}

const stream = load();

/** Whether long files are read on a thread of their own while being parsed. */
export const streamedReads = stream !== undefined;

let retained = Buffer.allocUnsafe(4 * HAND_OVER_BYTES);
const state = new Float64Array(2);

/** What the streamed reads of this process did (for tests and benchmarks): reads handed to the reading thread, pieces parsed, buffers grown. */
export const streamCounts = { handedOver: 0, pieces: 0, grown: 0 };

/**
 * Reads `file` (a path, or a kept descriptor read from offset 0) and parses
 * it with `pieces` (whole with `parse` when it is short). `path` names it in
 * errors. Returns undefined, having read nothing, when the reading thread is
 * not available (no native module, or a read of another worker thread under
 * way), and for a kept descriptor whose read failed (the caller reads it its
 * own way); throws ProcfsError for a path that cannot be read and for text
 * that does not parse.
 */
export function readParsedSync(
  file: string | number,
  path: string,
  spec: string,
  pieces: Pieces<unknown>,
  parse: (text: Uint8Array, ctx: ParseContext) => unknown,
  ctx: ParseContext,
): unknown {
  if (stream === undefined) return undefined;
  let buf = retained;
  let status = stream.start(file, buf, HAND_OVER_BYTES, state);
  if (status === END) return parse(buf.subarray(0, state[0]!), ctx);
  if (status === -EBUSY) return undefined;
  if (status < 0) {
    if (typeof file === 'number') return undefined;
    throw ioError(path, errnoError(-status, path));
  }
  streamCounts.handedOver++;
  const parser = new PieceParser(pieces, spec, ctx);
  try {
    for (;;) {
      const have = state[0]!;
      status = state[1]!;
      if (status < 0) {
        if (typeof file === 'number') return undefined;
        throw ioError(path, errnoError(-status, path));
      }
      parser.feed(buf, have, status === END);
      if (status === END) break;
      if (status === FULL) {
        streamCounts.grown++;
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
        stream.resume(buf, state);
      } else {
        stream.wait(Math.max(have + 1, parser.parsed + PIECE_BYTES), state);
      }
    }
  } finally {
    streamCounts.pieces += parser.count;
    stream.stop();
    if (buf.length <= MAX_RETAINED_BUFFER_BYTES) retained = buf;
  }
  return parser.done();
}
