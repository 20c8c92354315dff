/** Collectors of /sys files outside cgroup2: their objects listed from folders, one read each, labelled by the path's parameters. */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCollectors, Exporter } from '../../exporter/index.js';
import { sysObjects } from '../../exporter/collectors.js';
import { ProcFs } from '../../runtime/index.js';
import { madeUpProc } from './support.js';

/** A made-up /proc with a /sys beside it holding `files`. */
function machine(files: Record<string, string>): { proc: string; sys: string } {
  const top = madeUpProc({ 'proc/loadavg': '0.00 0.01 0.05 1/100 42\n' });
  const sys = join(top, 'sys');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(sys, path, '..'), { recursive: true });
    writeFileSync(join(sys, path), text);
  }
  return { proc: join(top, 'proc'), sys };
}

/** The sample lines of a scrape of the collectors named, as text, without the exporter's own families. */
async function samples(proc: string, names: string[]): Promise<string[]> {
  const exporter = new Exporter(new ProcFs({ root: proc, bigint: true }), { disableDefaults: true, enable: names });
  try {
    const scrape = await exporter.scrape();
    const failed = scrape.results.filter((r) => !r.success);
    expect(failed).toEqual([]);
    return scrape
      .text({ kind: 'text' })
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('procspec_scrape_') && !l.startsWith('procspec_build_info'));
  } finally {
    exporter.close();
  }
}

describe('/sys collectors', () => {
  it('list each object of a pattern from its folder; a number inside a name (cpu0) is the parameter, other names (cpufreq) are not objects', () => {
    const { sys } = machine({
      'devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': '2400000\n',
      'devices/system/cpu/cpu1/cpufreq/scaling_cur_freq': '800000\n',
      'devices/system/cpu/cpu2/online': '1\n',
      'devices/system/cpu/cpufreq/boost': '1\n',
      'kernel/mm/hugepages/hugepages-2048kB/nr_hugepages': '4\n',
      'kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages': '0\n',
    });
    const list = (dir: string) => readdirSync(dir);
    // cpu2 has no cpufreq folder: it is not an object of the pattern.
    expect(sysObjects('devices/system/cpu/cpu[cpu]/cpufreq/scaling_cur_freq', sys, list)).toEqual([{ cpu: '0' }, { cpu: '1' }]);
    expect(sysObjects('kernel/mm/hugepages/hugepages-[size]kB/nr_hugepages', sys, list)).toEqual([{ size: '1048576' }, { size: '2048' }]);
    expect(sysObjects('class/net/[iface]/mtu', sys, list)).toEqual([]);
  });

  it('are off by default, and each is named by its spec', () => {
    const sysCollectors = allCollectors().filter((c) => c.place.kind === 'sys');
    expect(sysCollectors.length).toBeGreaterThan(50);
    expect(sysCollectors.every((c) => c.off !== undefined)).toBe(true);
    expect(sysCollectors.map((c) => c.name)).toContain('sys_class_net_iface_carrier_changes');
    // A file the kernel prints under /proc as well is collected there (sched_debug), not as a /sys collector.
    expect(allCollectors().find((c) => c.id === 'proc/sched_debug')?.place.kind).not.toBe('sys');
  });

  it('export every object, labelled by the parameters of the path (interfaces, cpus, hugepage sizes)', async () => {
    const { proc } = machine({
      'class/net/eth0/carrier_changes': '3\n',
      'class/net/eth0/mtu': '1500\n',
      'class/net/lo/carrier_changes': '0\n',
      'class/net/lo/mtu': '65536\n',
      'devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': '2400000\n',
      'devices/system/cpu/cpu1/cpufreq/scaling_cur_freq': '800000\n',
      'devices/system/cpu/cpufreq/policy0/scaling_cur_freq': '2400000\n',
      'kernel/mm/hugepages/hugepages-2048kB/nr_hugepages': '4\n',
    });
    const lines = await samples(proc, [
      'sys_class_net_iface_carrier_changes',
      'sys_class_net_iface_mtu',
      'sys_devices_system_cpu_cpu_cpufreq_scaling_cur_freq',
      'sys_kernel_mm_hugepages_size_nr_hugepages',
    ]);
    expect(lines.filter((l) => l.includes('carrier_changes'))).toEqual([
      'procspec_sys_class_net_iface_carrier_changes_total{iface="eth0"} 3',
      'procspec_sys_class_net_iface_carrier_changes_total{iface="lo"} 0',
    ]);
    expect(lines.filter((l) => l.includes('_mtu'))).toEqual([
      expect.stringMatching(/^procspec_sys_class_net_iface_mtu\S*\{iface="eth0"\} 1500$/),
      expect.stringMatching(/^procspec_sys_class_net_iface_mtu\S*\{iface="lo"\} 65536$/),
    ]);
    expect(lines.filter((l) => l.includes('scaling_cur_freq'))).toEqual([expect.stringMatching(/\{cpu="0"\} \d+$/), expect.stringMatching(/\{cpu="1"\} \d+$/)]);
    expect(lines.filter((l) => l.includes('nr_hugepages'))).toEqual([expect.stringMatching(/\{size="2048"\} 4$/)]);
  });

  it('export a choice list as a gauge per choice the file lists, 1 for the selected one (none selected: all 0)', async () => {
    const { proc } = machine({
      'kernel/mm/transparent_hugepage/enabled': 'always [madvise] never\n',
      'block/vda/queue/scheduler': '[mq-deadline] kyber none\n',
      'block/loop0/queue/scheduler': 'none\n',
    });
    const lines = await samples(proc, ['sys_kernel_mm_transparent_hugepage_enabled', 'sys_block_dev_queue_scheduler']);
    const values = (part: string) =>
      lines
        .filter((l) => l.includes(part))
        .map((l) => l.replace(/^\S*?\{/, '{'))
        .sort();
    expect(values('transparent_hugepage_enabled')).toEqual(['{state="always"} 0', '{state="madvise"} 1', '{state="never"} 0']);
    expect(values('queue_scheduler')).toEqual([
      '{dev="loop0",state="none"} 0',
      '{dev="vda",state="kyber"} 0',
      '{dev="vda",state="mq-deadline"} 1',
      '{dev="vda",state="none"} 0',
    ]);
  });

  it('leave out a listed folder without the file, and still succeed', async () => {
    const { proc, sys } = machine({ 'class/net/eth0/carrier_changes': '3\n' });
    mkdirSync(join(sys, 'class/net/gone'), { recursive: true });
    const lines = await samples(proc, ['sys_class_net_iface_carrier_changes']);
    expect(lines).toEqual(['procspec_sys_class_net_iface_carrier_changes_total{iface="eth0"} 3']);
  });
});
