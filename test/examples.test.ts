/** The programs in examples/, run as their readers run them (through tsx), with small arguments. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const run = (name: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'examples', name), ...args], { cwd: repo, encoding: 'utf8', timeout: 30_000 });

describe('examples', () => {
  it('memory-watch prints one line per sample with available memory and pressure', () => {
    const r = run('memory-watch.ts', '2');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const total = (os.totalmem() / 2 ** 30).toFixed(2);
    for (const line of lines)
      expect(line).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  available \\d+\\.\\d\\d GiB of ${total} GiB \\(\\d+\\.\\d%\\)  pressure (some|not available)`));
    expect(run('memory-watch.ts', 'many').status).toBe(2);
  });

  it('top lists at most 10 processes per sample, busiest first', () => {
    const r = run('top.ts', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\d+ processes \(\d+ new, \d+ ended\) {2}load [\d.]+ [\d.]+ [\d.]+ {2}\d+ files kept open/);
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\.\d\s+\d+\.\d\s+\w+\s+\d+\.\d\d\s+\S/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(10);
    const cpu = rows.map((l) => Number(l.trim().split(/\s+/)[1]));
    expect(cpu).toEqual([...cpu].sort((a, b) => b - a));
  });

  it('captured-tree reads a saved copy with the units given, and removes its temporary folder', () => {
    const r = run('captured-tree.ts');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const folder = /^captured into (\S+)$/m.exec(r.stdout)![1]!;
    expect(existsSync(folder)).toBe(false);
    expect(r.stdout).toContain(`meminfo  total ${(os.totalmem() / 2 ** 30).toFixed(2)} GiB`);
    expect(r.stdout).toMatch(/^\d+\/stat +node \(running\), rss (\d+\.\d) MiB/m);
    const rss = Number(/^\d+\/stat .* rss (\d+\.\d) MiB/m.exec(r.stdout)![1]);
    const arm = Number(/with 64 KiB pages: rss (\d+\.\d) MiB/.exec(r.stdout)![1]);
    expect(arm / rss).toBeCloseTo(16, 0);
  });

  it('captured-tree keeps the folder it is given, laid out as a procfs root', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'procspec-example-'));
    try {
      const r = run('captured-tree.ts', dir);
      expect(r.status).toBe(0);
      for (const f of ['meminfo', 'stat', 'loadavg', 'self/stat', 'self/status']) expect(existsSync(join(dir, f))).toBe(true);
      expect(readFileSync(join(dir, 'self', 'status'), 'utf8')).toMatch(/^Name:\tnode$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
