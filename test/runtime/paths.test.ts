/** Path patterns: filling in parameters under any root, and finding the spec of a saved copy. */
import { describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { ProcfsError } from '../../runtime/errors.js';
import { matchScore, resolvePath, specForPath } from '../../runtime/paths.js';

const model = (id: string) => registry.find((e) => e.id === id)!.model;
const roots = { proc: '/host/proc/', cgroup: '/host/cgroup' };

describe('resolvePath', () => {
  it('fills parameters under the /proc root, pid defaulting to self', () => {
    expect(resolvePath(model('proc/pid/stat'), roots, { pid: 42 })).toBe('/host/proc/42/stat');
    expect(resolvePath(model('proc/pid/stat'), roots, { pid: 42, tid: 43 })).toBe('/host/proc/42/task/43/stat');
    expect(resolvePath(model('proc/pid/stat'), '/proc')).toBe('/proc/self/stat');
  });
  it('puts cgroup files under the cgroup root, a cgroup being a path of any depth or empty for the root', () => {
    expect(resolvePath(model('proc/pressure'), roots, { resource: 'io' })).toBe('/host/proc/pressure/io');
    expect(resolvePath(model('proc/pressure'), roots, { cgroup: 'system.slice/ssh.service', resource: 'memory' })).toBe('/host/cgroup/system.slice/ssh.service/memory.pressure');
    expect(resolvePath(model('proc/pressure'), roots, { cgroup: '', resource: 'cpu' })).toBe('/host/cgroup/cpu.pressure');
  });
  it('refuses parameters that would leave their folder', () => {
    for (const params of [{ pid: '../1' }, { pid: '..' }, { pid: '' }]) {
      expect(() => resolvePath(model('proc/pid/stat'), roots, params)).toThrow(ProcfsError);
    }
    expect(() => resolvePath(model('proc/pressure'), roots, { cgroup: 'a/../../etc', resource: 'cpu' })).toThrow(/may not hold \. or \.\./);
  });
});

describe('specForPath', () => {
  it('finds specs of saved copies by their last components', () => {
    expect(specForPath(registry, 'saved/1234/stat')?.id).toBe('proc/pid/stat');
    expect(specForPath(registry, 'saved/stat')?.id).toBe('proc/stat');
    expect(specForPath(registry, 'box/net/dev')?.id).toBe('proc/net/dev');
    expect(specForPath(registry, 'cg/user.slice/io.pressure')?.id).toBe('proc/pressure');
    expect(specForPath(registry, 'fs/xfs/stat')).toBeUndefined();
  });
  it('matches parameters inside a file name and parameters of any depth', () => {
    expect(matchScore('/sys/fs/cgroup/[cgroup]/[resource].pressure', 'a/b/irq.pressure')).toBe(1);
    expect(matchScore('/sys/fs/cgroup/[cgroup]/[resource].pressure', 'a/b/disk.pressure')).toBe(0);
    expect(matchScore('/proc/sys/[sysctl]', 'copy/proc/sys/net/ipv4/ip_forward')).toBe(2);
    expect(matchScore('/proc/sys/[sysctl]', 'copy/sys')).toBe(0);
  });
});
