/**
 * Every spec against this machine's live /proc: the file parses, leaves no
 * key or token the spec does not name, and agrees with another source.
 */
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

  it('loadavg agrees with os.loadavg()', () => {
    const l = fs.read('proc/loadavg');
    const [a] = os.loadavg();
    expect(Math.abs(l.load1 - a!)).toBeLessThan(1);
  });
});
