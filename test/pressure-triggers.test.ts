/**
 * Pressure stall triggers on the live kernel: argument checks before any
 * write, EBUSY, a trigger on a fresh cgroup that stays quiet while the cgroup
 * is idle and fires under real CPU pressure, close() stopping events and
 * releasing the descriptor, and POLLERR when the cgroup is removed. The
 * parts that create cgroups need root, a writable cgroup2 mount and the
 * native module psi (prebuilt or built; runtime/reading/native-load.ts); they are
 * skipped otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { availableParallelism, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcfsError } from '../runtime/core/errors.js';
import { watchPressure, type PressureEvent, type PressureWatcher } from '../runtime/index.js';
import { loadNative } from '../runtime/reading/native-load.js';
import { cgroup2Mount, checkTrigger, hasCapSysResource, registerTrigger } from '../runtime/accounting/pressure-triggers.js';
import { descriptorsOn } from './support/descriptors.js';

const nativeBuilt = !(loadNative('psi') instanceof Error) && process.env.PROCSPEC_NATIVE !== '0';
const isRoot = process.getuid?.() === 0;
const privileged = hasCapSysResource() === true;
/** The shortest window this process may use. Unit: seconds (the kernel wants multiples of 2 s without CAP_SYS_RESOURCE). */
const WINDOW = privileged ? 0.5 : 2;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The cgroup2 mount when this process may create cgroups in it, else undefined. */
function writableCgroup2(): string | undefined {
  if (!isRoot) return undefined;
  try {
    const mount = cgroup2Mount();
    const probe = join(mount, `procspec-psi-probe-${process.pid}`);
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
    return mount;
  } catch {
    return undefined;
  }
}
const mount = writableCgroup2();
const live = mount !== undefined && nativeBuilt;

/** A test cgroup with busy-looping children moved into it; remove() kills them and removes the cgroup. */
class TestCgroup {
  readonly name = `procspec-psi-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly path: string;
  private readonly children: ChildProcess[] = [];
  removed = false;

  constructor(root: string) {
    TestCgroup.sweep(root);
    this.path = join(root, this.name);
    fs.mkdirSync(this.path);
  }

  /** Removes empty test cgroups left by a run that was killed before its cleanup (their test process is gone). */
  static sweep(root: string): void {
    for (const name of fs.readdirSync(root)) {
      const pid = /^procspec-psi-test-([0-9]+)-/.exec(name)?.[1];
      if (pid === undefined || fs.existsSync(`/proc/${pid}`)) continue;
      try {
        fs.rmdirSync(join(root, name));
      } catch {
        // still populated or already gone: left for the next sweep
      }
    }
  }

  /**
   * Starts `n` shell busy loops in this cgroup: more runnable tasks than CPUs is CPU pressure on the cgroup. They run
   * at the lowest priority (nice 19): they still wait for a CPU, which is the pressure, but give it to the other tests
   * running beside this file, which they would otherwise slow for the seconds they spin.
   */
  async busy(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const c = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
      this.children.push(c);
      await new Promise<void>((resolve, reject) => {
        c.once('spawn', resolve);
        c.once('error', reject);
      });
      setPriority(c.pid!, 19);
      fs.writeFileSync(join(this.path, 'cgroup.procs'), String(c.pid));
    }
  }

  /** Kills the children, waits for them to be reaped, and removes the cgroup (retrying while it is still populated). */
  async remove(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
    if (this.removed) return;
    for (let i = 0; ; i++) {
      try {
        fs.rmdirSync(this.path);
        this.removed = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        if (i >= 100) throw err;
        await sleep(50);
      }
    }
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A watcher whose trigger events are collected in `events`, closed after the test. */
function watched(w: PressureWatcher): { w: PressureWatcher; events: PressureEvent[] } {
  const events: PressureEvent[] = [];
  w.on('trigger', (e) => events.push(e));
  cleanups.push(() => w.close());
  return { w, events };
}

/** Waits until `cond()` holds, checking every 50 ms, for at most `ms`. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

describe('pressure triggers: arguments', () => {
  it('converts seconds to the kernel text in microseconds', () => {
    const t = checkTrigger({ resource: 'memory', kind: 'full', stall: 0.15, window: 2 }, true);
    expect(t).toEqual({ resource: 'memory', kind: 'full', stallUs: 150_000, windowUs: 2_000_000, cgroup: undefined });
    expect(checkTrigger({ resource: 'io', kind: 'some', stall: 1, window: 4, cgroup: '/a//b/' }, false).cgroup).toBe('a/b');
  });

  it('throws RangeError or TypeError, before writing anything, for values outside the kernel limits', () => {
    // A regular file stands in for a cgroup's cpu.pressure: an argument error must leave it untouched.
    const dir = fs.mkdtempSync(join(tmpdir(), 'procspec-psi-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(join(dir, 'cg'));
    const file = join(dir, 'cg', 'cpu.pressure');
    fs.writeFileSync(file, 'untouched');
    const base = { resource: 'cpu' as const, kind: 'some' as const, cgroup: 'cg', cgroupMount: dir };
    expect(() => watchPressure({ ...base, stall: 0.01, window: 0.4 })).toThrow(RangeError);
    expect(() => watchPressure({ ...base, stall: 0.01, window: 0.4 })).toThrow(/window must be 0.5 to 10 seconds/);
    expect(() => watchPressure({ ...base, stall: 0.01, window: 10.5 })).toThrow(RangeError);
    expect(() => watchPressure({ ...base, stall: 2.5, window: 2 })).toThrow(/must not exceed the window/);
    expect(() => watchPressure({ ...base, stall: 0, window: 2 })).toThrow(/at least 1 microsecond/);
    expect(() => watchPressure({ ...base, stall: Number.NaN, window: 2 })).toThrow(TypeError);
    expect(() => watchPressure({ ...base, resource: 'disk' as never, stall: 0.1, window: 2 })).toThrow(TypeError);
    expect(() => watchPressure({ ...base, kind: 'most' as never, stall: 0.1, window: 2 })).toThrow(TypeError);
    expect(() => watchPressure({ ...base, resource: 'irq', stall: 0.1, window: 2 })).toThrow(/irq pressure has only 'full'/);
    expect(() => watchPressure({ ...base, cgroup: '../etc', stall: 0.1, window: 2 })).toThrow(RangeError);
    expect(fs.readFileSync(file, 'utf8')).toBe('untouched');
    if (nativeBuilt) {
      // A valid trigger does reach the file (then a regular file cannot be polled): the checks above ran first.
      expect(() => watchPressure({ ...base, stall: 0.05, window: 2 })).toThrow(ProcfsError);
      expect(fs.readFileSync(file, 'utf8')).toBe('some 50000 2000000\0');
    }
  });

  it('requires a multiple of 2 s without CAP_SYS_RESOURCE', () => {
    expect(() => checkTrigger({ resource: 'cpu', kind: 'some', stall: 0.1, window: 1 }, false)).toThrow(/multiple of 2 seconds/);
    expect(checkTrigger({ resource: 'cpu', kind: 'some', stall: 0.1, window: 1 }, true).windowUs).toBe(1_000_000);
    expect(checkTrigger({ resource: 'cpu', kind: 'some', stall: 0.1, window: 6 }, false).windowUs).toBe(6_000_000);
  });

  it('refuses cpu full system-wide, which the kernel never computes', () => {
    for (const cgroup of [undefined, '/']) {
      let err: unknown;
      try {
        checkTrigger({ resource: 'cpu', kind: 'full', stall: 0.1, window: 2, cgroup }, true);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProcfsError);
      expect((err as ProcfsError).code).toBe('unsupported');
    }
    expect(checkTrigger({ resource: 'cpu', kind: 'full', stall: 0.1, window: 2, cgroup: 'a' }, true).kind).toBe('full');
  });

  it("says the native module is needed when it is not loaded ('unsupported')", () => {
    const saved = process.env.PROCSPEC_NATIVE;
    process.env.PROCSPEC_NATIVE = '0';
    try {
      expect(() => watchPressure({ resource: 'cpu', kind: 'some', stall: 0.1, window: 2 })).toThrow(/native module psi, which PROCSPEC_NATIVE=0 turns off/);
      try {
        watchPressure({ resource: 'cpu', kind: 'some', stall: 0.1, window: 2 });
      } catch (e) {
        expect((e as ProcfsError).code).toBe('unsupported');
      }
    } finally {
      if (saved === undefined) delete process.env.PROCSPEC_NATIVE;
      else process.env.PROCSPEC_NATIVE = saved;
    }
  });

  it.runIf(nativeBuilt)("a cgroup that does not exist is 'not_found'", () => {
    const mountPoint = (() => {
      try {
        return cgroup2Mount();
      } catch {
        return undefined;
      }
    })();
    if (mountPoint === undefined) return;
    let err: unknown;
    try {
      watchPressure({ resource: 'cpu', kind: 'some', stall: 0.1, window: 2, cgroup: `procspec-no-such-cgroup-${process.pid}` });
    } catch (e) {
      err = e;
    }
    expect((err as ProcfsError).code).toBe('not_found');
  });
});

describe.runIf(isRoot)('pressure triggers: EBUSY', () => {
  it("a second trigger on one descriptor is EBUSY (ProcfsError 'io')", () => {
    const file = '/proc/pressure/cpu';
    const fd = fs.openSync(file, 'r+');
    try {
      registerTrigger(fd, file, 'some 100000 2000000');
      let err: unknown;
      try {
        registerTrigger(fd, file, 'some 100000 2000000');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProcfsError);
      expect((err as ProcfsError).code).toBe('io');
      expect((err as ProcfsError).errno).toBe('EBUSY');
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe.runIf(live)('pressure triggers on a cgroup (root)', () => {
  function cgroup(): TestCgroup {
    const cg = new TestCgroup(mount!);
    cleanups.push(() => cg.remove());
    return cg;
  }

  it('stays quiet on an idle cgroup, then fires under CPU pressure; close() stops events and frees the descriptor', async () => {
    const cg = cgroup();
    const file = join(cg.path, 'cpu.pressure');
    expect(descriptorsOn(file)).toBe(0);
    const { w, events } = watched(watchPressure({ resource: 'cpu', kind: 'some', stall: 0.05, window: WINDOW, cgroup: cg.name }));
    expect(w.file).toBe(file);
    expect(w.trigger).toBe(`some 50000 ${WINDOW * 1e6}`);
    expect(descriptorsOn(file)).toBe(1);

    // Idle: no task in the cgroup, no stall, no event.
    await sleep(2500);
    expect(events).toHaveLength(0);

    // More busy loops than CPUs in the cgroup: some of them always wait for a CPU.
    const started = Date.now();
    await cg.busy(availableParallelism() + 2);
    expect(await until(() => events.length > 0, 20_000)).toBe(true);
    const first = events[0]!;
    expect(first.timestamp).toBeGreaterThanOrEqual(started);
    expect(first.timestamp).toBeLessThanOrEqual(Date.now());
    expect(first.pressure?.some?.total).toBeGreaterThan(0.05);

    let closes = 0;
    w.on('close', () => closes++);
    w.close();
    w.close();
    expect(closes).toBe(1);
    expect(w.closed).toBe(true);
    expect(descriptorsOn(file)).toBe(0);
    // The pressure goes on; a closed watcher reports nothing (events are at most one per window).
    const seen = events.length;
    await sleep(WINDOW * 1000 * 2 + 2500);
    expect(events.length).toBe(seen);
    expect(descriptorsOn(file)).toBe(0);
  });

  it('reports POLLERR as gone when the cgroup is removed, and closes itself', async () => {
    const cg = cgroup();
    const file = join(cg.path, 'cpu.pressure');
    const { w, events } = watched(watchPressure({ resource: 'cpu', kind: 'some', stall: 0.05, window: WINDOW, cgroup: cg.name }));
    const gone: { timestamp: number; file: string }[] = [];
    const errors: unknown[] = [];
    let closes = 0;
    w.on('gone', (g) => gone.push(g));
    w.on('error', (e) => errors.push(e));
    w.on('close', () => closes++);
    await sleep(200);
    const removedAt = Date.now();
    await cg.remove();
    expect(await until(() => gone.length > 0, 10_000)).toBe(true);
    expect(gone[0]!.file).toBe(file);
    expect(gone[0]!.timestamp).toBeGreaterThanOrEqual(removedAt);
    expect(errors).toHaveLength(0);
    expect(events).toHaveLength(0);
    expect(w.closed).toBe(true);
    expect(closes).toBe(1);
    expect(descriptorsOn(file)).toBe(0);
    w.close();
    expect(closes).toBe(1);
  });

  it('reads the current values through the watcher', () => {
    const cg = cgroup();
    const { w } = watched(watchPressure({ resource: 'memory', kind: 'full', stall: 0.1, window: WINDOW, cgroup: cg.name }));
    const p = w.read();
    expect(p.some?.total).toBe(0);
    expect(p.full?.total).toBe(0);
  });
});
