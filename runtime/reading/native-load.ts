/**
 * Finds and loads procspec's native modules (native/*.c), in this order:
 *
 *  1. the prebuilt binary the package carries for this platform, CPU and C
 *     library: prebuilds/<platform>-<arch>[-musl]/<name>.node (made by
 *     native/prebuild.sh for linux-x64, linux-x64-musl and linux-arm64,
 *     against Node-API 3, so one binary serves every Node from 20 on);
 *  2. a module built on this machine: native/build/<name>.node
 *     (native/build.sh, for other platforms or to try a change to the C);
 *  3. none: callers fall back to node:fs, and the APIs that need a module
 *     (taskstats, pressure triggers) say they are unavailable.
 *
 * PROCSPEC_NATIVE=build skips step 1, PROCSPEC_NATIVE=prebuilt skips step 2
 * (PROCSPEC_NATIVE=0, which turns the optional speed-ups off, is read by the
 * callers). Every load is recorded, so `procspec doctor` can say which
 * modules loaded from where, and why the others did not.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The native modules, by the name of their source native/<name>.c. */
export const NATIVE_MODULES = ['procread', 'stream', 'psi', 'taskstats'] as const;
export type NativeName = (typeof NATIVE_MODULES)[number];

/** The targets the package carries binaries for (prebuilds/<target>/). */
export const PREBUILT_TARGETS = ['linux-x64', 'linux-x64-musl', 'linux-arm64'] as const;

/** Where a module came from: a prebuilt binary, a local build, or nowhere. */
export type NativeSource = 'prebuilt' | 'build' | 'none';

export interface NativeLoad {
  name: string;
  from: NativeSource;
  /** The file loaded (from 'prebuilt' or 'build'). */
  path?: string;
  /** This process's target (linux-x64-musl), or undefined off Linux. */
  target: string | undefined;
  /** Each file tried before, with why it did not load (absent, or the loader's error). */
  tried: { path: string; error: string }[];
}

/** The C library this process runs on: its own mappings name it (a .node must use the same one); else Node's report; else the loader on disk. */
export function detectLibc(): 'glibc' | 'musl' | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const maps = readFileSync('/proc/self/maps', 'latin1');
    if (/\/(ld-musl-[^/\s]*\.so[^/\s]*|libc\.musl-[^/\s]*)$/m.test(maps)) return 'musl';
    if (/\/(libc\.so\.6|ld-linux[^/\s]*\.so[^/\s]*)$/m.test(maps)) return 'glibc';
  } catch {
    // No /proc/self/maps (procfs not mounted): ask Node.
  }
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  if (header?.glibcVersionRuntime !== undefined) return 'glibc';
  try {
    if (readdirSync('/lib').some((f) => f.startsWith('ld-musl-'))) return 'musl';
  } catch {
    // No /lib to look at.
  }
  return 'glibc';
}

let target: string | undefined | null = null;

/** This process's prebuilt target name: linux-x64, linux-x64-musl, linux-arm64, ... (undefined off Linux). */
export function nativeTarget(): string | undefined {
  if (target === null) {
    const libc = detectLibc();
    target = libc === undefined ? undefined : `${process.platform}-${process.arch}${libc === 'musl' ? '-musl' : ''}`;
  }
  return target;
}

/**
 * The folders a package root may be in: runtime/reading/*.ts runs from the
 * sources (runtime/reading/ → ../..) or compiled (dist/runtime/reading/ →
 * ../../..), also inside
 * node_modules/procspec. fileURLToPath, not URL.pathname, so that a folder
 * with spaces or non-ASCII names works.
 */
function packageRoots(): string[] {
  return ['../..', '../../..'].map((rel) => fileURLToPath(new URL(`${rel}/`, import.meta.url)));
}

/** The files tried for module `name`, in order (see the top of this file); `where` stands in for this process's target, PROCSPEC_NATIVE and package roots. */
export function nativeCandidates(
  name: string,
  where: { target?: string | undefined; mode?: string | undefined; roots?: string[] } = {},
): { path: string; from: Exclude<NativeSource, 'none'> }[] {
  const tgt = 'target' in where ? where.target : nativeTarget();
  const mode = 'mode' in where ? where.mode : process.env.PROCSPEC_NATIVE;
  const roots = where.roots ?? packageRoots();
  const out: { path: string; from: Exclude<NativeSource, 'none'> }[] = [];
  if (tgt !== undefined && mode !== 'build') for (const r of roots) out.push({ path: join(r, 'prebuilds', tgt, `${name}.node`), from: 'prebuilt' });
  if (mode !== 'prebuilt') for (const r of roots) out.push({ path: join(r, 'native', 'build', `${name}.node`), from: 'build' });
  return out;
}

const loads = new Map<string, { load: NativeLoad; module: unknown }>();

/** Loads module `name` (once per process): the module, or an Error saying what was tried. */
export function loadNative<T>(name: string): T | Error {
  let got = loads.get(name);
  if (got === undefined) {
    const require = createRequire(import.meta.url);
    const tgt = nativeTarget();
    const load: NativeLoad = { name, from: 'none', target: tgt, tried: [] };
    let module: unknown;
    for (const c of nativeCandidates(name, { target: tgt })) {
      if (!existsSync(c.path)) {
        load.tried.push({ path: c.path, error: 'absent' });
        continue;
      }
      try {
        module = require(c.path);
        load.from = c.from;
        load.path = c.path;
        break;
      } catch (err) {
        load.tried.push({ path: c.path, error: (err as Error).message.split('\n')[0]! });
      }
    }
    got = { load, module };
    loads.set(name, got);
  }
  return got.load.from === 'none' ? new Error(whyNot(got.load)) : (got.module as T);
}

/** Why a module did not load, in a sentence. */
export function whyNot(load: NativeLoad): string {
  const failed = load.tried.filter((t) => t.error !== 'absent');
  if (failed.length > 0) return `native module ${load.name} did not load: ${failed.map((t) => `${t.path}: ${t.error}`).join('; ')}`;
  const mode = process.env.PROCSPEC_NATIVE;
  const prebuilt =
    mode === 'build'
      ? 'prebuilt binaries are skipped (PROCSPEC_NATIVE=build)'
      : load.target === undefined
        ? `no prebuilt binary off Linux (${process.platform})`
        : (PREBUILT_TARGETS as readonly string[]).includes(load.target)
          ? `prebuilds/${load.target}/${load.name}.node is missing from the package`
          : `no prebuilt binary for ${load.target} (the package carries ${PREBUILT_TARGETS.join(', ')})`;
  const local =
    mode === 'prebuilt'
      ? 'local builds are skipped (PROCSPEC_NATIVE=prebuilt)'
      : `native/build/${load.name}.node is not built (bash native/build.sh, with a C compiler)`;
  return `native module ${load.name} is not available: ${prebuilt}, and ${local}`;
}

/** What loading `name` found (loading it first if no one has asked for it yet). */
export function nativeLoad(name: string): NativeLoad {
  loadNative(name);
  return loads.get(name)!.load;
}
