/**
 * Reliability on the live kernel: processes that end while they are read,
 * files larger than any fixed buffer (compared with ss, wc and findmnt),
 * process names chosen to break parsers, permissions (as the user nobody,
 * and on a procfs mounted with hidepid=2 in a private mount namespace), and
 * files this kernel does not offer.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcFs } from '../runtime/index.js';
import { ProcfsError } from '../runtime/core/errors.js';
import { readViewSync } from '../runtime/reading/read.js';
import { streamCounts, streamedReads } from '../runtime/reading/streamed-read.js';
import { repo, runAsync } from './support/cli.js';

const fs = new ProcFs();
const root = process.getuid?.() === 0;
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof ProcfsError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('processes that end while they are read', () => {
  it('under thousands of short-lived processes: every listed task is a row or counted as gone, and a per-pid read gives a value or not_found', async () => {
    const churn = spawn('bash', ['-c', 'while :; do (exec true); done'], { stdio: 'ignore' });
    children.push(churn);
    let listings = 0;
    let gone = 0;
    let reads = 0;
    let vanished = 0;
    // Enough work is counted, not a span of time (a loaded machine does less in a second); the limit only stops a hung run.
    const enough = (): boolean => listings > 10 && reads > 500 && gone + vanished > 0;
    const limit = Date.now() + 200_000;
    while (!enough() && Date.now() < limit && churn.exitCode === null) {
      const l = fs.processes({ groups: ['base', 'cmdline', 'io', 'statm'] });
      listings++;
      gone += l.gone;
      expect(l.rows.length + l.gone + (l.failed?.length ?? 0)).toBe(l.listed);
      // The newest pids are the short-lived ones: read each file of them on its own.
      for (const r of l.rows.slice(-20)) {
        for (const id of ['proc/pid/stat', 'proc/pid/status', 'proc/pid/cmdline', 'proc/pid/io', 'proc/pid/smaps_rollup'] as const) {
          reads++;
          const code = codeOf(() => fs.read(id, { pid: r.pid }));
          expect(['ok', 'not_found'], `${id} of ${r.pid}`).toContain(code);
          if (code === 'not_found') vanished++;
        }
      }
      await sleep(1);
    }
    churn.kill();
    expect(listings).toBeGreaterThan(10);
    expect(reads).toBeGreaterThan(500);
    // The point of the test: some processes did vanish in the middle.
    expect(gone + vanished).toBeGreaterThan(0);
  });
});

describe('adversarial process names', () => {
  const names = ['a) R 1 (b', ') R 1 2 (', 'x\ny z', ' (()) ', 'tab\there', 'back\\slash', '0 0 0 0 0 0 0', ')'];
  it.skipIf(!has('python3')).each(names)('a process named %j reads back with that name from stat, status and a listing', async (name) => {
    // Only a thread of the process may rename it: the child names itself, then waits.
    const child = spawn(
      'python3',
      ['-c', "import sys, time; open('/proc/self/comm', 'w').write(sys.argv[1]); print('ready', flush=True); time.sleep(30)", name],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    await new Promise((r) => child.stdout!.once('data', r));
    const pid = child.pid!;
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8')).toBe(`${name}\n`);
    expect(fs.read('proc/pid/stat', { pid }).comm).toBe(name);
    expect(fs.read('proc/pid/status', { pid }).name).toBe(name);
    const row = fs.processes({ groups: ['base'], select: { pid } }).rows[0]!;
    expect([row.comm, row.ppid]).toEqual([name, process.pid]);
    child.kill('SIGKILL');
  });
});

describe('files larger than any fixed buffer parse whole', () => {
  const loadDir = mkdtempSync(join(os.tmpdir(), 'procspec-load-'));
  const makeLoad = join(loadDir, 'make-load');
  const cc = has('cc') && spawnSync('cc', ['-O2', '-o', makeLoad, join(repo, 'bench', 'c', 'make-load.c')]).status === 0;

  async function withLoad(kind: string, n: number, f: (pid: number) => void): Promise<void> {
    const child = spawn(makeLoad, [kind, String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString()));
      child.once('exit', (code) => reject(new Error(`make-load ${kind} exited with ${code}`)));
    });
    try {
      f(Number(/ready (\d+)/.exec(line)![1]));
    } finally {
      child.stdin!.end();
      child.kill();
    }
  }

  it.skipIf(!cc || !has('ss'))('net/unix with 10,000 sockets: every socket of the process, as ss sees them', async () => {
    await withLoad('unix', 10000, (pid) => {
      const mine = new Set(
        readdirSync(`/proc/${pid}/fd`)
          .map((fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1])
          .filter((x) => x !== undefined)
          .map(Number),
      );
      // 10,000 made, and the sockets Node gave the process for its stdin and stdout.
      expect(mine.size).toBeGreaterThanOrEqual(10000);
      const parsed = fs.read('proc/net/unix').filter((s) => mine.has((s as { inode?: number }).inode ?? -1)).length;
      const ss = execFileSync('ss', ['-xaH'], { encoding: 'utf8', maxBuffer: 1 << 28 })
        .split('\n')
        .filter((l) => mine.has(Number(l.trim().split(/\s+/)[5]))).length;
      expect([parsed, ss]).toEqual([mine.size, mine.size]);
    });
  });

  it.skipIf(!cc)('maps of a process with 10,000 mappings: as many as wc -l counts', async () => {
    await withLoad('maps', 10000, (pid) => {
      const maps = fs.read('proc/pid/maps', { pid });
      const wc = Number(execFileSync('sh', ['-c', `wc -l < /proc/${pid}/maps`], { encoding: 'utf8' }).trim());
      expect(maps.length).toBeGreaterThanOrEqual(10000);
      expect(maps.length).toBe(wc);
      // Read on a thread of its own while parsed in pieces: what parsing the whole text gives (the process is idle, its maps do not change).
      const handedOver = streamCounts.handedOver;
      expect(fs.read('proc/pid/maps', { pid })).toEqual(fs.parse('proc/pid/maps', Buffer.from(readViewSync(`/proc/${pid}/maps`))));
      if (streamedReads) expect(streamCounts.handedOver).toBe(handedOver + 1);
      const smaps = fs.read('proc/pid/smaps', { pid });
      expect(smaps.length).toBe(wc);
    });
  });

  it.skipIf(!cc || !root || !has('findmnt'))('mountinfo of a private mount namespace with 10,000 mounts: as many as findmnt lists', async () => {
    await withLoad('mounts', 10000, (pid) => {
      const mounts = fs.read('proc/pid/mountinfo', { pid });
      const findmnt = execFileSync('findmnt', ['--task', String(pid), '--raw', '--noheadings', '--output', 'TARGET'], { encoding: 'utf8', maxBuffer: 1 << 28 })
        .trim()
        .split('\n').length;
      expect(mounts.length).toBeGreaterThan(10000);
      expect(mounts.length).toBe(findmnt);
      expect(fs.read('proc/pid/mountinfo', { pid })).toEqual(fs.parse('proc/pid/mountinfo', Buffer.from(readViewSync(`/proc/${pid}/mountinfo`))));
    });
  });
});

describe.skipIf(!root)('permissions', () => {
  /** as-nobody-read.ts with ARGS, spawned: its exit status, stdout and stderr. */
  const asNobody = (...args: string[]) => runAsync([process.execPath, '--import', 'tsx', join(repo, 'test', 'support', 'as-nobody-read.ts')], args);

  it('as nobody, root-only files give the typed permission error', async () => {
    // One process for the four reads: a start through tsx loads the runtime, some 2.5 s of CPU.
    const r = await asNobody('read', 'proc/slabinfo=1', `proc/pid/environ=1,${process.pid}`, 'proc/pid/io=1', 'proc/pid/stat=1');
    expect(r.status, r.stderr).toBe(0);
    const all = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; pid: string; code?: string; ok?: boolean });
    const lines = (id: string) => all.filter((l) => l.id === id);
    // slabinfo is mode 0400 root; pid 1's environ and io need ptrace access to a root process.
    expect(lines('proc/slabinfo').map((l) => l.code)).toEqual(['permission']);
    expect(lines('proc/pid/environ').map((l) => l.code)).toEqual(['permission', 'permission']);
    expect(lines('proc/pid/io').map((l) => l.code)).toEqual(['permission']);
    // What nobody may read, it reads.
    expect(lines('proc/pid/stat').map((l) => l.ok)).toEqual([true]);
  });

  it.skipIf(!has('unshare'))('on a procfs mounted with hidepid=2, a listing has the visible processes and says the others are hidden', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'procspec-hidepid-'));
    const script = `mount -t proc -o hidepid=2 proc '${dir}' && exec '${process.execPath}' --import tsx '${join(repo, 'test', 'support', 'as-nobody-read.ts')}' list '${dir}'`;
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { cwd: repo, encoding: 'utf8' });
    rmdirSync(dir);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: number; uids: number[]; hidden: string | null };
    expect(out.hidden).toMatch(/^hidepid=(2|invisible)$/);
    // Only nobody's own processes (the listing process itself) are visible.
    expect(out.rows).toBeGreaterThanOrEqual(1);
    expect(out.uids).toEqual([65534]);
    expect(out.rows).toBeLessThan(fs.processes({ groups: [] }).rows.length);
  });
});

describe('files this kernel does not offer', () => {
  it.skipIf(!root)('a cgroup with pressure accounting turned off: its pressure file is unsupported, not a parse error', () => {
    const cg2 = fs.read('proc/pid/mountinfo', { pid: process.pid }).find((m) => m.fsType === 'cgroup2')?.mountPoint;
    if (cg2 === undefined) return;
    const name = `procspec-nopsi-${process.pid}`;
    mkdirSync(join(cg2, name));
    try {
      const withPsi = new ProcFs({ cgroupRoot: cg2 });
      expect(withPsi.read('proc/pressure', { cgroup: name, resource: 'cpu' }).some).toBeDefined();
      writeFileSync(join(cg2, name, 'cgroup.pressure'), '0');
      expect(codeOf(() => withPsi.read('proc/pressure', { cgroup: name, resource: 'cpu' }))).toBe('unsupported');
    } finally {
      rmdirSync(join(cg2, name));
    }
  });

  it('a system file the kernel lacks is unsupported; a file of a process that is gone is not_found', async () => {
    // sched_debug is in /proc before 5.13 and in debugfs since (where debugfs is mounted).
    for (const [id, paths] of [
      ['proc/schedstat', ['/proc/schedstat']],
      ['proc/mdstat', ['/proc/mdstat']],
      ['proc/sched_debug', ['/proc/sched_debug', '/sys/kernel/debug/sched/debug']],
    ] as const) {
      let present = false;
      for (const path of paths) {
        try {
          readFileSync(path);
          present = true;
        } catch {
          // not here
        }
      }
      if (!present) {
        expect(
          codeOf(() => fs.read(id)),
          id,
        ).toBe('unsupported');
        await expect(fs.readAsync(id)).rejects.toMatchObject({ code: 'unsupported' });
      }
    }
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    expect(codeOf(() => fs.read('proc/pid/stat', { pid: child.pid! }))).toBe('not_found');
  });
});
