/**
 * Every spec against this machine's live /proc: the file parses, leaves no
 * key or token the spec does not name, and agrees with another source.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ProcFs, registry } from '../runtime/index.js';
import { resolvePath } from '../runtime/paths.js';

const fs = new ProcFs();

/** Paths of `extra` / `extraTokens` left in a parsed value (others-records are expected content). */
function leftovers(v: unknown, path = '$'): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leftovers(x, `${path}[${i}]`));
  if (v === null || typeof v !== 'object') return [];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (k === 'extra' || k === 'extraTokens') out.push(`${path}.${k} = ${JSON.stringify(x, (_k, y: unknown) => (typeof y === 'bigint' ? String(y) : y))}`);
    else out.push(...leftovers(x, `${path}.${k}`));
  }
  return out;
}

const liveParams: Record<string, Record<string, string>> = { 'proc/pressure': { resource: 'cpu' } };

describe('live /proc of this machine', () => {
  for (const e of registry) {
    const file = resolvePath(e.model, '/proc', liveParams[e.id] ?? {});
    it.skipIf(!existsSync(file))(`${e.id} parses ${file} with nothing left over`, () => {
      const v = fs.read(e.id as never, liveParams[e.id]);
      expect(leftovers(v)).toEqual([]);
    });
  }

  it('meminfo total equals os.totalmem()', () => {
    expect(fs.read('proc/meminfo').memTotal).toBe(os.totalmem());
  });

  it('pid/stat of this process names this pid and its parent', () => {
    const s = fs.read('proc/pid/stat', { pid: process.pid });
    expect(s.pid).toBe(process.pid);
    expect(s.ppid).toBe(process.ppid);
    expect(s.comm.length).toBeGreaterThan(0);
    expect(s.numThreads).toBeGreaterThanOrEqual(1);
    expect(s.exitCode).toBe(0);
  });

  it('stat has one cpu line per CPU, and CPU time adds up', () => {
    const s = fs.read('proc/stat');
    expect(s.cpus.length).toBe(os.cpus().length);
    expect(s.cpus.map((c) => c.cpu)).toEqual(os.cpus().map((_c, i) => i));
    const sumUser = s.cpus.reduce((a, c) => a + c.user, 0);
    expect(Math.abs(sumUser - s.cpu.user)).toBeLessThan(0.05 * s.cpus.length + 1);
    expect(Math.abs(s.btime - (Date.now() / 1000 - os.uptime()))).toBeLessThan(5);
  });

  it('interrupts has a count column per online CPU, and softirqs one per possible CPU', () => {
    const irq = fs.read('proc/interrupts');
    expect(irq.cpus).toEqual(os.cpus().map((_c, i) => i));
    const timer = irq.rows.find((r) => r.irq === 'LOC' || r.irq === '0');
    expect(timer?.counts.length).toBe(os.cpus().length);
    const soft = fs.read('proc/softirqs');
    expect(soft.rows.map((r) => r.type)).toContain('TIMER');
    expect(soft.rows.every((r) => r.counts.length === soft.cpus.length)).toBe(true);
  });

  it('cmdline and environ of this process match what Node was given', () => {
    const args = fs.read('proc/pid/cmdline', { pid: process.pid });
    expect(args[0]).toBe(process.argv0);
    expect(args.length).toBeGreaterThan(1);
    const env = fs.read('proc/pid/environ', { pid: process.pid });
    const home = env.find((v) => v.name === 'HOME');
    if (process.env.HOME !== undefined && home) expect(home.value).toBe(process.env.HOME);
    expect(env.length).toBeGreaterThan(0);
  });

  it('mountinfo has the root mount, and limits agree with the open-files limit the shell reports', () => {
    const mounts = fs.read('proc/pid/mountinfo', { pid: process.pid });
    expect(mounts.some((m) => m.mountPoint === '/')).toBe(true);
    expect(mounts.every((m) => m.mountOptions[0] === 'rw' || m.mountOptions[0] === 'ro')).toBe(true);
    const limits = fs.read('proc/pid/limits', { pid: process.pid });
    expect(limits.map((l) => l.limit)).toContain('Max open files');
    const files = limits.find((l) => l.limit === 'Max open files')!;
    const shell = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    expect(String(files.soft)).toBe(shell === 'unlimited' ? 'unlimited' : shell);
  });

  it('smaps of this process adds up to smaps_rollup', () => {
    const maps = fs.read('proc/pid/smaps', { pid: process.pid });
    const [rollup] = fs.read('proc/pid/smaps_rollup', { pid: process.pid });
    const rss = maps.reduce((a, m) => a + m.rss, 0);
    // The process keeps running between the two reads: allow a little drift.
    expect(Math.abs(rss - rollup!.rss) / rollup!.rss).toBeLessThan(0.05);
    expect(maps.every((m) => m.start < m.end)).toBe(true);
  });

  it('loadavg agrees with os.loadavg()', () => {
    const l = fs.read('proc/loadavg');
    const [a] = os.loadavg();
    expect(Math.abs(l.load1 - a!)).toBeLessThan(1);
  });
});
