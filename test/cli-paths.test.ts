/**
 * `procspec parse` finds the spec of a live /sys path (cgroup files below the
 * cgroup2 mount, v1 controllers' files outside it, nothing for other /sys files), and keeps bytes that are not UTF-8.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesOf } from '../runtime/index.js';
import { CLI, repo, runCli } from './support/cli.js';

/** This machine's cgroup2 and cgroup v1 mount points, read from the mount table without procspec. */
const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
  .split('\n')
  .filter((l) => l.includes(' - '))
  .map((l) => ({ point: l.split(' ')[4]!, type: l.split(' - ')[1]!.split(' ')[0]! }));
const cgroup2 = mounts.find((m) => m.type === 'cgroup2')?.point;
const cpuV1 = mounts.find((m) => m.type === 'cgroup' && /(^|,)cpu(,|$)/.test(m.point.split('/').pop()!))?.point;

describe('procspec parse of /sys paths', () => {
  it.skipIf(cgroup2 === undefined)('parses cpu.stat of the cgroup2 root with its spec, wherever cgroup2 is mounted', () => {
    const r = runCli(['parse', `${cgroup2}/cpu.stat`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const v = JSON.parse(r.stdout) as { usage: number; user: number };
    expect(v.usage).toBeGreaterThan(0);
    expect(v.user).toBeGreaterThanOrEqual(0);
  });

  it('finds no spec for a /sys file none describes, rather than the sysctl spec', () => {
    // A file every kernel with CONFIG_PROFILING has, which no spec reads.
    const r = runCli(['parse', '/sys/kernel/profiling']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no spec matches \/sys\/kernel\/profiling/);
  });

  it.skipIf(cgroup2 === undefined || cpuV1 === undefined)('parses cpu.stat of a cgroup v1 cpu hierarchy with its v1 spec', () => {
    const r = runCli(['parse', `${cpuV1}/cpu.stat`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('nrThrottled');
  });

  it.skipIf(cgroup2 === undefined || cpuV1 === undefined)('says a cgroup v1 file no spec reads is outside the cgroup2 mount', () => {
    // Every v1 hierarchy has notify_on_release, which no spec reads.
    const r = runCli(['parse', `${cpuV1}/notify_on_release`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`outside the cgroup2 mount ${cgroup2}: a cgroup v1 file`);
    // Named from the folder it is in, it is the same file.
    // tsx is named by its file: the working folder is not the repository.
    const tsx = join(repo, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    const here = spawnSync(process.execPath, ['--import', tsx, join(repo, 'cli', 'run.ts'), 'parse', 'notify_on_release'], { cwd: cpuV1, encoding: 'utf8' });
    expect(here.status).toBe(1);
    expect(here.stderr).toContain('no spec matches notify_on_release (outside the cgroup2 mount');
  });
});

describe('procspec parse of bytes that are not UTF-8', () => {
  const args = [Buffer.from([0x2f, 0x62, 0x69, 0x6e, 0x2f, 0xff]), Buffer.from('café'), Buffer.from([0xed, 0xa0, 0x80])];
  const dir = mkdtempSync(join(tmpdir(), 'procspec-bytes-'));
  mkdirSync(join(dir, '4321'));
  writeFileSync(join(dir, '4321', 'cmdline'), Buffer.concat(args.flatMap((a) => [a, Buffer.of(0)])));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const parse = (...flags: string[]) => spawnSync(CLI[0], [...CLI.slice(1), 'parse', ...flags, join(dir, '4321', 'cmdline')], { cwd: repo });

  it('writes them in JSON as \\udcXX escapes, which read back give the bytes', () => {
    const r = parse();
    expect(r.status).toBe(0);
    const out = r.stdout.toString('utf8');
    expect(out).toContain('"/bin/\\udcff"');
    expect((JSON.parse(out) as string[]).map(bytesOf)).toEqual(args);
  });

  it('writes the bytes themselves in CSV', () => {
    const r = parse('--format', 'csv');
    expect(r.status).toBe(0);
    for (const a of args) expect(r.stdout.includes(a)).toBe(true);
  });
});
