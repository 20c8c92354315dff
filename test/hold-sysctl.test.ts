/** Holding a machine-wide setting across concurrent test runs: the last holder puts back what the first one found. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { holdSysctl } from './support/hold-sysctl.js';

describe('holdSysctl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procspec-hold-test-'));
  const file = join(dir, 'setting');
  const holders = join(tmpdir(), `procspec-hold-${basename(file)}`, 'holders');
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), `procspec-hold-${basename(file)}`), { recursive: true, force: true });
  });

  it('sets the value and, as the only holder, puts back the one it found', () => {
    writeFileSync(file, '0');
    const release = holdSysctl(file, '1');
    expect(readFileSync(file, 'utf8')).toBe('1');
    release();
    expect(readFileSync(file, 'utf8')).toBe('0');
  });

  it('leaves the value while another live run holds it, and a dead run holds nothing', () => {
    writeFileSync(file, '0');
    const release = holdSysctl(file, '1');
    // Another run (the parent process here, alive) holds it too.
    writeFileSync(join(holders, String(process.ppid)), '');
    release();
    expect(readFileSync(file, 'utf8')).toBe('1');
    rmSync(join(holders, String(process.ppid)));
    // A holder whose process is gone does not keep it: pid 2^22 + 1 is above any pid_max.
    writeFileSync(join(holders, String(2 ** 22 + 1)), '');
    const again = holdSysctl(file, '1');
    again();
    // ... and the value found before the first holder comes back.
    expect(readFileSync(file, 'utf8')).toBe('0');
  });
});
