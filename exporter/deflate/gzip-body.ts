/**
 * A scrape's body gzipped (RFC 1952) by this module's own deflate: the
 * constant pieces' matching is done once and kept (tokens.ts), and so are
 * their bits while the Huffman codes stay, so a body costs its printing,
 * the bits of its values, the kept bits of its pieces and a CRC-32. The
 * body it unpacks to is exactly renderBytes's.
 */
import { crc32 } from 'node:zlib';
import { type Exposition, type Format, pieceLog, renderView } from '../exposition.js';
import { BitWriter } from './bits.js';
import { Codes, SymbolCounts } from './block.js';
import { BodyPlan } from './plan.js';
import { BodyTokens } from './tokens.js';

/** gzip's member header: magic, deflate, no flags, no time, no extra flags, OS Unix. */
const HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];

/** Bodies written with one set of codes before they are made again from a body's own counts (values drift). */
export const CODES_KEPT_FOR = 64;

/** What one format keeps between bodies: its pieces' tokens, and the codes of its recent bodies. */
class FormatState {
  readonly tokens: BodyTokens;
  codes: Codes | undefined;
  /** Which codes the pieces' kept bits were written with. */
  gen = 0;
  /** Bodies written with the current codes. */
  uses = 0;
  readonly plan = new BodyPlan();
  /** The work of the last body. */
  work = { matchedBytes: 0, keptPieces: 0, encodedPieces: 0 };

  constructor(slot: number) {
    this.tokens = new BodyTokens(slot);
  }
}

/** A state per format (text, OpenMetrics 1.0.0, 0.0.1): heads differ between them, line starts are shared. */
const states = [new FormatState(0), new FormatState(1), new FormatState(2)];
const log = pieceLog();
const counts = new SymbolCounts();
let writer = new BitWriter(64 * 1024);

/** Bytes of output buffer kept after a body: a larger one (a body of megabytes) is let go. */
const MAX_KEPT = 4 * 1024 * 1024;

/** The work of the last body of a format (tests count it: the constant pieces are matched once). */
export function lastWork(format: Format): { matchedBytes: number; keptPieces: number; encodedPieces: number } {
  return stateOf(format).work;
}

function stateOf(format: Format): FormatState {
  return states[format.kind === 'text' ? 0 : format.version === '1.0.0' ? 1 : 2]!;
}

/** A body gzipped: `families` printed in `format`, as renderBytes prints them, and compressed (a gzip member). */
export function gzipBody(families: Exposition, format: Format): Buffer {
  // Read here only, before anything else is printed: the printed body is not copied out.
  const plain = renderView(families, format, log);
  const state = stateOf(format);
  const w = writer;
  w.reset();
  for (const b of HEADER) w.bits(b, 8);
  if (state.codes !== undefined && state.uses < CODES_KEPT_FOR && state.plan.fits(log, state.gen)) {
    // The same pieces as the last body: written from the plan.
    w.append(state.codes.header);
    state.plan.write(plain, log, w, state.codes);
    state.work = { matchedBytes: 0, keptPieces: log.count - state.plan.remade, encodedPieces: state.plan.remade };
  } else {
    const missing = state.tokens.start(log);
    if (missing || state.codes === undefined || state.uses >= CODES_KEPT_FOR) {
      // New codes from this body's own counts: its tokens are found and counted first.
      counts.clear();
      state.tokens.find(plain, log, counts, missing);
      const codes = new Codes(counts);
      state.codes = codes;
      state.gen++;
      state.uses = 0;
      state.plan.drop();
      w.append(codes.header);
      codes.tokens(w, state.tokens.tokens, state.tokens.count);
    } else {
      w.append(state.codes.header);
      state.tokens.write(plain, log, w, state.codes, state.gen);
      state.plan.build(log, state.tokens.codes, state.gen);
    }
    state.work = { ...state.tokens.work };
  }
  state.uses++;
  state.codes.end(w);
  w.flush();
  const out = Buffer.allocUnsafe(w.at + 8);
  out.set(w.buf.subarray(0, w.at));
  out.writeUInt32LE(crc32(plain) >>> 0, w.at);
  out.writeUInt32LE(plain.length >>> 0, w.at + 4);
  if (w.buf.length > MAX_KEPT) writer = new BitWriter(64 * 1024);
  // The log does not hold pieces past the body (runs of a template printing has dropped may then be collected).
  log.pieces = [];
  return out;
}
