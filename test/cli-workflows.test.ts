/**
 * The CLI's workflows, run as a user runs them (spawned, checking stdout,
 * stderr and exit codes): watching counters and gauges, top, the
 * self-describing summary, auditing a kernel against the specs, and the
 * docs; --help on every command; colour and redraws only on a terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changes, leaves } from '../runtime/model/measures.js';
import { registry } from '../runtime/index.js';
import { CLI_LINE, repo, runCliAsync } from './support/cli.js';
import { corpusDir as corpus } from './support/corpus.js';

/** The command, spawned; the cases of each describe run side by side, so that its spawns keep both cores busy. */
const run = runCliAsync;
const lines = (s: string): unknown[] =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe.concurrent('watch', () => {
  it('piped: one JSON line per file per sample, counters as rates, gauges as levels', async () => {
    const r = await run(['watch', 'proc/stat', 'proc/meminfo', '-i', '200ms', '-n', '2']);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout) as { source: string; interval: number; rates: Record<string, number>; gauges: Record<string, number>; resets: unknown[] }[];
    expect(out.map((o) => o.source)).toEqual(['proc/stat', 'proc/meminfo', 'proc/stat', 'proc/meminfo']);
    const stat = out[2]!;
    expect(stat.interval).toBeGreaterThan(0.15);
    // CPU time is a counter: seconds of CPU per second, between 0 and the number of CPUs.
    const busy = stat.rates['cpu.user']! + stat.rates['cpu.system']! + stat.rates['cpu.idle']!;
    expect(busy).toBeGreaterThan(0);
    expect(busy).toBeLessThanOrEqual(os.cpus().length * 1.5);
    expect(stat.rates.ctxt).toBeGreaterThan(0);
    expect(stat.gauges.procsRunning).toBeGreaterThanOrEqual(1);
    const mem = out[3]!;
    expect(mem.gauges.memTotal).toBe(os.totalmem());
    expect(Object.keys(mem.rates)).toEqual([]);
  });

  it('a counter that went backwards is a reset, never a negative rate', async () => {
    const model = registry.find((e) => e.id === 'proc/net/dev')!.model;
    const row = (rx: number) => [{ kind: 'stats', iface: 'eth0', rxBytes: rx, txBytes: 10 }];
    const cs = changes(leaves(model, row(5000)), leaves(model, row(100)), 1);
    expect(cs.find((c) => c.path === '[eth0].rxBytes')).toEqual({ path: '[eth0].rxBytes', measure: 'counter', reset: true, value: 100, previous: 5000 });
    expect(cs.find((c) => c.path === '[eth0].txBytes')).toMatchObject({ perSecond: 0 });
  });

  it('bad usage exits 2 with the reason on stderr', async () => {
    const bad = await run(['watch', 'proc/meminfo', '-i', 'soon', '-n', '1']);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/bad interval "soon"/)]);
    const pattern = await run(['watch', 'proc/loadavg', '--match', '(', '-n', '1']);
    expect([pattern.status, pattern.stderr]).toEqual([2, expect.stringMatching(/bad --match "\("/)]);
    const unknown = await run(['watch', 'proc/nothing', '-n', '1']);
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringMatching(/no spec named proc\/nothing/)]);
  });

  it('a file whose text does not fit its spec is an error record of that sample, naming file, line and column; watching goes on', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'procspec-watch-'));
    writeFileSync(join(root, 'loadavg'), '0.10 0.20 zero 1/100 42\n');
    const r = await run(['watch', 'proc/loadavg', '--root', root, '-i', '100ms', '-n', '2']);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout) as { source: string; error?: { code: string; message: string } }[];
    expect(out).toHaveLength(2);
    for (const o of out) expect(o.error).toEqual({ code: 'parse', message: `${root}/loadavg:1:11: expected a decimal number, found "zero"` });
  });
});

describe('top', () => {
  it('piped: one JSON line per sample with the processes using the most CPU first', async () => {
    // A process that spins is shown with its command line and some CPU use; the limit is wide because on a busy
    // machine (two test runs at once) a dozen other processes may be as busy within one 200 ms sample.
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}', 'procspec-top-spinner']);
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run(['top', '-i', '200ms', '-n', '2', '--limit', '1000']);
    } finally {
      busy.kill('SIGKILL');
    }
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout) as { processes: number; top: { pid: number; cpuPercent: number; rssBytes: number; command: string }[] }[];
    expect(out).toHaveLength(2);
    const spinner = out[1]!.top.find((p) => p.pid === busy.pid);
    expect(spinner?.command).toBe(`${process.execPath} -e for (;;) {} procspec-top-spinner`);
    expect(spinner!.cpuPercent).toBeGreaterThan(0);
    for (const s of out) {
      for (const p of s.top) expect(p.command.length).toBeGreaterThan(0);
      expect(s.top.length).toBeGreaterThan(0);
      expect(s.processes).toBeGreaterThan(s.top.length - 1);
      const cpu = s.top.map((p) => p.cpuPercent);
      expect(cpu).toEqual([...cpu].sort((a, b) => b - a));
    }
    expect((await run(['top', '--sort', 'colour', '-n', '1'])).status).toBe(2);
    // A fractional count is refused, as watch refuses it (it used to run three samples).
    const frac = await run(['top', '-i', '100ms', '-n', '2.5']);
    expect(frac.status).toBe(2);
    expect(frac.stdout).toBe('');
    expect(frac.stderr).toMatch(/bad --count 2\.5/);
  });
});

describe.concurrent('summary', () => {
  it('is self-describing: format version, start and end, the kernel, its sources, bytes and seconds', async () => {
    const r = await run(['summary', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.format).toEqual({ name: 'procspec-summary', version: expect.stringMatching(/^1\.\d+$/) });
    expect(Date.parse(s.snapshot.endedAt)).toBeGreaterThanOrEqual(Date.parse(s.snapshot.startedAt));
    expect(s.kernel.release).toBe(os.release());
    expect(s.sources).toEqual([
      '/proc/version',
      '/proc/uptime',
      '/proc/loadavg',
      '/proc/stat',
      '/proc/meminfo',
      '/proc/pressure/cpu',
      '/proc/pressure/memory',
      '/proc/pressure/io',
      '/proc/diskstats',
      '/proc/net/dev',
    ]);
    expect(s.memory.totalBytes).toBe(os.totalmem());
    expect(s.cpu.count).toBe(os.cpus().length);
    expect(Math.abs(s.uptimeSeconds - os.uptime())).toBeLessThan(5);
  });

  it('--shell writes Name=value lines that bash sources', async () => {
    const r = spawnSync('bash', ['-c', `eval "$(${CLI_LINE} summary --shell)" && echo "$memory_totalBytes|$kernel_release|$format_version|$kernel_build"`], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const [total, release, version, build] = r.stdout.trim().split('|');
    expect([Number(total), release, version]).toEqual([os.totalmem(), os.release(), '1.0']);
    expect(build).toBe(
      readFileSync('/proc/version', 'utf8')
        .match(/(#\S+.*?)$/m)?.[1]
        ?.trim() ?? build,
    );
  });

  it.skipIf(!readFileSafe(join(corpus, 'prometheus-procfs', 'proc', 'meminfo')))('reads a captured tree, and says which files it could not read', async () => {
    const r = await run(['summary', '--json', '--root', join(corpus, 'prometheus-procfs', 'proc')]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.memory.totalBytes).toBeGreaterThan(0);
    // This copy has no version or uptime file: said, with the file, not fatal.
    expect(s.problems.map((x: { source: string; code: string }) => [x.source.split('/').pop(), x.code])).toEqual([
      ['version', 'unsupported'],
      ['uptime', 'unsupported'],
    ]);
  });
});

function readFileSafe(p: string): boolean {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
}

describe.concurrent('audit', () => {
  it('on the live kernel: lists files no spec covers and exits 1, as JSON too', async () => {
    const r = await run(['audit', '--json']);
    expect(r.status).toBe(1);
    const a = JSON.parse(r.stdout);
    expect(a.checked).toBeGreaterThan(50);
    expect(a.unspecified.length).toBeGreaterThan(0);
    expect(a.unspecified).not.toContain('meminfo');
    expect(a.kernel).toBe(os.release());
  });

  it('a captured tree the specs cover is no drift (exit 0); a key the spec does not name is (exit 1)', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'procspec-audit-'));
    // /proc files report size 0: copied by reading them, as copyFileSync would copy nothing.
    for (const f of ['meminfo', 'stat', 'loadavg', 'uptime', 'version']) writeFileSync(join(root, f), readFileSync(`/proc/${f}`));
    mkdirSync(join(root, 'sys', 'kernel'), { recursive: true });
    const clean = await run(['audit', '--root', root]);
    expect([clean.status, clean.stdout]).toEqual([0, expect.stringMatching(/drift: none/)]);
    appendFileSync(join(root, 'meminfo'), 'NewCounter:      42 kB\n');
    const drift = await run(['audit', '--root', root]);
    expect(drift.status).toBe(1);
    expect(drift.stdout).toMatch(/proc\/meminfo: extra\.NewCounter/);
  });
});

describe.concurrent('docs, --help, and terminals', () => {
  it('docs prints the index or one spec page; an unknown spec exits 2', async () => {
    expect((await run(['docs'])).stdout).toMatch(/\[proc\/meminfo\]\(proc\/meminfo\.md\)/);
    expect((await run(['docs', 'proc/stat'])).stdout).toMatch(/\| `ctxt` \| `ctxt` \| integer \| counter \|/);
    expect((await run(['docs', 'proc/nothing'])).status).toBe(2);
  });

  it('every command has --help', async () => {
    const cmds = ['parse', 'list', 'ps', 'summary', 'watch', 'top', 'audit', 'docs'];
    const runs = await Promise.all(cmds.map((cmd) => run([cmd, '--help'])));
    for (const [i, cmd] of cmds.entries()) {
      const r = runs[i]!;
      expect([cmd, r.status]).toEqual([cmd, 0]);
      expect(r.stdout).toMatch(new RegExp(`Usage: procspec ${cmd}`));
    }
  });

  // `script` gives the command a terminal: a redrawn table there; colour only without NO_COLOR.
  it.skipIf(spawnSync('sh', ['-c', 'command -v script']).status !== 0)('on a terminal: a table, redrawn; piped: no control codes', async () => {
    const onTty = (env: string) =>
      spawnSync('script', ['-qec', `${env} ${CLI_LINE} watch proc/loadavg -i 200ms -n 1 --match load1`, '/dev/null'], {
        cwd: repo,
        encoding: 'utf8',
      });
    const tty = onTty('');
    expect(tty.status, tty.stderr).toBe(0);
    expect(tty.stdout).toContain('\x1b[2J');
    expect(tty.stdout).toMatch(/load1\s+gauge/);
    expect(tty.stdout).toContain('\x1b[2m');
    expect(onTty('NO_COLOR=1').stdout).not.toContain('\x1b[2m');
    expect((await run(['watch', 'proc/loadavg', '-i', '200ms', '-n', '1'])).stdout).not.toContain('\x1b');
  });
});

describe.skipIf(!readFileSafe(join(corpus, 'prometheus-procfs', 'proc', 'meminfo')))('every command on a captured tree (the corpus)', () => {
  const root = join(corpus, 'prometheus-procfs', 'proc');
  it('watch, top, ps, audit and summary read it; a damaged process file is reported, not fatal', async () => {
    const watch = await run(['watch', '--root', root, '-i', '100ms', '-n', '1']);
    expect(watch.status, watch.stderr).toBe(0);
    const w = lines(watch.stdout) as { source: string; gauges: Record<string, number> }[];
    expect(w.find((x) => x.source === 'proc/meminfo')!.gauges.memTotal).toBe(
      Number(/MemTotal:\s+(\d+)/.exec(readFileSync(join(root, 'meminfo'), 'utf8'))![1]) * 1024,
    );
    const top = await run(['top', '--root', root, '-i', '100ms', '-n', '1']);
    expect(top.status, top.stderr).toBe(0);
    expect((lines(top.stdout)[0] as { top: { pid: number }[] }).top.map((p) => p.pid)).toContain(26231);
    const ps = await run(['ps', '--root', root, '--json']);
    expect(ps.status, ps.stderr).toBe(0);
    const listing = JSON.parse(ps.stdout) as { processes: { pid: number }[]; failed?: { pid: number; error: string }[] };
    expect(listing.processes.map((p) => p.pid)).toContain(26231);
    // 26232/stat holds an exit_signal of -2^63: within 64 bits, so it is read (docs/numbers.md), not left out.
    expect(listing.processes.map((p) => p.pid)).toContain(26232);
    expect(listing.failed).toBeUndefined();
    const audit = await run(['audit', '--root', root, '--json']);
    expect(audit.status).toBe(1);
    expect((JSON.parse(audit.stdout) as { checked: number }).checked).toBeGreaterThan(10);
  });
});
