/**
 * The statusCounters group's reading of /proc/PID/status (runtime/processes/
 * internal/status-pick.ts): the same values as the full parser on every live
 * process and on the status fixtures of other kernels, the same error on a
 * wanted line that does not fit, and 4 lines read where the full parser reads
 * them all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProcPidStatus } from '../../generated/parsers/proc/pid/status.js';
import { DEFAULT_CONTEXT, type ReadContext } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { pickStatusCounters, pickWork } from '../../runtime/processes/internal/status-pick.js';
import { ProcFs } from '../../runtime/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/proc/pid/status');
const ctx = (file: string, bigint = false): ReadContext => ({ ...DEFAULT_CONTEXT, file, bigint });

/** The four values of the full parse, absent keys left out as the pick leaves them out. */
function full(text: string | Uint8Array, c: ReadContext): Record<string, unknown> {
  const s = parseProcPidStatus(text, c);
  const o: Record<string, unknown> = { uid: s.uid };
  if (s.vmSwap !== undefined) o.vmSwap = s.vmSwap;
  if (s.voluntaryCtxtSwitches !== undefined) o.voluntaryCtxtSwitches = s.voluntaryCtxtSwitches;
  if (s.nonvoluntaryCtxtSwitches !== undefined) o.nonvoluntaryCtxtSwitches = s.nonvoluntaryCtxtSwitches;
  return o;
}

describe('statusCounters: status read for uid, swap and context switches only', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));

  it.each(fixtures)('gives the full parser values for fixture %s, in both modes', (f) => {
    const bytes = readFileSync(join(FIXTURES, f));
    for (const big of [false, true]) {
      expect(pickStatusCounters(bytes, ctx(f, big))).toEqual(full(bytes, ctx(f, big)));
      expect(pickStatusCounters(bytes.toString('utf8'), ctx(f, big))).toEqual(full(bytes, ctx(f, big)));
    }
  });

  it('reads only the wanted lines: 4 of a user process status, 3 of a kernel thread status (no VmSwap)', () => {
    const user = readFileSync(join(FIXTURES, 'written-3.10-x86_64.txt'));
    const thread = readFileSync(join(FIXTURES, 'written-6.1-x86_64-kernel-thread.txt'));
    expect(user.toString().split('\n').length).toBeGreaterThan(40);
    let before = pickWork.lines;
    const u = pickStatusCounters(user, ctx('user'));
    expect(pickWork.lines - before).toBe(4);
    expect(u.vmSwap).toBeDefined();
    before = pickWork.lines;
    const k = pickStatusCounters(thread, ctx('thread'));
    expect(pickWork.lines - before).toBe(3);
    expect(k.vmSwap).toBeUndefined();
    expect(k.voluntaryCtxtSwitches).toBeDefined();
  });

  it('gives the full parser values on every live process', () => {
    let compared = 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let bytes: Buffer;
      try {
        bytes = readFileSync(`/proc/${name}/status`);
      } catch {
        continue; // ended since the listing
      }
      const c = ctx(`/proc/${name}/status`);
      expect(pickStatusCounters(bytes, c), name).toEqual(full(bytes, c));
      compared++;
    }
    expect(compared).toBeGreaterThan(5);
  });

  it('finds keys printed in another order, and leaves out keys a kernel does not print', () => {
    const text =
      'Name:\tx\nState:\tS (sleeping)\nTgid:\t1\nPid:\t1\nPPid:\t0\nTracerPid:\t0\nnonvoluntary_ctxt_switches:\t7\nUid:\t5\t6\t7\t8\nGid:\t0\t0\t0\t0\nGroups:\t\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nVmSwap:\t    12 kB\n';
    expect(pickStatusCounters(text, ctx('t'))).toEqual({ uid: { real: 5, effective: 6, saved: 7, fs: 8 }, vmSwap: 12288, nonvoluntaryCtxtSwitches: 7 });
    expect(pickStatusCounters(text, ctx('t'))).toEqual(full(text, ctx('t')));
  });

  it('reports a wanted line that does not fit as the full parser does (file, line, column)', () => {
    const bytes = readFileSync(join(FIXTURES, 'written-3.10-x86_64.txt'))
      .toString()
      .replace(/^VmSwap:.*$/m, 'VmSwap:\t 12 MB');
    const err = (f: () => unknown): ProcfsError => {
      try {
        f();
      } catch (e) {
        return e as ProcfsError;
      }
      throw new Error('no error');
    };
    const a = err(() => pickStatusCounters(bytes, ctx('/proc/9/status')));
    const b = err(() => parseProcPidStatus(bytes, ctx('/proc/9/status')));
    expect(a).toBeInstanceOf(ProcfsError);
    expect(a.code).toBe('parse');
    expect(a.message).toBe(b.message);
    expect(a.message).toContain('/proc/9/status');
  });

  it('fills the statusCounters group of a listing with the values of the status group', () => {
    const fs = new ProcFs();
    const { rows } = fs.processes({ groups: ['statusCounters', 'status'], select: { pid: process.pid } });
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r.statusCounters?.uid).toEqual(r.status?.uid);
    expect(r.statusCounters?.vmSwap).toBe(r.status?.vmSwap);
    expect(r.statusCounters?.uid.effective).toBe(process.geteuid?.());
  });
});
