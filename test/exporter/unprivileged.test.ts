/**
 * procspec serve needs no privilege: run as the user nobody (it drops root
 * after loading, test/exporter/serve-unprivileged.ts), every default
 * collector succeeds, and an enabled collector whose file is readable by
 * root only (slabinfo, mode 0400) is named at the start and fails alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allCollectors } from '../../exporter/index.js';
import { privilegeNeed } from '../../exporter/privileges.js';
import { CLI_SOURCES, repo } from '../support/cli.js';
import { get, madeUpProc } from './support.js';

const slabinfo = allCollectors().find((c) => c.name === 'slabinfo')!;
const places = (procRoot: string) => ({ procRoot, sysRoot: join(procRoot, 'sys'), cgroup: { why: 'not here' }, cgroupDepth: 0 }) as const;

describe('what a collector needs beyond an ordinary user', () => {
  it("is read from the file's mode: owner-only is named for another user, nothing for the owner or a file anyone reads", () => {
    const root = madeUpProc({ slabinfo: 'slabinfo - version: 2.1\n' });
    const file = join(root, 'slabinfo');
    chmodSync(file, 0o400);
    expect(privilegeNeed(slabinfo, places(root), 65534)).toBe(`${file} is readable by root only (mode 0400): run procspec serve as root for it`);
    expect(privilegeNeed(slabinfo, places(root), 0)).toBeUndefined();
    chmodSync(file, 0o444);
    expect(privilegeNeed(slabinfo, places(root), 65534)).toBeUndefined();
    expect(privilegeNeed(slabinfo, places(join(root, 'nowhere')), 65534)).toBeUndefined();
  });
});

const asNobody = process.getuid?.() === 0;

describe.skipIf(!asNobody)('procspec serve as the user nobody', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('serves every default collector; slabinfo, readable by root only, is named at the start and fails alone', async () => {
    const script = join(repo, 'test', 'exporter', 'serve-unprivileged.ts');
    const args = [...CLI_SOURCES.slice(1, -1), script, '--web.listen-address', '127.0.0.1:0', '--collector.slabinfo'];
    child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child!.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`procspec serve exited (${code}): ${err}`)));
    });
    expect(err).toMatch(/procspec serve: slabinfo: \/proc\/slabinfo is readable by root only \(mode 0400\)/);
    const body = (await get(url)).body.toString();
    const success = [...body.matchAll(/^procspec_scrape_collector_success\{collector="([a-z0-9_]+)"\} ([01])$/gm)].map((m) => [m[1]!, m[2]!] as const);
    const failed = success.filter(([, ok]) => ok === '0').map(([name]) => name);
    expect(failed).toEqual(['slabinfo']);
    expect(success.length).toBeGreaterThan(15);
    expect(body).toMatch(/^procspec_meminfo_mem_total_bytes [0-9]+$/m);
  });
});
