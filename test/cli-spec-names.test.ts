/**
 * A spec is named the same way by every command that takes one (watch,
 * docs, parse --as): its id, a short name, or the path of a file it reads
 * (cli/resolve-spec.ts); a name that names nothing lists the nearest ids.
 */
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../cli/resolve-spec.js';
import { UsageError } from '../cli/usage.js';
import { registry, writers } from '../runtime/index.js';
import { runCliAsync as runCli } from './support/cli.js';

const idOf = (word: string) => resolveSpec(word, registry).entry.id;
const thrown = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no error');
};

describe('resolveSpec', () => {
  it('takes the id, the id without proc/, or the one id a name ends', () => {
    expect(idOf('proc/meminfo')).toBe('proc/meminfo');
    expect(idOf('meminfo')).toBe('proc/meminfo');
    expect(idOf('net/dev')).toBe('proc/net/dev');
    expect(idOf('pid/stat')).toBe('proc/pid/stat');
    expect(idOf('stat')).toBe('proc/stat'); // proc/stat, not proc/pid/stat
    expect(idOf('limits')).toBe('proc/pid/limits');
    expect(idOf('memory.current')).toBe('sys/fs/cgroup/memory.current');
    // cgroup2's cpu.stat and cgroup v1's cpu controller's: a name both end in is refused, with both ids.
    expect(thrown(() => idOf('cpu.stat'))).toBe('cpu.stat names several specs: sys/fs/cgroup/cpu.stat, sys/fs/cgroup/cpu/cpu.stat; give one of them');
    expect(resolveSpec('clear_refs', [...registry, ...writers]).entry.id).toBe('proc/pid/clear_refs');
  });

  it('takes the path of a file the spec reads, and gives the file back', () => {
    expect(resolveSpec('/proc/meminfo', registry)).toMatchObject({ entry: { id: 'proc/meminfo' }, file: '/proc/meminfo' });
    expect(resolveSpec('/proc/1/stat', registry)).toMatchObject({ entry: { id: 'proc/pid/stat' }, file: '/proc/1/stat' });
    expect(resolveSpec('./saved/1234/io', registry)).toMatchObject({ entry: { id: 'proc/pid/io' }, file: './saved/1234/io' });
    expect(resolveSpec('/sys/fs/cgroup/system.slice/memory.max', registry).entry.id).toBe('sys/fs/cgroup/memory.max');
  });

  it('refuses a name or path that names no spec, with the nearest ids; and a name several ids end in', () => {
    expect(thrown(() => idOf('memnifo'))).toBe('no spec named memnifo (nearest: proc/meminfo, sys/devices/system/node/node/meminfo); see `procspec list`');
    expect(thrown(() => idOf('net/devv'))).toMatch(/^no spec named net\/devv \(nearest: proc\/net\/dev\b/);
    expect(thrown(() => idOf('zzzzzz'))).toBe('no spec named zzzzzz; see `procspec list`');
    expect(idOf('/sys/block/sda/stat')).toBe('sys/block/dev/stat');
    expect(thrown(() => idOf('/sys/block/sda/device/stat'))).toMatch(/^no spec reads \/sys\/block\/sda\/device\/stat \(nearest: .*proc\/stat/);
    expect(thrown(() => idOf('clear_refs'))).toMatch(/no spec named clear_refs/); // write-only: not among the specs parse and watch read
    const twins = [
      { id: 'proc/a/x', model: { paths: ['/proc/a/x'] } },
      { id: 'sys/b/x', model: { paths: ['/sys/b/x'] } },
    ];
    expect(thrown(() => resolveSpec('x', twins))).toBe('x names several specs: proc/a/x, sys/b/x; give one of them');
  });
});

describe.concurrent('commands name specs alike', { timeout: 60_000 }, () => {
  it('watch takes a short name, a file path, and a short name with parameters', async () => {
    const r = await runCli(['watch', 'meminfo', '/proc/loadavg', `pid/stat:pid=${process.pid}`, '-i', '100ms', '-n', '1']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; gauges: Record<string, number> });
    expect(lines.map((l) => l.source)).toEqual(['meminfo', '/proc/loadavg', `pid/stat:pid=${process.pid}`]);
    expect(lines[0]!.gauges.memTotal).toBeGreaterThan(0);
    expect(lines[1]!.gauges.load1).toBeGreaterThanOrEqual(0);
  });

  it('watch, docs and parse --as refuse a name that names nothing with the nearest ids, exit 2', async () => {
    const watch = await runCli(['watch', 'memnifo', '-n', '1']);
    expect([watch.status, watch.stderr]).toEqual([
      2,
      'procspec watch: no spec named memnifo (nearest: proc/meminfo, sys/devices/system/node/node/meminfo); see `procspec list`\n',
    ]);
    const docs = await runCli(['docs', 'memnifo']);
    expect([docs.status, docs.stderr]).toEqual([
      2,
      'procspec docs: no spec named memnifo (nearest: proc/meminfo, sys/devices/system/node/node/meminfo); see `procspec list`\n',
    ]);
    const parse = await runCli(['parse', '--as', 'memnifo', '/proc/meminfo']);
    expect([parse.status, parse.stdout, parse.stderr]).toEqual([
      2,
      '',
      'procspec parse: no spec named memnifo (nearest: proc/meminfo, sys/devices/system/node/node/meminfo); see `procspec list`\n',
    ]);
  });

  it('docs and parse --as take a short name and a file path', async () => {
    expect((await runCli(['docs', 'meminfo'])).stdout).toMatch(/from specs\/proc\/meminfo\.yaml/);
    expect((await runCli(['docs', '/proc/net/dev'])).stdout).toMatch(/from specs\/proc\/net\/dev\.yaml/);
    const r = await runCli(['parse', '--as', 'net/dev', '/proc/net/dev', '--format', 'csv']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^kind,iface,rxBytes,/);
  });
});
