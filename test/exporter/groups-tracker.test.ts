/**
 * The tracker on made-up observations: a pid seen again with another start
 * time is a new process (what the old one counted stays, the new one adds
 * only its growth after it is first seen), counters that go back add
 * nothing, a process no rule matched is matched once, and groups come and go.
 */
import { describe, expect, it } from 'vitest';
import { COUNTERS, GroupTracker, type Observation } from '../../exporter/groups/tracker.js';

const obs = (pid: number, startTicks: number, user: number, comm = 'a'): Observation => ({
  pid,
  startTicks,
  comm,
  uid: 0,
  counters: COUNTERS.map((_c, i) => (i === 0 ? user : i === 4 ? undefined : 0)),
  threads: 1,
  rss: 4096,
  vsize: 8192,
  swap: 0,
});

describe('the group tracker', () => {
  it('a reused pid is a new member; counters sum the growth of each incarnation', () => {
    const asked: number[] = [];
    const t = new GroupTracker(
      (o) => {
        asked.push(o.pid);
        return o.comm === 'a' ? 'g' : undefined;
      },
      { removeEmptyAfterMs: 1000, now: () => 0 },
    );
    t.update([obs(10, 100, 50), obs(11, 100, 7, 'b')]);
    expect(t.groups.get('g')!.totals[0]).toBe(0n);
    t.update([obs(10, 100, 80), obs(11, 100, 9, 'b')]);
    expect(t.groups.get('g')!.totals[0]).toBe(30n);
    // pid 10 now another process (later start), with less CPU than the old one had: nothing is subtracted, nothing of its past added.
    t.update([obs(10, 900, 5), obs(11, 100, 12, 'b')]);
    expect(t.groups.get('g')!.totals[0]).toBe(30n);
    t.update([obs(10, 900, 9), obs(11, 100, 20, 'b')]);
    expect(t.groups.get('g')!.totals[0]).toBe(34n);
    // A process no rule matched is asked about once per incarnation.
    expect(asked).toEqual([10, 11, 10]);
    expect(t.groups.get('g')!.procs).toBe(1);
    // An unreadable counter (io here) adds nothing and counts no member as having it.
    expect(t.groups.get('g')!.totals[4]).toBe(0n);
    expect(t.groups.get('g')!.ioMissing).toBe(1);
  });

  it('an empty group is kept for the set time, then dropped; a member coming back starts it afresh', () => {
    let now = 0;
    const t = new GroupTracker(() => 'g', { removeEmptyAfterMs: 1000, now: () => now });
    t.update([obs(1, 1, 0)]);
    t.update([obs(1, 1, 40)]);
    now = 10;
    t.update([]);
    expect(t.groups.get('g')!.procs).toBe(0);
    expect(t.groups.get('g')!.totals[0]).toBe(40n);
    now = 1009;
    t.update([]);
    expect(t.groups.has('g')).toBe(true);
    now = 1010;
    t.update([]);
    expect(t.groups.has('g')).toBe(false);
    t.update([obs(2, 5, 70)]);
    expect(t.groups.get('g')!.totals[0]).toBe(0n);
    expect(t.known).toBe(1);
  });
});
