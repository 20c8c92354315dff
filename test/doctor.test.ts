/**
 * `procspec doctor`: the native modules it finds (and from where) and the
 * features it tries, here as this process runs (root, the prebuilt binaries),
 * as a process without capabilities (setpriv), and with PROCSPEC_NATIVE=0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../cli/doctor.js';
import { NATIVE_MODULES, PREBUILT_TARGETS } from '../runtime/reading/native-load.js';
import { CLI, repo, runCli } from './support/cli.js';

const clean = { PROCSPEC_NATIVE: undefined as unknown as string };
const report = (r: { status: number | null; stdout: string; stderr: string }): DoctorReport => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DoctorReport;
};
const feature = (d: DoctorReport, prefix: string) => d.features.find((f) => f.name.startsWith(prefix))!;
const root = process.getuid?.() === 0;
const setpriv = spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;

describe('procspec doctor', () => {
  it('names each module and where it loaded from, and tries the features: a pressure trigger, the taskstats of itself', () => {
    const d = report(runCli(['doctor', '--json'], clean));
    expect(d.modules.map((m) => m.name)).toEqual([...NATIVE_MODULES]);
    if ((PREBUILT_TARGETS as readonly string[]).includes(d.target ?? '')) {
      for (const m of d.modules) expect(m).toMatchObject({ from: 'prebuilt', path: join(repo, 'prebuilds', d.target!, `${m.name}.node`) });
    }
    expect(feature(d, 'batched process reader')).toMatchObject({ available: true, detail: 'procread from the prebuilt binary' });
    const psi = feature(d, 'pressure triggers');
    if (existsSync('/proc/pressure')) expect(psi.available, psi.detail).toBe(true);
    else expect(psi).toMatchObject({ available: false, detail: expect.stringContaining('no /proc/pressure') });
    const ts = feature(d, 'taskstats');
    if (root) expect(ts.available, ts.detail).toBe(true);
    // The text form says the same.
    const text = runCli(['doctor'], clean);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^native modules$/m);
    expect(text.stdout).toMatch(/^ {2}procread +(prebuilt|build) +\//m);
  }, 60_000);

  it.runIf(root && setpriv)(
    'says taskstats is unavailable for want of CAP_NET_ADMIN in a process without capabilities',
    () => {
      // Root with an empty bounding set execs with no capabilities, and still reads a checkout only root may read
      // (a clone in a mktemp folder); another uid could not load the sources.
      const r = spawnSync('setpriv', ['--inh-caps=-all', '--bounding-set=-all', ...CLI, 'doctor', '--json'], {
        cwd: repo,
        encoding: 'utf8',
        env: { ...process.env, PROCSPEC_NATIVE: '' },
      });
      const ts = feature(report(r), 'taskstats');
      expect(ts.available).toBe(false);
      expect(ts.detail).toMatch(/lacks CAP_NET_ADMIN/);
    },
    60_000,
  );

  it('with PROCSPEC_NATIVE=0 the batched reader is off and says so', () => {
    const d = report(runCli(['doctor', '--json'], { PROCSPEC_NATIVE: '0' }));
    expect(d.procspecNative).toBe('0');
    expect(feature(d, 'batched process reader')).toMatchObject({ available: false, detail: expect.stringContaining('PROCSPEC_NATIVE=0 turns it off') });
    expect(feature(d, 'pressure triggers')).toMatchObject({ available: false });
  }, 60_000);
});
