/**
 * Process groups on real processes the test starts: copies of sleep and of
 * sh under names of its own, so that their comm and command line are known.
 * The exporter's numbers are checked against the processes' own /proc files
 * read at the same time (stopped processes, whose counters stand still while
 * they are read): matching and first-match-wins, a member that exits leaves
 * its group's counters where they were, a new member adds only what it does
 * after it is first seen, an empty group goes away after the set time
 * (driven by an injected clock).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGroupsConfig } from '../../exporter/groups/config.js';
import { Exporter } from '../../exporter/index.js';
import { TEXT } from '../../exporter/exposition.js';
import { ProcFs } from '../../runtime/index.js';

const dir = mkdtempSync(join(tmpdir(), 'procspec-groups-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of a program under `name` (its comm), started with `args`. */
function start(program: string, name: string, args: string[]): ChildProcess {
  const path = join(dir, name);
  try {
    copyFileSync(program, path, 1 /* COPYFILE_EXCL */);
  } catch {
    // already copied
  }
  const c = spawn(path, args, { stdio: 'ignore' });
  children.push(c);
  return c;
}

const fs = new ProcFs({ bigint: true });
const HZ = fs.facts().clockTick;
const PAGE = fs.facts().pageSize;

/** /proc/PID/stat's fields after the comm, numbered as proc(5) numbers them from 3 (state). */
function stat(pid: number): {
  state: string;
  minflt: number;
  majflt: number;
  utime: number;
  stime: number;
  threads: number;
  start: number;
  vsize: number;
  rss: number;
} {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (field: number) => Number(f[field - 3]);
  return { state: f[0]!, minflt: n(10), majflt: n(12), utime: n(14), stime: n(15), threads: n(20), start: n(22), vsize: n(23), rss: n(24) };
}

const status = (pid: number, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Waits (polling, no clock) until `f` holds. */
async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 20));
}

/** The started processes once each has executed its program (its comm is the copy's name). */
async function ready(cs: ChildProcess[], name: string): Promise<number[]> {
  const pids = cs.map((c) => c.pid!);
  await until(() => pids.every((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === name));
  return pids;
}

const stop = async (pids: number[]): Promise<void> => {
  for (const p of pids) process.kill(p, 'SIGSTOP');
  await until(() => pids.every((p) => stat(p).state === 'T'));
};

/** The series of a scrape by `name{labels}`. */
async function scrape(e: Exporter): Promise<Map<string, number>> {
  const s = await e.scrape();
  expect(s.results.map((r) => [r.name, r.success, r.error])).toEqual([['process_groups', true, undefined]]);
  const out = new Map<string, number>();
  for (const line of s.text(TEXT).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const P = 'procspec_process_groups_';
const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function exporter(config: string, now?: () => number, removeEmptyAfterMs?: number): Exporter {
  return new Exporter(fs, {
    disableDefaults: true,
    processGroups: {
      config: parseGroupsConfig(config, 'groups.yaml'),
      ...(now ? { now } : {}),
      ...(removeEmptyAfterMs !== undefined ? { removeEmptyAfterMs } : {}),
    },
  });
}

describe('process groups on real processes', () => {
  it('the first rule that matches names the group; gauges are the members’ /proc values', async () => {
    const alphas = await ready([start('/usr/bin/sleep', 'pgt-alpha', ['600']), start('/usr/bin/sleep', 'pgt-alpha', ['600'])], 'pgt-alpha');
    const betas = await ready([start('/usr/bin/sleep', 'pgt-beta', ['600'])], 'pgt-beta');
    const e = exporter(`process_names:
  - name: alpha
    comm: [pgt-alpha]
  - name: "any-{{.Comm}}-{{.Matches.n}}"
    cmdline: ['^\\S*/pgt-\\w+ (?P<n>600)$']
`);
    try {
      // Resident and swapped memory of an idle process still move when the machine reclaims memory: the scrape's value
      // lies between what the files say just before it and just after.
      const memory = (pids: readonly number[]) => ({
        rss: sum(pids.map((p) => stat(p).rss * PAGE)),
        swap: sum(pids.map((p) => status(p, 'VmSwap') * 1024)),
      });
      const before = new Map([alphas, betas].map((pids) => [pids, memory(pids)]));
      const s = await scrape(e);
      const groups = [...s.keys()].filter((k) => k.startsWith(`${P}num_procs{`));
      expect(groups).toEqual([`${P}num_procs{groupname="alpha"}`, `${P}num_procs{groupname="any-pgt-beta-600"}`]);
      const between = (v: number | undefined, a: number, b: number) => {
        expect(v).toBeGreaterThanOrEqual(Math.min(a, b));
        expect(v).toBeLessThanOrEqual(Math.max(a, b));
      };
      for (const [name, pids] of [
        ['alpha', alphas],
        ['any-pgt-beta-600', betas],
      ] as const) {
        const l = `groupname="${name}"`;
        const st = pids.map(stat);
        expect(s.get(`${P}num_procs{${l}}`)).toBe(pids.length);
        expect(s.get(`${P}num_threads{${l}}`)).toBe(sum(st.map((x) => x.threads)));
        const [was, now] = [before.get(pids)!, memory(pids)];
        between(s.get(`${P}memory_bytes{${l},memtype="resident"}`), was.rss, now.rss);
        expect(s.get(`${P}memory_bytes{${l},memtype="virtual"}`)).toBe(sum(st.map((x) => x.vsize)));
        between(s.get(`${P}memory_bytes{${l},memtype="swap"}`), was.swap, now.swap);
        expect(s.get(`${P}open_filedesc{${l}}`)).toBe(sum(pids.map((p) => readdirSync(`/proc/${p}/fd`).length)));
        expect(s.get(`${P}oldest_start_time_seconds{${l}}`)).toBeCloseTo(btime + Math.min(...st.map((x) => x.start)) / HZ, 6);
        // First seen in this scrape: what the members did before adds nothing (each has faulted in pages already).
        expect(st.every((x) => x.minflt > 0)).toBe(true);
        expect(s.get(`${P}minor_page_faults_total{${l}}`)).toBe(0);
        expect(s.get(`${P}cpu_seconds_total{${l},mode="user"}`)).toBe(0);
      }
    } finally {
      e.close();
    }
  });

  it('a member that exits leaves the counters where they were; the others add what they did between scrapes', async () => {
    const busy = await ready(
      [start('/bin/sh', 'pgt-busy', ['-c', 'while :; do :; done']), start('/bin/sh', 'pgt-busy', ['-c', 'while :; do :; done'])],
      'pgt-busy',
    );
    const e = exporter('process_names:\n  - name: busy\n    comm: [pgt-busy]\n');
    const cpu = (s: Map<string, number>, mode: string) => s.get(`${P}cpu_seconds_total{groupname="busy",mode="${mode}"}`)!;
    const faults = (s: Map<string, number>) => s.get(`${P}minor_page_faults_total{groupname="busy"}`)!;
    /** Lets the processes run until each has used `ticks` more clock ticks, then stops them. */
    const run = async (pids: number[], ticks: number) => {
      const from = pids.map((p) => stat(p).utime + stat(p).stime);
      for (const p of pids) process.kill(p, 'SIGCONT');
      await until(() => pids.every((p, i) => stat(p).utime + stat(p).stime >= from[i]! + ticks));
      await stop(pids);
    };
    try {
      await stop(busy);
      const s1 = await scrape(e);
      const at1 = busy.map(stat);
      expect(cpu(s1, 'user') + cpu(s1, 'system')).toBe(0);
      await run(busy, 3);
      const s2 = await scrape(e);
      const at2 = busy.map(stat);
      expect(cpu(s2, 'user')).toBeCloseTo(sum(at2.map((x, i) => x.utime - at1[i]!.utime)) / HZ, 9);
      expect(cpu(s2, 'system')).toBeCloseTo(sum(at2.map((x, i) => x.stime - at1[i]!.stime)) / HZ, 9);
      expect(faults(s2)).toBe(sum(at2.map((x, i) => x.minflt - at1[i]!.minflt)));
      expect(cpu(s2, 'user') + cpu(s2, 'system')).toBeGreaterThanOrEqual((2 * 3) / HZ);

      // One member ends: the group keeps what it counted, and has one process.
      const gone = children.find((c) => c.pid === busy[0])!;
      const exited = new Promise((r) => gone.once('exit', r));
      process.kill(busy[0]!, 'SIGKILL');
      await exited;
      const s3 = await scrape(e);
      expect(s3.get(`${P}num_procs{groupname="busy"}`)).toBe(1);
      for (const mode of ['user', 'system']) expect(cpu(s3, mode)).toBe(cpu(s2, mode));
      expect(faults(s3)).toBe(faults(s2));

      await run([busy[1]!], 3);
      const s4 = await scrape(e);
      const at4 = stat(busy[1]!);
      expect(cpu(s4, 'user') + cpu(s4, 'system')).toBeCloseTo(
        cpu(s3, 'user') + cpu(s3, 'system') + (at4.utime + at4.stime - at2[1]!.utime - at2[1]!.stime) / HZ,
        9,
      );
      expect(faults(s4)).toBe(faults(s3) + at4.minflt - at2[1]!.minflt);
      process.kill(busy[1]!, 'SIGKILL');
    } finally {
      e.close();
    }
  });

  it('a group that stays empty goes away after the set time (an injected clock)', async () => {
    let clock = 1_000_000;
    const e = exporter('process_names:\n  - name: short\n    comm: [pgt-short]\n', () => clock, 60_000);
    const [pid] = await ready([start('/usr/bin/sleep', 'pgt-short', ['600'])], 'pgt-short');
    const procs = `${P}num_procs{groupname="short"}`;
    try {
      expect((await scrape(e)).get(procs)).toBe(1);
      const c = children.find((x) => x.pid === pid)!;
      const exited = new Promise((r) => c.once('exit', r));
      process.kill(pid!, 'SIGKILL');
      await exited;
      clock += 1000;
      expect((await scrape(e)).get(procs)).toBe(0);
      clock += 59_999;
      expect((await scrape(e)).get(procs)).toBe(0);
      clock += 1;
      const s = await scrape(e);
      expect([...s.keys()].filter((k) => k.includes('groupname="short"'))).toEqual([]);
    } finally {
      e.close();
    }
  });
});
