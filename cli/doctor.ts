/**
 * `procspec doctor`: which native modules loaded and from where (a prebuilt
 * binary of the package, a local build in native/build/, or none, with what
 * was tried), and which features work here; for each one that does not,
 * why: no binary for this platform, the kernel lacks the interface (no
 * /proc/pressure, no TASKSTATS netlink family), or this process lacks a
 * capability (CAP_NET_ADMIN for taskstats). The features are tried, not
 * guessed: a pressure trigger is armed and closed, and the taskstats of this
 * process are asked for. Exit status 0 (it reports; it does not judge).
 */
import { existsSync, readFileSync } from 'node:fs';
import { ProcfsError, toJson, watchPressure } from '../runtime/index.js';
import { NATIVE_MODULES, detectLibc, nativeLoad, nativeTarget, whyNot, type NativeLoad } from '../runtime/reading/native-load.js';
import { delayAccountingEnabled, taskstatsOfTgid } from '../runtime/accounting/taskstats.js';

export interface Feature {
  name: string;
  /** What it takes: the native module it needs and what else. */
  needs: string;
  available: boolean;
  /** Why it is unavailable, or what was seen when it is. */
  detail: string;
}

export interface DoctorReport {
  target: string | undefined;
  libc: 'glibc' | 'musl' | undefined;
  node: string;
  /** The Node-API version of this Node; the modules need NAPI_VERSION 3 (native/flags.sh). */
  napiVersion: string | undefined;
  /** PROCSPEC_NATIVE when set (0, build, prebuilt). */
  procspecNative: string | undefined;
  modules: (NativeLoad & { why?: string })[];
  features: Feature[];
}

const CAP_NET_ADMIN = 12n;

/** Whether this process has capability `bit` (from /proc/self/status CapEff); undefined when that cannot be read. */
function hasCap(bit: bigint): boolean | undefined {
  try {
    const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m === null ? undefined : ((BigInt(`0x${m[1]}`) >> bit) & 1n) === 1n;
  } catch {
    return undefined;
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function moduleFeature(name: string, needs: string, load: NativeLoad, fallback: string): Feature {
  if (process.env.PROCSPEC_NATIVE === '0') return { name, needs, available: false, detail: `PROCSPEC_NATIVE=0 turns it off; ${fallback}` };
  if (load.from === 'none') return { name, needs, available: false, detail: `${whyNot(load)}; ${fallback}` };
  return { name, needs, available: true, detail: `${load.name} from ${load.from === 'prebuilt' ? 'the prebuilt binary' : 'the local build'}` };
}

function pressureFeature(load: NativeLoad): Feature {
  const name = 'pressure triggers (watchPressure)';
  const needs = 'native module psi; /proc/pressure (CONFIG_PSI, not booted with psi=0)';
  if (process.env.PROCSPEC_NATIVE === '0') return { name, needs, available: false, detail: 'PROCSPEC_NATIVE=0 turns the module off' };
  if (load.from === 'none') return { name, needs, available: false, detail: whyNot(load) };
  if (!existsSync('/proc/pressure'))
    return { name, needs, available: false, detail: 'the kernel has no /proc/pressure (built without CONFIG_PSI, or booted with psi=0)' };
  try {
    // A trigger that asks for half of a 2 s window: armed, then closed at once.
    const w = watchPressure({ resource: 'memory', kind: 'some', stall: 1, window: 2 });
    w.close();
    return { name, needs, available: true, detail: 'a trigger was armed on /proc/pressure/memory and closed' };
  } catch (err) {
    const code = err instanceof ProcfsError ? `${err.code}: ` : '';
    return { name, needs, available: false, detail: `arming a trigger on /proc/pressure/memory failed (${code}${message(err)})` };
  }
}

function taskstatsFeature(load: NativeLoad): Feature {
  const name = 'taskstats, cgroupstats of cgroup v1, procspec delays';
  const needs = 'native module taskstats; the TASKSTATS netlink family (CONFIG_TASKSTATS); CAP_NET_ADMIN';
  if (load.from === 'none') return { name, needs, available: false, detail: `${whyNot(load)} (cgroupstats counts tasks from /proc instead)` };
  const cap = hasCap(CAP_NET_ADMIN);
  try {
    const s = taskstatsOfTgid(process.pid);
    const delays = delayAccountingEnabled();
    const note =
      delays === false ? '; delay accounting is off (kernel.task_delayacct = 0), so delays read as 0' : delays === true ? '; delay accounting is on' : '';
    return { name, needs, available: true, detail: `the taskstats of this process were read (version ${s.version})${note}` };
  } catch (err) {
    if (err instanceof ProcfsError && err.code === 'permission' && cap === false) {
      return { name, needs, available: false, detail: `this process lacks CAP_NET_ADMIN, which the kernel asks for taskstats (${message(err)})` };
    }
    if (err instanceof ProcfsError && err.code === 'unsupported')
      return { name, needs, available: false, detail: `the kernel has no TASKSTATS family (built without CONFIG_TASKSTATS?): ${message(err)}` };
    return { name, needs, available: false, detail: `${err instanceof ProcfsError ? `${err.code}: ` : ''}${message(err)}` };
  }
}

export function doctorReport(): DoctorReport {
  const modules = NATIVE_MODULES.map((n) => {
    const load = nativeLoad(n);
    return load.from === 'none' ? { ...load, why: whyNot(load) } : load;
  });
  const byName = (n: string): NativeLoad => modules.find((m) => m.name === n)!;
  const features: Feature[] = [
    moduleFeature(
      'batched process reader (ps, top, processes(), monitor())',
      'native module procread',
      byName('procread'),
      'processes are read through node:fs',
    ),
    moduleFeature('long files read on a thread while parsed', 'native module stream', byName('stream'), 'long files are read through node:fs, then parsed'),
    pressureFeature(byName('psi')),
    taskstatsFeature(byName('taskstats')),
  ];
  return {
    target: nativeTarget(),
    libc: detectLibc(),
    node: process.version,
    napiVersion: process.versions.napi,
    procspecNative: process.env.PROCSPEC_NATIVE,
    modules,
    features,
  };
}

export function renderDoctor(r: DoctorReport): string {
  const lines = [
    `platform ${r.target ?? process.platform}${r.libc !== undefined ? ` (${r.libc})` : ''}, Node ${r.node} (Node-API ${r.napiVersion ?? '?'}; the modules need 3)${r.procspecNative !== undefined ? `, PROCSPEC_NATIVE=${r.procspecNative}` : ''}`,
    '',
    'native modules',
  ];
  const w = Math.max(...r.modules.map((m) => m.name.length));
  for (const m of r.modules) {
    lines.push(`  ${m.name.padEnd(w)}  ${m.from === 'none' ? 'none' : `${m.from.padEnd(8)}  ${m.path}`}`);
    if (m.why !== undefined) lines.push(`  ${' '.repeat(w)}  ${m.why}`);
  }
  lines.push('', 'features');
  for (const f of r.features) {
    lines.push(`  ${f.available ? 'available  ' : 'unavailable'}  ${f.name}`);
    lines.push(`               ${f.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

export function doctorCommand(json: boolean): number {
  const r = doctorReport();
  process.stdout.write(json ? `${toJson(r, 2)}\n` : renderDoctor(r));
  return 0;
}
