/**
 * tools/try-spec.ts, run as a spec author runs it: --help, the exit
 * statuses, and that it writes nothing into the repository (its scratch
 * folder is a temporary one, removed; --out keeps the files elsewhere).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repo } from './support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'procspec-try-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** try-spec from another working folder, with its own TMPDIR (to see what it leaves there). */
function trySpec(args: string[], tmp = join(scratch, 'tmp')) {
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync(process.execPath, ['--import', join(repo, 'node_modules', 'tsx', 'dist', 'loader.mjs'), join(repo, 'tools', 'try-spec.ts'), ...args], {
    cwd: scratch,
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: tmp },
  });
  // tsx keeps its cache there too (tsx-UID).
  return { ...r, left: readdirSync(tmp).filter((n) => n.startsWith('procspec-')) };
}

/** Entries at the top of the repository that a scratch folder of the old try-spec would have been. */
const scratchInRepo = () => readdirSync(repo).filter((n) => n.startsWith('.try-'));

describe('tools/try-spec.ts', { timeout: 120_000 }, () => {
  it('--help prints the usage, exit 0, wherever it is run', () => {
    for (const flag of ['--help', '-h']) {
      const r = trySpec([flag]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^usage: npx tsx tools\/try-spec\.ts \[--out DIR\] \[--id ID\] SPEC\.yaml \[FILE\.\.\.\]/);
      expect(r.stdout).toMatch(/Nothing is written into the repository/);
    }
  });

  it('bad usage is exit 2 with a message, never a stack trace', () => {
    const none = trySpec([]);
    expect([none.status, none.stderr]).toEqual([2, expect.stringMatching(/^try-spec: name a spec file\n\nusage:/)]);
    const unknown = trySpec(['--frob']);
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringMatching(/^try-spec: Unknown option '--frob'/)]);
    const missing = trySpec(['specs/proc/nothing.yaml']);
    expect([missing.status, missing.stderr]).toEqual([2, 'try-spec: no spec file specs/proc/nothing.yaml\n']);
    const inside = trySpec(['--out', join(repo, 'scratch'), join(repo, 'specs', 'proc', 'loadavg.yaml')]);
    expect([inside.status, inside.stderr]).toEqual([2, expect.stringMatching(/is inside the repository: name a folder outside it/)]);
    expect(existsSync(join(repo, 'scratch'))).toBe(false);
  });

  it('parses files with the spec from a temporary folder it removes; nothing is left in the repository', () => {
    const bad = join(scratch, 'loadavg');
    writeFileSync(bad, '0.1 0.2 oops 1/2 3\n');
    const r = trySpec([join(repo, 'specs', 'proc', 'loadavg.yaml'), '/proc/loadavg', bad, join(scratch, 'absent')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^\/proc\/loadavg:\n\{\n {2}"load1": /);
    expect(r.stdout).toContain(`${bad}: ProcfsError: ${bad}:1:9: expected a decimal number, found "oops"`);
    expect(r.stdout).toMatch(/absent: cannot read it \(ENOENT/);
    expect(r.left).toEqual([]);
    expect(scratchInRepo()).toEqual([]);
  });

  it('--out keeps the generated files in a folder outside the repository; a spec outside specs/ takes --id', () => {
    const out = join(scratch, 'out');
    const spec = join(scratch, 'uptime.yaml');
    writeFileSync(
      spec,
      'description: Uptime.\npaths: [/proc/uptime]\nsampling: sampled\nlayout:\n  line:\n    tokens:\n      - { name: up, type: float, description: Seconds up }\n      - { name: idle, type: float, description: Idle seconds }\n',
    );
    const noId = trySpec([spec]);
    expect([noId.status, noId.stderr]).toEqual([2, expect.stringMatching(/is not in a specs\/ folder: give its id with --id/)]);
    for (let n = 0; n < 2; n++) {
      const r = trySpec(['--out', out, '--id', 'tries/uptime', spec, '/proc/uptime']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe(`try-spec: the generated files of tries/uptime are in ${join(out, 'generated')}\n`);
      expect(r.stdout).toMatch(/^\/proc\/uptime:\n\{\n {2}"up": [0-9.]+,\n {2}"idle": [0-9.]+\n\}\n$/);
    }
    for (const f of ['parsers/tries/uptime.ts', 'types/tries/uptime.ts', 'docs/tries/uptime.md']) expect(existsSync(join(out, 'generated', f)), f).toBe(true);
    expect(lstatSync(join(out, 'runtime')).isSymbolicLink()).toBe(true);
    expect(scratchInRepo()).toEqual([]);
  });
});
