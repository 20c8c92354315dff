/**
 * The native reader's synchronous batches (readTaskFilesEach, preadFdsEach):
 * every file of every batch, in order, whatever the number of threads that
 * read beside the caller; texts that outgrow a batch's buffer; errors per
 * file; an exception thrown by the caller's callback ends the call.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProcFs } from '../../runtime/index.js';
import { DEFAULT_THREADS, native, textsOf } from '../../runtime/reading/native.js';
import { helpersOf } from '../../runtime/processes/batches.js';
import { listPids } from '../../runtime/processes/tasks.js';
import { ascendingRoot, madeUpRoot, writeStat } from '../support/made-up-root.js';

const FILES = ['a', 'b'];
const DIRS = 300;
let root = '';
let dirs: string[] = [];

/** What file `name` of folder d holds (b is missing from every 17th folder, and 150 KiB in every 40th). */
function content(d: number, name: string): string | undefined {
  if (name === 'a') return `folder ${d} file a\n`;
  if (d % 17 === 5) return undefined;
  return d % 40 === 7 ? String(d % 10).repeat(150 * 1024) : `b of ${d}: ${'x'.repeat(d)}`;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'procspec-batches-'));
  dirs = [];
  for (let d = 0; d < DIRS; d++) {
    const dir = join(root, String(d));
    mkdirSync(dir);
    for (const f of FILES) {
      const text = content(d, f);
      if (text !== undefined) writeFileSync(join(dir, f), text);
    }
    dirs.push(dir);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `read` and gathers each batch's first index and its texts as strings (or errno numbers). */
function gather(read: (each: (first: number, texts: Buffer, ends: Int32Array, errs: Int32Array) => void) => void): {
  firsts: number[];
  texts: (string | number)[];
} {
  const firsts: number[] = [];
  const texts: (string | number)[] = [];
  read((first, buf, ends, errs) => {
    firsts.push(first);
    for (const t of textsOf(buf, ends, errs)) texts.push(typeof t === 'number' ? t : Buffer.from(t).toString('latin1'));
  });
  return { firsts, texts };
}

const expected = (): (string | number)[] => dirs.flatMap((_, d) => FILES.map((f) => content(d, f) ?? 2 /* ENOENT */));
const single = (n: number) => new Uint8Array(n);

describe.skipIf(native === undefined)('native batches read synchronously', () => {
  it('gives every file of every folder, batch after batch in order, on 0 to 3 threads beside the caller', () => {
    for (const helpers of [0, 1, 3]) {
      for (const per of [2, 16, 128, 1000]) {
        const got = gather((each) => native!.readTaskFilesEach(dirs, FILES, per, single(per), helpers, each));
        expect(got.firsts, `${helpers} ${per}`).toEqual(Array.from({ length: Math.ceil((DIRS * 2) / per) }, (_, i) => i * per));
        expect(got.texts, `${helpers} ${per}`).toEqual(expected());
      }
    }
  });

  it('re-reads kept descriptors from their start, as many times as asked', () => {
    const paths = dirs.flatMap((dir, d) => FILES.filter((f) => content(d, f) !== undefined).map((f) => join(dir, f)));
    const fds = new Int32Array(paths.map((p) => openSync(p, 'r')));
    try {
      for (const helpers of [0, 1, 3]) {
        for (let round = 0; round < 2; round++) {
          const got = gather((each) => native!.preadFdsEach(fds, 64, single(64), helpers, each));
          expect(got.texts).toEqual(paths.map((p) => readFileSync(p, 'latin1')));
          expect(got.firsts.length).toBe(Math.ceil(paths.length / 64));
        }
      }
      // A descriptor that is not open gives its errno in its place.
      const bad = gather((each) => native!.preadFdsEach(new Int32Array([fds[0]!, 1 << 30]), 2, single(2), 1, each));
      expect(bad.texts).toEqual([readFileSync(paths[0]!, 'latin1'), 9 /* EBADF */]);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  });

  it('stops at an exception thrown by the callback and throws it on; the next call reads as usual', () => {
    for (const helpers of [0, 2]) {
      let calls = 0;
      const boom = new Error('stop here');
      expect(() =>
        native!.readTaskFilesEach(dirs, FILES, 20, single(20), helpers, () => {
          if (++calls === 3) throw boom;
        }),
      ).toThrow(boom);
      expect(calls).toBe(3);
      expect(gather((each) => native!.readTaskFilesEach(dirs, FILES, 20, single(20), helpers, each)).texts).toEqual(expected());
    }
  });

  it('refuses a batch size that splits a folder, and flags shorter than a batch', () => {
    expect(() => native!.readTaskFilesEach(dirs, FILES, 3, single(3), 0, () => {})).toThrow(TypeError);
    expect(() => native!.readTaskFilesEach(dirs, FILES, 4, single(2), 0, () => {})).toThrow(/flag per file/);
    expect(() => native!.preadFdsEach(new Int32Array(4), 0, single(4), 0, () => {})).toThrow(TypeError);
    // Nothing to read: no call of the callback.
    let calls = 0;
    native!.readTaskFilesEach([], FILES, 2, single(2), 1, () => calls++);
    expect(calls).toBe(0);
  });
});

describe.skipIf(native === undefined)("the native modules' own threads", () => {
  it("are named and block every signal (signals go to Node's threads, and never interrupt their reads)", () => {
    // A listing of this machine's processes makes more than one batch: the helpers start.
    expect(new ProcFs().processes({ groups: ['base'], threads: 1 }).rows.length).toBeGreaterThan(33);
    const ours = readdirSync('/proc/self/task')
      .map((tid) => ({ comm: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), status: readFileSync(`/proc/self/task/${tid}/status`, 'utf8') }))
      .filter((t) => t.comm.startsWith('procspec-'));
    expect(ours.map((t) => t.comm)).toContain('procspec-read');
    for (const t of ours) {
      const blocked = BigInt(`0x${/^SigBlk:\s*([0-9a-f]+)/m.exec(t.status)![1]}`);
      // SIGINT, SIGTERM, SIGCHLD, SIGPIPE and SIGUSR1 (numbers 2, 15, 17, 13, 10): bit n-1.
      for (const n of [2, 15, 17, 13, 10]) expect((blocked >> BigInt(n - 1)) & 1n, `${t.comm} signal ${n}`).toBe(1n);
    }
  });
});

describe('the threads option', () => {
  it('is a whole number of helpers from 0 to 8, the default when absent', () => {
    expect([-1, 0, 2.7, 100, Number.NaN, Number.POSITIVE_INFINITY].map((threads) => helpersOf({ threads }))).toEqual([0, 0, 2, 8, 0, 0]);
    expect(helpersOf({})).toBe(DEFAULT_THREADS);
    expect(DEFAULT_THREADS).toBe(Math.max(0, Math.min(3, availableParallelism() - 1)));
  });
});

describe('listing the pid folders of a root', () => {
  it('finds the folders named by a pid, in ascending order, natively and through node:fs alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procspec-pids-'));
    try {
      for (const name of ['3', '1', '20', '0', '01', 'x1', '5a', 'self']) mkdirSync(join(dir, name));
      if (native !== undefined) expect([...(native.listPids(dir) as Int32Array)].sort((a, b) => a - b)).toEqual([1, 3, 20]);
      expect(listPids(dir)).toEqual([1, 3, 20]);
      expect(listPids(dir, false)).toEqual([1, 3, 20]);
      // A name of digits too long for a pid: the native lister leaves the root to node:fs, which keeps it.
      mkdirSync(join(dir, '12345678901'));
      if (native !== undefined) expect(native.listPids(dir)).toBe(0);
      expect(listPids(dir)).toEqual([1, 3, 20, 12345678901]);
      if (native !== undefined) expect(native.listPids(join(dir, 'missing'))).toBe(-2);
      expect(() => listPids(join(dir, 'missing'))).toThrow(/cannot list processes \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(listPids('/proc')).toContain(process.pid);
  });
});

describe.skipIf(native === undefined)('reading processes while listing them (readProcessesEach)', () => {
  const PIDS = Array.from({ length: 700 }, (_, i) => 950 + i);
  /** What file `name` of task `pid` holds: a stat from writeStat, a cmdline (missing for every 31st, 120 KiB for every 100th). */
  const file = (pid: number, name: string): string | undefined =>
    name === 'stat'
      ? readFileSync(join(up, String(pid), 'stat'), 'latin1')
      : pid % 31 === 4
        ? undefined
        : pid % 100 === 0
          ? 'z'.repeat(120 * 1024)
          : `prog\0${pid}\0`;
  let up = '';
  beforeAll(() => {
    up = ascendingRoot(
      'procspec-ascending-',
      PIDS,
      (dir, pid) => {
        writeStat(dir, pid);
        const cmdline = file(pid, 'cmdline');
        if (cmdline !== undefined) writeFileSync(join(dir, String(pid), 'cmdline'), cmdline);
      },
      (dir) => native!.listPids(dir) as Int32Array,
    );
  });
  afterAll(() => rmSync(up, { recursive: true, force: true }));

  /** readProcessesEach of `root`: what it returned, the pids `listed` got (and how many calls), and each batch as gather gives it. */
  function run(root: string, tasks: number, helpers: number) {
    const calls: string[] = [];
    let pids: number[] = [];
    let done = 0;
    const got = gather((each) => {
      done = native!.readProcessesEach(
        root,
        ['stat', 'cmdline'],
        tasks * 2,
        single(tasks * 2),
        helpers,
        (p) => {
          calls.push('listed');
          pids = [...p];
        },
        (first, buf, ends, errs) => {
          calls.push('each');
          each(first, buf, ends, errs);
        },
      );
    });
    return { done, pids, calls, ...got };
  }

  it('lists every pid, then gives every file of every task in order, on 0 to 3 threads beside the caller, in batches of 1 to 1,000 tasks', () => {
    const want = PIDS.flatMap((pid) => ['stat', 'cmdline'].map((f) => file(pid, f) ?? 2 /* ENOENT */));
    for (const helpers of [0, 1, 3]) {
      for (const tasks of [1, 16, 256, 1000]) {
        const r = run(up, tasks, helpers);
        expect(r.done).toBe(1);
        expect(r.pids).toEqual(PIDS);
        expect(r.calls[0]).toBe('listed');
        expect(r.calls.filter((c) => c === 'listed')).toHaveLength(1);
        expect(r.firsts).toEqual(Array.from({ length: Math.ceil(700 / tasks) }, (_, i) => i * tasks * 2));
        expect(r.texts).toEqual(want);
      }
    }
  });

  it('hands nothing on and leaves the root to the caller when its pids are out of order or a name is too long, and gives -errno for a missing root', () => {
    const shuffled = madeUpRoot('procspec-unordered-', [5, 300, 12, 7000, 41, 2, 999, 13], (dir, pid) => writeStat(dir, pid));
    try {
      const order = [...(native!.listPids(shuffled) as Int32Array)];
      expect(order).not.toEqual([...order].sort((a, b) => a - b));
      expect(run(shuffled, 2, 1)).toMatchObject({ done: 0, calls: [], texts: [] });
      expect(new ProcFs({ root: shuffled }).processes({ groups: ['base'] }).rows.map((r) => r.pid)).toEqual([2, 5, 12, 13, 41, 300, 999, 7000]);
    } finally {
      rmSync(shuffled, { recursive: true, force: true });
    }
    mkdirSync(join(up, '12345678901'));
    try {
      expect(run(up, 16, 1)).toMatchObject({ done: 0, calls: [], texts: [] });
    } finally {
      rmSync(join(up, '12345678901'), { recursive: true });
    }
    expect(run(join(up, 'missing'), 16, 1)).toMatchObject({ done: -2, calls: [] });
  });

  it('throws on an exception of either callback; the next call reads as usual', () => {
    const call = (listed: () => void, each: () => void) => native!.readProcessesEach(up, ['stat'], 16, single(16), 1, listed, each);
    expect(() =>
      call(
        () => {
          throw new Error('from listed');
        },
        () => {},
      ),
    ).toThrow('from listed');
    let batches = 0;
    expect(() =>
      call(
        () => {},
        () => {
          if (++batches === 3) throw new Error('from each');
        },
      ),
    ).toThrow('from each');
    expect(batches).toBe(3);
    expect(run(up, 16, 1).pids).toEqual(PIDS);
  });

  it('is how a sync listing of all processes reads, with the rows of node:fs and of the calling thread alone', () => {
    const tree = new ProcFs({ root: up });
    const spy = vi.spyOn(native!, 'readProcessesEach');
    try {
      const rows = tree.processes({ groups: ['base', 'cmdline'] }).rows;
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.results[0]!.value).toBe(1);
      // A task without its cmdline has ended between its reads.
      expect(rows.map((r) => r.pid)).toEqual(PIDS.filter((p) => p % 31 !== 4));
      expect(rows.find((r) => r.pid === 1000)?.cmdline).toEqual(['z'.repeat(120 * 1024)]);
      expect(tree.processes({ groups: ['base', 'cmdline'], threads: 0 }).rows).toEqual(rows);
      expect(spy).toHaveBeenCalledTimes(2);
      expect(tree.processes({ groups: ['base', 'cmdline'], native: false }).rows).toEqual(rows);
      // Other selections list first, as before.
      expect(tree.processes({ groups: ['base'], select: { all: 'threads' } }).rows).toHaveLength(0);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});

describe.skipIf(native === undefined)('the async listing of all processes, queued while it lists (listPidsAt)', () => {
  const PIDS = Array.from({ length: 700 }, (_, i) => 950 + i);
  let up = '';
  beforeAll(() => {
    up = ascendingRoot(
      'procspec-ascending-async-',
      PIDS,
      (dir, pid) => {
        writeStat(dir, pid);
        writeFileSync(join(dir, String(pid), 'cmdline'), `prog\0${pid % 100 === 0 ? 'y'.repeat(100 * 1024) : pid}\0`);
      },
      (dir) => native!.listPids(dir) as Int32Array,
    );
  });
  afterAll(() => rmSync(up, { recursive: true, force: true }));
  const openFds = () => readdirSync('/proc/self/fd').length;

  it('gives the pids of a folder piece by piece, 0 at its end, and -EOVERFLOW for a name too long for a pid', () => {
    const fd = openSync(up, 'r');
    const out = new Int32Array(512);
    const got: number[] = [];
    let pieces = 0;
    try {
      for (let n = native!.listPidsAt(fd, out); n !== 0; n = native!.listPidsAt(fd, out)) {
        expect(n).toBeGreaterThan(0);
        got.push(...out.subarray(0, n));
        pieces++;
      }
    } finally {
      closeSync(fd);
    }
    expect(got).toEqual(PIDS);
    expect(pieces).toBeGreaterThan(1);
    expect(() => native!.listPidsAt(0, new Int32Array(100))).toThrow(TypeError);
    mkdirSync(join(up, '12345678901'));
    const fd2 = openSync(up, 'r');
    try {
      let n = 1;
      while (n > 0) n = native!.listPidsAt(fd2, out);
      expect(n).toBe(-75);
    } finally {
      closeSync(fd2);
      rmSync(join(up, '12345678901'), { recursive: true });
    }
  });

  it('reads the rows the sync listing reads, listing with listPidsAt; a root out of order is listed as before', async () => {
    const tree = new ProcFs({ root: up });
    const spy = vi.spyOn(native!, 'listPidsAt');
    try {
      const fds = openFds();
      const rows = (await tree.processesAsync({ groups: ['base', 'cpu', 'cmdline'] })).rows;
      expect(spy).toHaveBeenCalled();
      expect(openFds()).toBe(fds);
      expect(rows.map((r) => r.pid)).toEqual(PIDS);
      expect(rows).toEqual(tree.processes({ groups: ['base', 'cpu', 'cmdline'], threads: 0 }).rows);
    } finally {
      spy.mockRestore();
    }
    const shuffled = madeUpRoot('procspec-unordered-async-', [5, 300, 12, 7000, 41, 2, 999, 13], (dir, pid) => writeStat(dir, pid));
    try {
      expect((await new ProcFs({ root: shuffled }).processesAsync({ groups: ['base'] })).rows.map((r) => r.pid)).toEqual([2, 5, 12, 13, 41, 300, 999, 7000]);
    } finally {
      rmSync(shuffled, { recursive: true, force: true });
    }
    await expect(new ProcFs({ root: join(up, 'missing') }).processesAsync({ groups: ['base'] })).rejects.toThrow(/cannot list processes \(ENOENT\)/);
  });

  it('sends no batch of a few tasks of its own: the last ones found go with the batch before them', async () => {
    // 66 tasks: once a listing has found that many, batches are of 32; the 2 after the second 32 join it.
    const few = ascendingRoot(
      'procspec-few-async-',
      PIDS.slice(0, 66),
      (dir, pid) => writeStat(dir, pid),
      (dir) => native!.listPids(dir) as Int32Array,
    );
    const real = native!.readTaskFilesAsync.bind(native);
    const sizes: number[] = [];
    const spy = vi.spyOn(native!, 'readTaskFilesAsync').mockImplementation((dirs, files, single, done) => {
      sizes.push(dirs.length);
      real(dirs, files, single, done);
    });
    try {
      const tree = new ProcFs({ root: few });
      for (let i = 0; i < 2; i++) {
        sizes.length = 0;
        expect((await tree.processesAsync({ groups: ['base'] })).rows.map((r) => r.pid)).toEqual(PIDS.slice(0, 66));
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(66);
        expect(Math.min(...sizes)).toBeGreaterThanOrEqual(Math.max(...sizes) / 2);
      }
      expect(sizes.length).toBe(2);
    } finally {
      spy.mockRestore();
      rmSync(few, { recursive: true, force: true });
    }
  });

  it('sends no batch for a selection with no task (the children of a process that has none)', async () => {
    const spy = vi.spyOn(native!, 'readTaskFilesAsync');
    try {
      // No pipes: the tests after this one count the descriptors open.
      const child = spawn('sleep', ['30'], { stdio: 'ignore' });
      const exited = new Promise((r) => child.once('exit', r));
      try {
        expect((await new ProcFs().processesAsync({ groups: ['base'], select: { childrenOf: child.pid! } })).rows).toEqual([]);
      } finally {
        child.kill();
        await exited;
      }
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects with the error of a batch that fails while the listing goes on, once every batch is back, and closes the folder', async () => {
    const tree = new ProcFs({ root: up });
    const real = native!.readTaskFilesAsync.bind(native);
    let calls = 0;
    const spy = vi.spyOn(native!, 'readTaskFilesAsync').mockImplementation((dirs, files, single, done) => {
      if (++calls === 1) throw new Error('batch 1 refused');
      real(dirs, files, single, done);
    });
    try {
      const fds = openFds();
      await expect(tree.processesAsync({ groups: ['base', 'cmdline'] })).rejects.toThrow('batch 1 refused');
      expect(openFds()).toBe(fds);
    } finally {
      spy.mockRestore();
    }
    expect((await tree.processesAsync({ groups: ['base'] })).rows).toHaveLength(700);
  });
});

describe.skipIf(native === undefined)('sync listings from two threads at once', () => {
  it('a worker thread and the main thread each list every task (one has the helpers, the other reads alone), both reading while they list', async () => {
    const { Worker } = await import('node:worker_threads');
    const root = ascendingRoot(
      'procspec-two-listings-',
      Array.from({ length: 400 }, (_, i) => 100 + i),
      (dir, pid) => {
        writeStat(dir, pid);
        writeFileSync(join(dir, String(pid), 'cmdline'), `prog\0${pid}\0`);
      },
      (dir) => native!.listPids(dir) as Int32Array,
    );
    try {
      const p = new ProcFs({ root });
      const expected = JSON.stringify(p.processes({ groups: ['base', 'cpu', 'cmdline'], threads: 0 }).rows);
      expect(JSON.parse(expected)).toHaveLength(400);
      const script = join(import.meta.dirname, '..', 'support', 'list-in-worker.ts');
      const w = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`, {
        eval: true,
        workerData: { root, times: 30 },
      });
      const fromWorker = new Promise<string[]>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      for (let i = 0; i < 30; i++) expect(JSON.stringify(p.processes({ groups: ['base', 'cpu', 'cmdline'], threads: 1 }).rows)).toBe(expected);
      expect(await fromWorker).toEqual(new Array(30).fill(expected));
      await w.terminate();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
