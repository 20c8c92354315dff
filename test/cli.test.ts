/** The procspec command, run as a user runs it (through tsx, on the sources). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo, runCliAsync } from './support/cli.js';

/** The command, spawned; the cases run side by side, so that their spawns keep both cores busy. */
const run = (...args: string[]) => runCliAsync(args);

describe.concurrent('procspec CLI', () => {
  it('parse /proc/meminfo prints byte-normalised JSON', async () => {
    const r = await run('parse', '/proc/meminfo');
    expect(r.status).toBe(0);
    const v = JSON.parse(r.stdout) as { memTotal: number };
    expect(v.memTotal).toBe(os.totalmem());
    const kb = Number(/MemTotal:\s+(\d+) kB/.exec(execFileSync('cat', ['/proc/meminfo'], { encoding: 'utf8' }))![1]);
    expect(v.memTotal).toBe(kb * 1024);
  });
  it('finds the spec of a saved copy from its path, and writes bigints as decimal strings', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'procspec-'));
    mkdirSync(join(dir, '1234'));
    writeFileSync(join(dir, '1234', 'stat'), execFileSync('cat', ['/proc/self/stat']));
    const r = await run('parse', join(dir, '1234', 'stat'));
    expect(r.status).toBe(0);
    const v = JSON.parse(r.stdout) as { comm: string; startcode: unknown };
    expect(v.comm).toBe('cat');
    expect(typeof v.startcode).toBe('string');
    expect(v.startcode).toMatch(/^[0-9]+$/);
  });
  it('reports a parse error with file, line and column, exit code 1', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'procspec-'));
    writeFileSync(join(dir, 'loadavg'), '0.1 0.2 oops 1/2 3\n');
    const r = await run('parse', join(dir, 'loadavg'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'loadavg')}:1:9: expected a decimal number, found "oops"`);
  });
  it('an unknown file names the nearest specs; bad usage exits 2', async () => {
    const r = await run('parse', '/tmp/no-such-kind-of-file');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no spec matches/);
    expect((await run('frobnicate')).status).toBe(2);
  });
  it('list shows the specs with their paths', async () => {
    const r = await run('list');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^proc\/meminfo\s+sampled\s+\/proc\/meminfo$/m);
  });

  // Root reads everything: the permission error is seen by the command after it drops to the user nobody.
  it.skipIf(process.getuid?.() !== 0)('a root-only file read as nobody is a permission error, not a parse error', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'test', 'support', 'as-nobody.ts'), 'parse', '/proc/slabinfo'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/proc\/slabinfo: permission denied/);
  });
});
