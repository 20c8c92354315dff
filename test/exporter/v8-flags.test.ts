/**
 * bin/procspec.js starts `procspec serve` again under V8 flags that keep the heap and the
 * compiled code between scrapes (SERVE_V8_FLAGS there): the process that serves runs with
 * them, the first process passes signals on and takes its child's end, and the child never
 * outlives it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_BUILT } from '../support/cli.js';
import { get, madeUpProc } from './support.js';

const FLAGS = ['--no-memory-reducer', '--no-flush-bytecode'];

/** The command line of a process, as its arguments. */
const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);

/** The processes under `pid` (children, their children, ...), from /proc/PID/task/TID/children. */
function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

const gone = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
};

async function serve(node: readonly string[]) {
  const child = spawn(CLI_BUILT[0], [...node, ...CLI_BUILT.slice(1), 'serve', '--web.listen-address', '127.0.0.1:0', '--path.procfs', madeUpProc()], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`procspec serve exited (${code}): ${err}`)));
  });
  const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  return { child, url, ended };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  for (const t0 = Date.now(); !cond(); ) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('procspec serve under V8 flags', () => {
  it('serves from a child process run with the flags, and ends with status 0 on SIGTERM, the child with it', async () => {
    const { child, url, ended } = await serve([]);
    const under = descendants(child.pid!);
    expect(under.length).toBeGreaterThan(0);
    for (const pid of under) expect(cmdline(pid)).toEqual(expect.arrayContaining(FLAGS));
    expect(cmdline(child.pid!)).not.toEqual(expect.arrayContaining(FLAGS));
    expect((await get(url)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await ended).toEqual([0, null]);
    await until(() => under.every(gone));
  });

  it('stops serving when the first process is killed with SIGKILL', async () => {
    const { child, url, ended } = await serve([]);
    const under = descendants(child.pid!);
    child.kill('SIGKILL');
    await ended;
    await until(() => under.every(gone));
    await expect(get(url)).rejects.toThrow();
  });

  it('is left as started when node was given either flag', async () => {
    const { child, url, ended } = await serve(['--memory-reducer']);
    expect(descendants(child.pid!)).toEqual([]);
    expect((await get(url)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await ended).toEqual([0, null]);
  });
});
