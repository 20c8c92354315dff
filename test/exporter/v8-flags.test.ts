/**
 * bin/procspec.js starts `procspec serve` again under V8 flags that keep the heap and the
 * compiled code between scrapes (SERVE_V8_FLAGS there): the process that serves runs with
 * them, the first process passes signals on and takes its child's end, and the child never
 * outlives it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_BUILT } from '../support/cli.js';
import { ProcFs } from '../../runtime/index.js';
import { get, madeUpProc, startServe } from './support.js';

const FLAGS = ['--no-memory-reducer', '--no-flush-bytecode', '--heap-growing-percent=50', '--min-semi-space-size=16', '--max-semi-space-size=16'];

/** The command line of a process, as its arguments. */
const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);

/** The processes under `pid` (children, their children, ...). */
const descendants = (pid: number): number[] =>
  new ProcFs().processes({ groups: ['base'], select: { childrenOf: pid } }).rows.flatMap((r) => [r.pid, ...descendants(r.pid)]);

const gone = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
};

/** `procspec serve` started by the package's bin under node with `node` flags, and its end as a promise. */
async function serve(node: readonly string[]) {
  const { child, url } = await startServe(['--path.procfs', madeUpProc()], [CLI_BUILT[0], ...node, ...CLI_BUILT.slice(1)]);
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

  it.each([['--memory-reducer'], ['--heap_growing_percent=80'], ['--max-semi-space-size=4']])(
    'is left as started when node was given one of the flags (%s)',
    async (flag) => {
      const { child, url, ended } = await serve([flag]);
      expect(descendants(child.pid!)).toEqual([]);
      expect((await get(url)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await ended).toEqual([0, null]);
    },
  );
});
