/** The generator's presence pass: a keyed field some producer's file leaves out becomes optional, in the type and the parser. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, loadSpecs } from '../generator/generate.js';
import { forMinKernel } from '../generator/min-kernel.js';
import { applyPresence, loadProducerFiles, type ProducerFile } from '../generator/passes/presence.js';
import { fieldsOf, type SpecModel } from '../runtime/model/model.js';

const repo = join(import.meta.dirname, '..');
const specs = loadSpecs(join(repo, 'specs'), repo).read;
const byId = (list: SpecModel[], id: string): SpecModel => list.find((s) => s.id === id)!;
const field = (spec: SpecModel, name: string) => fieldsOf(spec).find((f) => f.name === name)!;

/** A meminfo printed by a made-up producer, from the keys of this spec, leaving out `without`. */
function meminfoWithout(producer: string, without: string[]): ProducerFile {
  const keys = [
    'MemTotal',
    'MemFree',
    'Buffers',
    'Cached',
    'SwapCached',
    'Active',
    'Inactive',
    'SwapTotal',
    'SwapFree',
    'Dirty',
    'Writeback',
    'AnonPages',
    'Mapped',
  ];
  return {
    producer,
    path: '/proc/meminfo',
    text: keys
      .filter((k) => !without.includes(k))
      .map((k) => `${k}: 1 kB\n`)
      .join(''),
  };
}

describe('presence pass', () => {
  it('makes a key one producer leaves out optional, naming the producers, and leaves the others required', () => {
    const out = byId(
      applyPresence(specs, [meminfoWithout('alpha', ['Buffers']), meminfoWithout('beta', ['Buffers', 'Dirty']), meminfoWithout('gamma', [])]),
      'proc/meminfo',
    );
    expect(field(out, 'buffers')).toMatchObject({ optional: true, absentIn: ['alpha', 'beta'] });
    expect(field(out, 'dirty')).toMatchObject({ optional: true, absentIn: ['beta'] });
    expect(field(out, 'memTotal').optional).toBe(false);
    expect(field(out, 'memTotal').absentIn).toBeUndefined();
    const types = generate([out]).get('types/proc/meminfo.ts')!;
    expect(types).toMatch(/buffers\?: N;/);
    expect(types).toMatch(/Not printed by alpha, beta\./);
    expect(types).toMatch(/memTotal: N;/);
  });

  it('leaves a spec no producer file matches as it was (the same object)', () => {
    const out = applyPresence(specs, [meminfoWithout('alpha', ['Buffers'])]);
    expect(byId(out, 'proc/vmstat')).toBe(byId(specs, 'proc/vmstat'));
    expect(byId(out, 'proc/meminfo')).not.toBe(byId(specs, 'proc/meminfo'));
  });

  it('reads the column names of a two-line record (net/snmp)', () => {
    const text = 'Udp: InDatagrams NoPorts InErrors OutDatagrams\nUdp: 1 2 3 4\n';
    const out = byId(applyPresence(specs, [{ producer: 'alpha', path: '/proc/net/snmp', text }]), 'proc/net/snmp');
    const names = fieldsOf(out)
      .filter((f) => f.absentIn?.includes('alpha'))
      .map((f) => f.name);
    // Columns of a key the file prints that it leaves out, and keys it does not print at all.
    expect(names).toContain('rcvbufErrors');
    expect(names).toContain('tcp');
    expect(names).not.toContain('inDatagrams');
  });

  it('reads space-separated keys and leaves indexed ones (cpuN) alone', () => {
    const out = byId(
      applyPresence(specs, [{ producer: 'alpha', path: '/proc/stat', text: 'cpu 1 2 3 4\ncpu0 1 2 3 4\nintr 5\nctxt 1\nprocesses 2\n' }]),
      'proc/stat',
    );
    expect(field(out, 'btime')).toMatchObject({ optional: true, absentIn: ['alpha'] });
    expect(field(out, 'ctxt').optional).toBe(false);
    expect(fieldsOf(out).find((f) => f.name === 'cpus')!.absentIn).toBeUndefined();
  });

  it('keeps a field some producer leaves out optional for a target kernel', () => {
    const out = applyPresence(specs, [meminfoWithout('alpha', ['MemAvailable']), { ...meminfoWithout('linux-3.10', ['MemAvailable']) }]);
    const target = byId(forMinKernel(out, '5.4'), 'proc/meminfo');
    expect(field(target, 'memAvailable').optional).toBe(true);
    const linuxOnly = applyPresence(specs, [{ ...meminfoWithout('linux-3.10', ['MemAvailable']) }]);
    expect(field(byId(forMinKernel(linuxOnly, '5.4'), 'proc/meminfo'), 'memAvailable').optional).toBe(false);
  });
});

describe('presence pass on empty files', () => {
  it("takes an empty file (a kernel thread's smaps) as saying nothing of the keys of its records", () => {
    const out = applyPresence(specs, [{ producer: 'alpha', path: '/proc/2/smaps', text: '' }]);
    expect(byId(out, 'proc/pid/smaps')).toBe(byId(specs, 'proc/pid/smaps'));
  });
});

describe('presence pass in variants', () => {
  const real = loadProducerFiles(join(repo, 'producers'));
  const fileOf = (producer: string, path: string): ProducerFile => real.find((f) => f.producer === producer && f.path === path)!;

  it("counts a file for the variant whose keys it mostly prints: 3.10's x86 CPU blocks lack .clock_task", () => {
    const out = byId(applyPresence(specs, [fileOf('linux-3.10', '/proc/sched_debug')]), 'proc/sched_debug');
    const clockTask = fieldsOf(out).filter((f) => f.name === 'clockTask');
    expect(
      fieldsOf(byId(specs, 'proc/sched_debug'))
        .filter((f) => f.name === 'clockTask')
        .every((f) => !f.optional),
    ).toBe(true);
    expect(clockTask.length).toBeGreaterThan(0);
    expect(clockTask.every((f) => f.optional && f.absentIn?.includes('linux-3.10'))).toBe(true);
    // The keys the file prints stay required.
    expect(
      fieldsOf(out)
        .filter((f) => f.name === 'currPid')
        .every((f) => !f.optional),
    ).toBe(true);
  });

  it('does not count an x86 cpuinfo against the keys of s390x blocks', () => {
    const out = byId(applyPresence(specs, [fileOf('linux-5.4', '/proc/cpuinfo')]), 'proc/cpuinfo');
    const before = fieldsOf(byId(specs, 'proc/cpuinfo')).find((f) => f.raw === 'cpu number')!;
    expect(before.optional).toBe(false);
    expect(fieldsOf(out).find((f) => f.raw === 'cpu number')!.optional).toBe(false);
  });

  it("tells variants apart by the keys only they read: tunables a later block prints do not make 5.4 speak for v0.09's header", () => {
    // now and .jiffies are the v0.09 header's own keys; childRunsFirst is a float there only (an integer in the tunables block).
    const v09 = (spec: SpecModel) =>
      fieldsOf(spec).filter((f) => f.raw === 'now' || f.raw === '.jiffies' || (f.raw === '.sysctl_sched_child_runs_first' && f.value.kind === 'float'));
    expect(v09(byId(specs, 'proc/sched_debug')).map((f) => f.optional)).toEqual([false, false, false]);
    for (const files of [
      [fileOf('linux-5.4', '/proc/sched_debug'), fileOf('linux-2.6.32', '/proc/sched_debug')],
      [fileOf('linux-2.6.32', '/proc/sched_debug')],
    ]) {
      const out = byId(applyPresence(specs, files), 'proc/sched_debug');
      expect(v09(out).map((f) => f.optional)).toEqual([false, false, false]);
    }
  });
});
