/**
 * Reading and parsing a long file at once: the native module of
 * native/stream.c reads the file on a thread of its own while this thread
 * parses it a piece at a time (runtime/core/pieces.ts), so that a file of
 * megabytes (smaps of a large process, net/tcp of a busy server) takes about
 * as long as its read. A file shorter than HAND_OVER_BYTES is read and
 * parsed whole, as by readViewSync and the parser. The async counterpart
 * reads in libuv's thread pool (through the same module, or node:fs
 * without it) while the pieces of the read before are parsed.
 */
import { promises as fsp } from 'node:fs';
import { constants } from 'node:os';
import type { ReadContext } from '../core/context.js';
import { ioError } from '../core/errors.js';
import { errnoError, loadOptionalModule } from './native.js';
import { PieceParser, type Pieces } from '../core/pieces.js';
import { grow, MAX_RETAINED_BUFFER_BYTES } from './read.js';

interface StreamModule {
  start(file: string | number, buf: Buffer, threshold: number, state: Float64Array): number;
  wait(target: number, state: Float64Array): number;
  resume(buf: Buffer, state: Float64Array): number;
  stop(): void;
  readAsync(fd: number, buf: Buffer, at: number, want: number, done: (errno: number | null, bytes: number, end: boolean) => void): void;
}

// The reader's state codes: 0 while it runs, then END or FULL.
const END = 1;
const FULL = 2;
const EBUSY = constants.errno.EBUSY;

/** Bytes read on the calling thread before the reading thread takes over; a shorter file is read and parsed whole. */
const HAND_OVER_BYTES = 64 * 1024;

/** Bytes a piece holds at least (the last one excepted): each piece costs a Scan and a string of its text. */
const PIECE_BYTES = 64 * 1024;

const stream = loadOptionalModule<StreamModule>('stream');

/** Whether long files are read on a thread of their own while being parsed. */
export const streamedReads = stream !== undefined;

let retained: Buffer = Buffer.allocUnsafe(4 * HAND_OVER_BYTES);
const state = new Float64Array(2);

/** What the streamed reads of this process did (for tests and benchmarks): reads handed to the reading thread, pieces parsed, buffers grown. */
export const streamCounts = { handedOver: 0, pieces: 0, grown: 0 };

/**
 * Reads `file` (a path, or a kept descriptor read from offset 0) and parses
 * it with `pieces` (whole with `parse` when it is short). `path` names it in
 * errors. Returns undefined, having read nothing, when the reading thread is
 * not available (no native module, or a read of another worker thread under
 * way): the caller reads the file its own way. Throws ProcfsError when the
 * file cannot be read and when its text does not parse.
 */
export function readParsedSync(
  file: string | number,
  path: string,
  spec: string,
  pieces: Pieces<unknown>,
  parse: (text: Uint8Array, ctx: ReadContext) => unknown,
  ctx: ReadContext,
): unknown {
  if (stream === undefined) return undefined;
  let buf = retained;
  let status = stream.start(file, buf, HAND_OVER_BYTES, state);
  if (status === END) return parse(buf.subarray(0, state[0]!), ctx);
  if (status === -EBUSY) return undefined;
  if (status < 0) throw ioError(path, errnoError(-status, path));
  streamCounts.handedOver++;
  const parser = new PieceParser(pieces, spec, ctx);
  try {
    for (;;) {
      const have = state[0]!;
      status = state[1]!;
      if (status < 0) throw ioError(path, errnoError(-status, path));
      parser.feed(buf, have, status === END);
      if (status === END) break;
      if (status === FULL) {
        streamCounts.grown++;
        // The largest buffer within the limit is kept for the next read, which then grows at most once more.
        if (buf.length <= MAX_RETAINED_BUFFER_BYTES) retained = buf;
        buf = grow(buf, have);
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

/**
 * Bytes gathered by each read of readParsedAsync after the first (which
 * asks for HAND_OVER_BYTES, all of most files): one read at a time can be
 * under way on a file, so larger steps mean fewer trips through the pool
 * (smaps of 10,000 mappings: 54 ms in steps of 128 KiB, 48 of 256, 45 of 512).
 */
const ASYNC_STEP = 512 * 1024;

/** Reads into buf from `at`: [bytes read, whether the end of the file came]. */
type ReadInto = (buf: Buffer, at: number, want: number) => Promise<[number, boolean]>;

/**
 * readParsedSync without blocking the event loop: the file is read in
 * libuv's thread pool ASYNC_STEP bytes at a time (with the native module,
 * one trip through the pool for many of the page-sized reads procfs answers
 * with), and while one read runs the records that have arrived are parsed.
 * Rejects with ProcfsError as readParsedSync throws.
 */
export async function readParsedAsync(path: string, spec: string, pieces: Pieces<unknown>, ctx: ReadContext): Promise<unknown> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, 'r');
  } catch (err) {
    throw ioError(path, err);
  }
  const fd = handle.fd;
  const readInto: ReadInto =
    stream !== undefined
      ? (buf, at, want) =>
          new Promise((resolve, reject) =>
            stream.readAsync(fd, buf, at, want, (errno, n, end) => (errno === null ? resolve([n, end]) : reject(errnoError(errno, path)))),
          )
      : async (buf, at, want) => {
          const { bytesRead } = await handle.read(buf, at, want, null);
          return [bytesRead, bytesRead === 0];
        };
  const parser = new PieceParser(pieces, spec, ctx);
  let buf: Buffer = Buffer.allocUnsafe(HAND_OVER_BYTES);
  let have = 0;
  let pending: Promise<[number, boolean]> | undefined = readInto(buf, 0, HAND_OVER_BYTES);
  try {
    for (;;) {
      let got: [number, boolean];
      try {
        got = await pending;
      } catch (err) {
        throw ioError(path, err);
      } finally {
        pending = undefined;
      }
      have += got[0];
      if (got[1]) break;
      while (buf.length - have < ASYNC_STEP) buf = grow(buf, have);
      // The next read fills the buffer after `have` while the records before it are parsed.
      pending = readInto(buf, have, ASYNC_STEP);
      if (have - parser.parsed >= PIECE_BYTES) parser.feed(buf, have, false);
    }
    parser.feed(buf, have, true);
  } finally {
    // A parse error leaves a read under way: it must end before the file is closed.
    if (pending !== undefined) await pending.catch(() => undefined);
    await handle.close().catch(() => undefined);
  }
  return parser.done();
}
