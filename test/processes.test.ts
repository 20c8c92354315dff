/**
 * The process table and its refresh mode on the live kernel: selections,
 * groups, identity, rates, the descriptor budget, agreement with procps `ps`,
 * and listing while thousands of short-lived processes come and go.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { madeUpRoot, writeStat } from './support/made-up-root.js';
import { ProcFs } from '../runtime/index.js';
import { native } from '../runtime/reading/native.js';
import { listProcesses } from '../runtime/processes/list-processes.js';
import { repo, runCli } from './support/cli.js';
import { corpusDir } from './support/corpus.js';

const fs = new ProcFs();
/** A /proc tree captured from another machine, in the corpus: its tests are skipped without it. */
const CAPTURED_TREE = join(corpusDir, 'prometheus-procfs', 'proc');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function start(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  children.push(c);
  return c;
}

/** The row fields of each stat group (as docs/processes.md's table of groups lists them). */
const FIELDS = {
  base: ['ppid', 'pgid', 'sid', 'comm', 'state'],
  cpu: ['utime', 'stime', 'cutime', 'cstime', 'startTime', 'processor', 'threads', 'priority', 'nice'],
  memory: ['vsize', 'rss', 'minorFaults', 'majorFaults'],
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('process table', () => {
  it('lists this process with the groups asked for, and only those', () => {
    const { rows, gone, listed } = fs.processes({ groups: ['base', 'memory', 'cmdline'] });
    expect(rows.length + gone).toBe(listed);
    const me = rows.find((r) => r.pid === process.pid)!;
    expect(me.ppid).toBe(process.ppid);
    expect(me.tgid).toBe(process.pid);
    expect(me.cmdline![0]).toBe(process.argv0);
    expect(me.rss).toBeGreaterThan(10 << 20);
    expect(me).not.toHaveProperty('utime');
    expect(me).not.toHaveProperty('credentials');
    const stat = fs.read('proc/pid/stat', { pid: process.pid });
    expect(me.startTicks).toBe(Math.round(stat.starttime * fs.facts().clockTick));
    expect(me.comm).toBe(stat.comm);
  });

  it.skipIf(!existsSync(CAPTURED_TREE))('builds the same rows for every combination of the stat groups (one literal or field by field)', () => {
    // A captured tree, so the values cannot move between listings.
    const tree = new ProcFs({ root: CAPTURED_TREE });
    const groups = ['base', 'cpu', 'memory'] as const;
    const rowsOf = (gs: readonly (typeof groups)[number][]) => tree.processes({ groups: [...gs] }).rows;
    const all = rowsOf(groups);
    expect(all.length).toBeGreaterThan(0);
    for (let mask = 1; mask < 8; mask++) {
      const gs = groups.filter((_, i) => mask & (1 << i));
      // A task whose stat fails to parse would fail only the groups that read its bad field: compare the tasks all groups read.
      const some = rowsOf(gs).filter((r) => all.some((a) => a.pid === r.pid));
      // The same fields as the full row, in the same order, for exactly the groups asked for.
      const keys = (r: object) => Object.keys(r);
      const expected = all.map((r) =>
        Object.fromEntries(Object.entries(r).filter(([k]) => ['pid', 'tgid', 'startTicks'].includes(k) || gs.some((g) => FIELDS[g].includes(k)))),
      );
      expect(some).toEqual(expected);
      expect(some.map(keys)).toEqual(expected.map(keys));
    }
  });

  it('selects one pid, the threads of a pid, all threads, and the children of a pid', async () => {
    const child = start('sleep', ['30']);
    await sleep(100);
    const one = fs.processes({ groups: ['base'], select: { pid: child.pid! } }).rows;
    expect(one.map((r) => [r.pid, r.comm])).toEqual([[child.pid, 'sleep']]);
    const kids = fs.processes({ groups: ['base'], select: { childrenOf: process.pid } }).rows.map((r) => r.pid);
    expect(kids).toContain(child.pid);
    const threads = fs.processes({ groups: ['base'], select: { threadsOf: process.pid } }).rows;
    expect(threads.length).toBeGreaterThan(1);
    expect(threads.every((t) => t.tgid === process.pid)).toBe(true);
    expect(threads.map((t) => t.pid)).toContain(process.pid);
    const all = fs.processes({ groups: [], select: { all: 'threads' } }).rows;
    expect(all.length).toBeGreaterThan(fs.processes({ groups: [] }).rows.length);
  });

  it('tells incarnations apart: a row identifies (pid, start ticks)', async () => {
    const child = start('sleep', ['30']);
    await sleep(100);
    const row = fs.processes({ groups: [], select: { pid: child.pid! } }).rows[0]!;
    expect(fs.isSameProcess(row.pid, row.startTicks)).toBe(true);
    expect(fs.isSameProcess(row.pid, row.startTicks + 1)).toBe(false);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(fs.isSameProcess(row.pid, row.startTicks)).toBe(false);
    // A vanished pid is counted as gone, not returned half-filled.
    const gone = fs.processes({ groups: ['base', 'cmdline'], select: { pid: child.pid! } });
    expect(gone.rows).toEqual([]);
    expect(gone.gone).toBe(1);
  });

  it.skipIf(native === undefined)('the native reader and node:fs give the same rows', () => {
    const ctx = (file: string) => fs.context(file);
    const opts = { groups: ['base', 'credentials', 'cmdline', 'io'] as const };
    const pick = (rows: { pid: number; comm?: string; cmdline?: string[]; credentials?: unknown; denied?: unknown }[]) =>
      // kworker threads rename themselves after the work they run: leave them out.
      rows.filter((r) => r.pid < process.pid && !r.comm?.startsWith('kworker')).map((r) => [r.pid, r.comm, r.cmdline, r.credentials, r.denied]);
    const a = listProcesses('/proc', ctx, { groups: [...opts.groups], native: true });
    const b = listProcesses('/proc', ctx, { groups: [...opts.groups], native: false });
    // Compare the processes both listings saw (one may end between the two).
    const inB = new Map(pick(b.rows).map((r) => [r[0], r]));
    const both = pick(a.rows).filter((r) => inB.has(r[0]));
    expect(both.length).toBeGreaterThan(0.9 * Math.max(pick(a.rows).length, pick(b.rows).length) - 50);
    for (const r of both) expect(r).toEqual(inB.get(r[0]));
    // A pid that does not exist is gone either way.
    expect(listProcesses('/proc', ctx, { groups: ['base'], select: { pid: 2 ** 30 }, native: true }).gone).toBe(1);
  });

  it('reads the same rows asynchronously', async () => {
    const sync = fs
      .processes({ groups: ['base'] })
      .rows.filter((r) => r.pid < process.pid)
      .map((r) => r.pid);
    const async = (await fs.processesAsync({ groups: ['base'], concurrency: 8 })).rows.filter((r) => r.pid < process.pid).map((r) => r.pid);
    expect(async).toEqual(sync);
  });

  it('reads asynchronously through the native reader (in the thread pool) and through node:fs alike, the event loop running meanwhile', async () => {
    const groups = ['base', 'cmdline', 'io'] as const;
    const stable = (rows: { pid: number; comm?: string; cmdline?: string[]; denied?: unknown }[]) =>
      rows.filter((r) => r.pid < process.pid && !r.comm?.startsWith('kworker')).map((r) => [r.pid, r.comm, r.cmdline, r.denied]);
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const viaNative = await fs.processesAsync({ groups: [...groups], native: true });
    spinning = false;
    const viaFs = await fs.processesAsync({ groups: [...groups], native: false });
    const a = stable(viaNative.rows);
    const inB = new Map(stable(viaFs.rows).map((r) => [r[0], r]));
    const both = a.filter((r) => inB.has(r[0]));
    expect(both.length).toBeGreaterThan(0.9 * Math.max(a.length, inB.size) - 5);
    for (const r of both) expect(r).toEqual(inB.get(r[0]));
    expect(viaNative.rows.length + viaNative.gone + (viaNative.failed?.length ?? 0)).toBe(viaNative.listed);
    // The listing awaited its reads: other callbacks ran in between.
    if (native !== undefined) expect(turns).toBeGreaterThan(0);
    // A pid that does not exist is gone either way.
    for (const nat of [true, false]) expect((await fs.processesAsync({ groups: ['base'], select: { pid: 2 ** 30 }, native: nat })).gone).toBe(1);
  });

  it('reads a task file larger than the batch buffer whole, sync and async (a 300 KiB environment)', async () => {
    // One string may be at most 128 KiB (MAX_ARG_STRLEN): three of 100 KiB.
    const big = 'x'.repeat(100 * 1024);
    const child = spawn('sleep', ['30'], { stdio: 'ignore', env: { BIG1: big, BIG2: big, BIG3: big } });
    children.push(child);
    await sleep(100);
    const select = { pid: child.pid! };
    const rows = [
      fs.processes({ groups: ['environ'], select }),
      await fs.processesAsync({ groups: ['environ'], select }),
      await fs.processesAsync({ groups: ['environ'], select, native: false }),
    ];
    for (const l of rows) {
      const env = l.rows[0]?.environ as { name: string; value: string }[] | undefined;
      expect(env?.filter((e) => e.name.startsWith('BIG') && e.value === big).length).toBe(3);
    }
    child.kill('SIGKILL');
  });

  it('reads a batch bigger than the batch buffer, each task with its own text, sync, async and in the refresh (6 x 300 KiB environments)', async () => {
    // Each task's environment is its own letter: a part of the batch read over by the next call would show another's.
    const letters = ['a', 'b', 'c', 'd', 'e', 'f'];
    const kids = letters.map((l) => {
      const big = l.repeat(100 * 1024);
      const child = spawn('sleep', ['30'], { stdio: 'ignore', env: { BIG1: big, BIG2: big, BIG3: big } });
      children.push(child);
      return child;
    });
    await sleep(100);
    const select = { childrenOf: process.pid };
    // The sync batch, the async batch (one buffer grown as it fills) and the refresh's async re-read of kept descriptors.
    const monitor = fs.monitor({ groups: ['environ'], select });
    await monitor.sampleAsync();
    const listings = {
      sync: fs.processes({ groups: ['environ'], select }),
      async: await fs.processesAsync({ groups: ['environ'], select }),
      refresh: await monitor.sampleAsync(),
    };
    monitor.close();
    for (const [how, listing] of Object.entries(listings)) {
      for (const [i, child] of kids.entries()) {
        const row = listing.rows.find((r) => r.pid === child.pid);
        const env = row?.environ as { name: string; value: string }[] | undefined;
        expect(env?.filter((e) => e.name.startsWith('BIG') && e.value === letters[i]!.repeat(100 * 1024)).length, `${how} ${letters[i]}`).toBe(3);
      }
    }
    expect(listings.refresh.started).toBe(0);
    for (const child of kids) child.kill('SIGKILL');
  });

  it('agrees with procps ps on parent, command name and resident size', () => {
    const psRun = () => execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,rss=,comm='], { encoding: 'utf8' }).trim().split('\n');
    const before = new Set(psRun());
    const ours = JSON.parse(runCli(['ps', '--json', '-o', 'pid,ppid,state,comm,rss']).stdout) as {
      processes: { pid: number; ppid: number; state: string; comm: string; rss: string }[];
    };
    // Processes that did not change between two ps runs around ours (ours and ps's own children come and go).
    const theirs = psRun()
      .filter((l) => before.has(l))
      .map((l) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s(.*)$/.exec(l)!)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), stat: m[3]!, rss: Number(m[4]), comm: m[5]! }));
    const byPid = new Map(ours.processes.map((p) => [p.pid, p]));
    // kworker threads rename themselves after the work they run, even between two ps runs that agree.
    const stable = theirs.filter((t) => !t.comm.startsWith('kworker'));
    const both = stable.filter((t) => byPid.has(t.pid));
    expect(both.length).toBeGreaterThan(0.8 * stable.length);
    for (const t of both) {
      const o = byPid.get(t.pid)!;
      expect([t.pid, o.ppid, o.comm]).toEqual([t.pid, t.ppid, t.comm]);
      // Sizes move between the two reads; for kernel threads and idle processes they agree to the kilobyte.
      if (t.stat[0] === 'S' || t.stat[0] === 'I') expect(Math.abs(Number(o.rss) * 1024 - t.rss)).toBeLessThan(4096 + 0.05 * t.rss);
    }
  });

  it('lists and samples while thousands of short-lived processes come and go: no exception, no row mixing two processes', async () => {
    // Each short-lived process is `true` or `sleep 0` under an argv[0] naming the program it runs, so a row whose
    // command name (from stat) and argv[0] (from cmdline) came from two different processes would show it.
    const churn = start('bash', [
      '-c',
      'i=0; while :; do i=$((i + 1)); if (( i % 2 )); then (exec -a churn-true true); else (exec -a churn-sleep sleep 0); fi; done',
    ]);
    let listings = 0;
    let gone = 0;
    let seen = 0;
    // The refresh mode too, sync and async: kept descriptors of processes that end, and new ones every sample.
    const monitor = fs.monitor({ groups: ['base', 'cmdline'] });
    // Enough work is counted, not a span of time (a loaded machine does less in a second); the limit only stops a hung run.
    const limit = Date.now() + 200_000;
    try {
      while ((listings <= 5 || seen + gone === 0) && Date.now() < limit && churn.exitCode === null) {
        const samples = [fs.processes({ groups: ['base', 'cmdline'] }), listings % 2 ? monitor.sample() : await monitor.sampleAsync()];
        listings++;
        for (const l of samples) {
          gone += l.gone;
          for (const r of l.rows) {
            const argv0 = r.cmdline?.[0];
            if (argv0 === undefined || !argv0.startsWith('churn-')) continue;
            seen++;
            // Between fork and exec the child is still bash; after exec its comm is the program's.
            if (r.comm !== 'bash') expect(`churn-${r.comm}`).toBe(argv0);
          }
        }
        await sleep(1);
      }
    } finally {
      monitor.close();
      churn.kill();
    }
    expect(listings).toBeGreaterThan(5);
    expect(seen + gone).toBeGreaterThan(0);
  });
});

describe('refresh mode', () => {
  it('keeps files open, gives rates from the second sample, and notices processes that end', async () => {
    const busy = start(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 20000);']);
    await sleep(200);
    const m = fs.monitor({ groups: ['base', 'cpu', 'io'], select: { childrenOf: process.pid } });
    try {
      const first = m.sample();
      const before = first.rows.find((r) => r.pid === busy.pid)!;
      expect(before.rates).toBeUndefined();
      expect(first.openFiles).toBeGreaterThan(0);
      // Wait for CPU time, not for a span of wall-clock time: on a loaded machine the loop may get little of a CPU.
      const cpuOf = (r: { utime: number; stime: number }): number => r.utime + r.stime;
      await sleep(200);
      for (let i = 0; i < 600 && cpuOf(fs.read('proc/pid/stat', { pid: busy.pid! })) < cpuOf(before) + 0.05; i++) await sleep(50);
      const second = m.sample();
      const row = second.rows.find((r) => r.pid === busy.pid)!;
      // The rate is the CPU time the rows show over the interval between the samples: above 0 for a busy loop, at most one CPU.
      expect(cpuOf(row)).toBeGreaterThan(cpuOf(before));
      expect(row.rates!.cpuPercent).toBeCloseTo(((cpuOf(row) - cpuOf(before)) / second.interval) * 100, 6);
      expect(row.rates!.cpuPercent).toBeGreaterThan(0);
      expect(row.rates!.cpuPercent).toBeLessThan(110);
      expect(second.started).toBe(0);
      busy.kill('SIGKILL');
      await new Promise((r) => busy.once('exit', r));
      const third = m.sample();
      expect(third.rows.find((r) => r.pid === busy.pid)).toBeUndefined();
      expect(third.ended).toBeGreaterThanOrEqual(1);
    } finally {
      m.close();
    }
  });

  it('re-reads its tasks without listing while no task is created, and still counts each one that ends once', async () => {
    const kids = [0, 1, 2].map(() => start('sleep', ['60']));
    await sleep(100);
    const pids = new Set(kids.map((k) => k.pid!));
    const m = fs.monitor({ groups: ['base'] });
    let unlisted = 0;
    const endedSeen: number[] = [];
    try {
      let before = m.sample().rows.filter((r) => pids.has(r.pid)).length;
      expect(before).toBe(3);
      for (let i = 0; i < 40; i++) {
        if (i % 10 === 5 && i < 30) {
          const k = kids[(i - 5) / 10]!;
          k.kill('SIGKILL');
          await new Promise((r) => k.once('exit', r));
        } else await sleep(20);
        const late = i === 20 ? start('sleep', ['60']) : undefined;
        if (late) await sleep(50);
        const s = m.sample();
        if (!s.listed) unlisted++;
        if (late) {
          // A task created since the last listing: the sample lists the root and finds it.
          expect(s.listed).toBe(true);
          expect(s.rows.some((r) => r.pid === late.pid)).toBe(true);
          late.kill('SIGKILL');
        }
        const now = s.rows.filter((r) => pids.has(r.pid)).length;
        // A child that ended is gone from this sample on, and the sample says one process ended.
        if (now < before) {
          endedSeen.push(before - now);
          expect(s.ended).toBeGreaterThanOrEqual(before - now);
        }
        expect(now).toBeLessThanOrEqual(before);
        before = now;
      }
      expect(endedSeen.reduce((a, b) => a + b, 0)).toBe(3);
      expect(before).toBe(0);
    } finally {
      m.close();
    }
    // On a quiet machine most samples re-read without listing; other tests running beside this one create processes, so this is reported, not required.
    console.log(`refresh: ${unlisted} of 40 samples re-read their tasks without listing the root`);
  });

  it.skipIf(native === undefined || spawnSync('sh', ['-c', 'command -v unshare']).status !== 0)(
    'creates no task when it lists or samples on threads (in a pid namespace of its own), so a sample need not list the root',
    () => {
      const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, '--import', 'tsx', join(repo, 'test', 'support', 'own-tasks.ts')], {
        cwd: repo,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { created: number; still: number; listedWhenStill: number; sleeping: number };
      expect(out.sleeping).toBe(40);
      expect(out.created).toBe(0);
      // The machine's task counter moves with every test beside this one: only the samples it did not move for count.
      expect(out.still).toBeGreaterThanOrEqual(1);
      expect(out.listedWhenStill).toBe(0);
    },
  );

  it.skipIf(!existsSync(CAPTURED_TREE))('names a task whose file stops parsing once in `failed`, and tries it again the next sample', () => {
    // A copy of the captured tree, so a file can be damaged between samples (its 26232/stat, with an exit_signal of
    // -2^63, parses: a number within 64 bits never fails a file).
    const root = mkdtempSync(join(tmpdir(), 'procspec-monitor-'));
    cpSync(CAPTURED_TREE, root, { recursive: true });
    const m = new ProcFs({ root }).monitor({ groups: ['base', 'cpu', 'memory'] });
    try {
      const first = m.sample();
      expect(first.failed).toBeUndefined();
      const watched = first.rows.map((r) => r.pid);
      expect(watched).toContain(26231);
      expect(watched).toContain(26232);
      writeFileSync(join(root, '26231', 'stat'), '26231 (x) S 1 garbage\n');
      const second = m.sample();
      expect(second.failed?.map((f) => f.pid)).toEqual([26231]);
      expect(second.rows.map((r) => r.pid)).toEqual(watched.filter((p) => p !== 26231));
      const third = m.sample();
      expect(third.failed?.map((f) => f.pid)).toEqual([26231]);
    } finally {
      m.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads a root of 700 tasks alike on the calling thread alone, with 1 or 3 threads beside it, and through node:fs: listings and samples', async () => {
    const pids = Array.from({ length: 700 }, (_, i) => 950 + i);
    const root = madeUpRoot('procspec-threads-', pids, (dir, pid) => {
      // Tasks without stat are gone; every 50th has a 100 KiB argument (batches outgrow their first buffer).
      if (pid % 97 !== 3) writeStat(dir, pid, pid % 300);
      writeFileSync(join(dir, String(pid), 'cmdline'), `prog\0${pid % 50 === 0 ? 'y'.repeat(100 * 1024) : pid}\0`);
    });
    try {
      const tree = new ProcFs({ root });
      const groups = ['base', 'cpu', 'cmdline'] as const;
      const alone = tree.processes({ groups: [...groups], threads: 0 });
      expect(alone.rows.length).toBe(pids.filter((p) => p % 97 !== 3).length);
      expect(alone.gone).toBe(700 - alone.rows.length);
      expect(alone.rows.find((r) => r.pid === 1050)?.cmdline).toEqual(['prog', 'y'.repeat(100 * 1024)]);
      // In ascending order of pid (as names, 1000 and up would sort before 950).
      expect(alone.rows.map((r) => r.pid)).toEqual(pids.filter((p) => p % 97 !== 3));
      for (const threads of [1, 3]) expect(tree.processes({ groups: [...groups], threads })).toEqual(alone);
      expect(tree.processes({ groups: [...groups], native: false })).toEqual(alone);
      // The refresh: two samples each, times moved in between; rows (less their rates) alike.
      const monitors = [
        tree.monitor({ groups: [...groups], threads: 0 }),
        tree.monitor({ groups: [...groups], threads: 3 }),
        tree.monitor({ groups: [...groups], native: false }),
      ];
      const firsts = monitors.map((m) => m.sample());
      for (const s of firsts) expect(s.rows).toEqual(alone.rows);
      for (const pid of pids) if (pid % 97 !== 3 && pid % 3 === 0) writeStat(root, pid, (pid % 300) + 7);
      const seconds = [monitors[0]!.sample(), monitors[1]!.sample(), await monitors[1]!.sampleAsync(), monitors[2]!.sample()];
      const plain = (rows: object[]) => rows.map((r) => ({ ...r, rates: undefined }));
      expect(seconds[0]!.rows.find((r) => r.pid === 1002)?.utime).toBeCloseTo(((1002 % 300) + 7) / 100);
      for (const s of seconds.slice(1)) expect(plain(s.rows)).toEqual(plain(seconds[0]!.rows));
      for (const s of seconds) expect(s.rows.every((r) => r.rates !== undefined)).toBe(true);
      for (const m of monitors) m.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.skipIf(native === undefined)('gives the same rows with the native batch reader as with node:fs', () => {
    const rows = (nat: boolean) => {
      const m = fs.monitor({ groups: ['base', 'cmdline'], native: nat });
      try {
        m.sample();
        return m
          .sample()
          .rows.filter((r) => r.pid < process.pid && !r.comm?.startsWith('kworker'))
          .map((r) => [r.pid, r.startTicks, r.comm, r.cmdline]);
      } finally {
        m.close();
      }
    };
    // The two monitors sample at different moments: compare the processes both saw.
    const a = rows(true);
    const b = rows(false);
    const inB = new Map(b.map((r) => [r[0], r]));
    const both = a.filter((r) => inB.has(r[0]));
    expect(both.length).toBeGreaterThan(0.9 * Math.max(a.length, b.length));
    for (const r of both) expect(r).toEqual(inB.get(r[0]));
  });

  it.skipIf(native === undefined)('sampleAsync reads the kept files in the thread pool and gives the rows sample() gives', async () => {
    // 300 sleeping children of one shell: more than one batch of the native reader, with two batches in flight.
    const sh = start('sh', ['-c', 'i=0; while [ $i -lt 300 ]; do sleep 60 & i=$((i+1)); done; wait']);
    const select = { childrenOf: sh.pid! };
    const rowsOf = (s: { rows: { pid: number; startTicks: number; comm?: string; state?: string; cmdline?: string[]; rates?: unknown }[] }) =>
      s.rows.map((r) => [r.pid, r.startTicks, r.comm, r.state, r.cmdline]);
    const sync = fs.monitor({ groups: ['base', 'cpu', 'cmdline'], select });
    const async = fs.monitor({ groups: ['base', 'cpu', 'cmdline'], select });
    // A budget far below the 600 files: evictions and reads by path while batches are in flight.
    const small = fs.monitor({ groups: ['base', 'cpu', 'cmdline'], select, maxOpenFiles: 100 });
    // Without the native reader sampleAsync is sample().
    const plain = fs.monitor({ groups: ['base', 'cpu', 'cmdline'], select, native: false });
    try {
      // Until every child has executed sleep and sleeps (a child still in sh, or running, would change between samples).
      const settled = () => sync.sample().rows.filter((r) => r.comm === 'sleep' && r.state === 'sleeping').length === 300;
      for (let i = 0; i < 100 && !settled(); i++) await sleep(50);
      const first = await async.sampleAsync();
      expect(first.rows.length).toBe(300);
      expect(first.started).toBe(300);
      await small.sampleAsync();
      await plain.sampleAsync();
      const [a, b, c, d] = [await async.sampleAsync(), sync.sample(), await small.sampleAsync(), await plain.sampleAsync()];
      expect(a.started).toBe(0);
      expect(a.openFiles).toBe(600);
      expect(c.openFiles).toBeLessThanOrEqual(100);
      expect(rowsOf(a)).toEqual(rowsOf(b));
      expect(rowsOf(c)).toEqual(rowsOf(b));
      expect(rowsOf(d)).toEqual(rowsOf(b));
      expect(d.started).toBe(0);
      expect(a.rows.every((r) => r.rates !== undefined && r.rates.cpuPercent >= 0)).toBe(true);
      // One sample at a time; close() while one is reading waits for it.
      const pending = async.sampleAsync();
      expect(() => async.sample()).toThrow(/already being taken/);
      async.close();
      expect((await pending).rows.length).toBe(300);
      const reopened = await async.sampleAsync();
      expect(reopened.started).toBe(300);
      // Processes that end between samples are counted once and have no row.
      execFileSync('pkill', ['-KILL', '-P', String(sh.pid)]);
      for (let i = 0; i < 100 && (await async.sampleAsync()).rows.length > 0; i++) await sleep(20);
      expect((await async.sampleAsync()).rows).toEqual([]);
    } finally {
      sync.close();
      async.close();
      small.close();
      plain.close();
      sh.kill('SIGKILL');
    }
  });

  it('takes a budget it is given up to the soft descriptor limit less 128, and a smaller one by default', () => {
    const soft = Number(readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)/m)![1]);
    const budgetOf = (maxOpenFiles?: number) => {
      const m = fs.monitor({ groups: ['base'], ...(maxOpenFiles === undefined ? {} : { maxOpenFiles }) });
      m.close();
      return m.budget;
    };
    expect(budgetOf(1 << 30)).toBe(soft - 128);
    expect(budgetOf(100)).toBe(100);
    expect(budgetOf()).toBe(Math.min(4096, soft - Math.max(1024, Math.floor(soft / 8))));
  });

  it('stays within its descriptor budget, closing the least recently used', () => {
    const m = fs.monitor({ groups: ['base', 'cmdline'], maxOpenFiles: 5 });
    try {
      const a = m.sample();
      const b = m.sample();
      expect(a.openFiles).toBeLessThanOrEqual(5);
      expect(b.openFiles).toBeLessThanOrEqual(5);
      expect(b.rows.length).toBeGreaterThan(3);
      expect(b.rows.filter((r) => r.rates !== undefined).length).toBe(b.rows.length - b.started);
    } finally {
      m.close();
    }
  });
});

describe('procspec ps', () => {
  it('prints a tree and sorts', () => {
    const r = runCli(['ps', '--tree', '--sort', 'pid', '-o', 'pid,ppid,comm']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\s*PID\s+PPID\s+COMMAND$/);
    expect(lines.some((l) => /\\_ /.test(l))).toBe(true);
    const bad = runCli(['ps', '-o', 'pid,nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown column nope/);
    // A folder that is not a procfs is a failure to read (1), not bad usage.
    const empty = mkdtempSync(join(tmpdir(), 'procspec-ps-'));
    const none = runCli(['ps', '--root', empty]);
    rmSync(empty, { recursive: true });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^procspec ps: .*not a procfs root/);
  });
  it.skipIf(!existsSync('/proc/1/stat'))('reads pid 1 alone', () => {
    const r = runCli(['ps', '--json', '-p', '1', '-o', 'pid,comm']);
    const out = JSON.parse(r.stdout) as { processes: { pid: number }[] };
    expect(out.processes.map((p) => p.pid)).toEqual([1]);
  });
});
