/**
 * A few keys of /proc/PID/status read without parsing the rest: the line of
 * each wanted key is found by a search of the text (V8's indexOf, native)
 * and only that line is read, with the same scanner calls as the generated
 * parser (parseProcPidStatus), so the values are the same. Status has about
 * 55 lines; a process table that wants the effective uid, swap and context
 * switches reads 4 of them. Private to the listing (the statusCounters
 * group).
 */
import { parseProcPidStatus } from '../../../generated/parsers/proc/pid/status.js';
import type { ProcPidStatus, ProcPidStatusUid } from '../../../generated/types/proc/pid/status.js';
import type { FileText } from '../../core/bytes.js';
import type { ReadContext } from '../../core/context.js';
import { Scan } from '../../core/scan.js';

/** The keys of status the statusCounters group reads; the other keys are stepped over unread. */
export type StatusCounters<N extends number | bigint = number> = Pick<
  ProcPidStatus<N>,
  'uid' | 'vmSwap' | 'voluntaryCtxtSwitches' | 'nonvoluntaryCtxtSwitches'
>;

/** Work done by pickStatusCounters since the program started, for tests: lines read (a line stepped over is not read). */
export const pickWork = { lines: 0 };

/**
 * Puts `s` on the line of `key` (followed by a colon) at or after byte `from`,
 * else anywhere in the text; returns the line's start, or -1 when the text
 * has no such line. Keys are searched as "\nKey:", the first line apart: a
 * value never holds a raw newline (status escapes it in Name).
 */
function seek(s: Scan, key: string, from: number): number {
  const t = s.text;
  const needle = `\n${key}:`;
  let at: number;
  if (t.startsWith(`${key}:`)) at = 0;
  else {
    let i = t.indexOf(needle, from > 0 ? from - 1 : 0);
    if (i < 0 && from > 0) i = t.indexOf(needle);
    if (i < 0) return -1;
    at = i + 1;
  }
  s.nl = at;
  s.nextLine(s.end);
  s.pos = at + key.length + 1;
  pickWork.lines++;
  return at;
}

/** Reads a status key's plain number line (`factor` and `suffix` as the spec gives them), or undefined when the key is absent. */
function lineNumber(s: Scan, key: string, from: number, factor: number, suffix: string): number | bigint | undefined {
  return seek(s, key, from) < 0 ? undefined : s.uLineW(factor, suffix);
}

/** The Uid line: real, effective, saved and filesystem uid, then any tokens a later kernel adds (as record1 of the generated parser). */
function uidLine(s: Scan): ProcPidStatusUid {
  s.ws();
  const real = s.tokU();
  const effective = s.tokU();
  const saved = s.tokU();
  const fs = s.tokU();
  const extraTokens = s.more() ? s.restTokens() : undefined;
  const o: ProcPidStatusUid = { real, effective, saved, fs };
  if (extraTokens !== undefined) o.extraTokens = extraTokens;
  return o;
}

/**
 * The effective uid, swap and context switches of a status text, as
 * parseProcPidStatus gives them (wide values bigints when `ctx.bigint`). The
 * other lines are not checked: a text the full parser would reject for them
 * passes. When a wanted line does not fit, or Uid is missing, the whole text
 * is parsed so that the error names its line and column exactly.
 */
export function pickStatusCounters(text: FileText, ctx: ReadContext): StatusCounters<number | bigint> {
  const s = new Scan(text, ctx.file, 'proc/pid/status', ctx.bigint === true);
  try {
    // Uid is required: without it the full parse reports the missing key. Line numbers are not counted here: errors are the full parse's.
    if (seek(s, 'Uid', 0) < 0) throw new Error('no Uid line');
    const uid = uidLine(s);
    const after = s.nl;
    const vmSwap = lineNumber(s, 'VmSwap', after, 1024, 'kB');
    const from = vmSwap === undefined ? after : s.nl;
    const voluntary = lineNumber(s, 'voluntary_ctxt_switches', from, 1, '');
    const nonvoluntary = lineNumber(s, 'nonvoluntary_ctxt_switches', voluntary === undefined ? from : s.nl, 1, '');
    const o: StatusCounters<number | bigint> = { uid };
    if (vmSwap !== undefined) o.vmSwap = vmSwap;
    if (voluntary !== undefined) o.voluntaryCtxtSwitches = voluntary;
    if (nonvoluntary !== undefined) o.nonvoluntaryCtxtSwitches = nonvoluntary;
    return o;
  } catch {
    const full = parseProcPidStatus(text, ctx);
    const o: StatusCounters<number | bigint> = { uid: full.uid };
    if (full.vmSwap !== undefined) o.vmSwap = full.vmSwap;
    if (full.voluntaryCtxtSwitches !== undefined) o.voluntaryCtxtSwitches = full.voluntaryCtxtSwitches;
    if (full.nonvoluntaryCtxtSwitches !== undefined) o.nonvoluntaryCtxtSwitches = full.nonvoluntaryCtxtSwitches;
    return o;
  }
}
