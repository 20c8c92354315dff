/**
 * The prebuilt native modules (prebuilds/, made by `npm run prebuilds`):
 * rebuilt from the sources they were recorded with, byte for byte, where
 * the same compilers are here; each is the platform its folder says; the
 * musl and arm64 ones load and register their functions in that platform's
 * dynamic loader (a C stand-in for Node, native/harness/napi-harness.c, run
 * under musl's loader and under qemu-aarch64); and the loader's order and
 * its reasons (runtime/reading/native-load.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLibc, nativeCandidates, nativeLoad, nativeTarget, NATIVE_MODULES, PREBUILT_TARGETS, whyNot } from '../runtime/reading/native-load.js';

const repo = join(import.meta.dirname, '..');
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const tmp = mkdtempSync(join(os.tmpdir(), 'procspec-prebuilds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: repo, encoding: 'utf8' });

describe('prebuilds/', () => {
  it('holds every module for every target, as MANIFEST records them', () => {
    const manifest = readFileSync(join(repo, 'prebuilds', 'MANIFEST'), 'utf8');
    for (const t of PREBUILT_TARGETS) {
      expect(readdirSync(join(repo, 'prebuilds', t)).sort()).toEqual(NATIVE_MODULES.map((n) => `${n}.node`).sort());
      for (const n of NATIVE_MODULES) expect(manifest).toMatch(new RegExp(`^[0-9a-f]{64}  ${t}/${n}\\.node$`, 'm'));
    }
    expect(manifest).toMatch(/^napi-version 3$/m);
  });

  it('`npm run prebuilds` would make the same bytes from these sources (each target whose compiler is here, at the recorded version)', () => {
    const r = run('bash', ['native/prebuild.sh', '--check']);
    console.log(r.stdout.trim());
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^sources: as recorded/m);
    for (const t of PREBUILT_TARGETS) expect(r.stdout).toMatch(new RegExp(`^${t}: (reproduced byte for byte \\(4 modules\\)|not compared \\(.*\\))$`, 'm'));
  }, 180_000);

  it.skipIf(!has('file'))('`file` sees x86-64 in linux-x64 and linux-x64-musl, aarch64 in linux-arm64; readelf sees glibc or musl', () => {
    for (const t of PREBUILT_TARGETS) {
      const out = run('file', ['-b', ...NATIVE_MODULES.map((n) => `prebuilds/${t}/${n}.node`)])
        .stdout.trim()
        .split('\n');
      for (const line of out) {
        expect(line).toMatch(/^ELF 64-bit LSB shared object, .*dynamically linked, stripped$/);
        expect(line).toContain(t === 'linux-arm64' ? 'ARM aarch64' : 'x86-64');
      }
      if (has('readelf')) {
        const needed = run('readelf', ['-d', `prebuilds/${t}/procread.node`]).stdout;
        expect(needed).toContain(t.endsWith('-musl') ? 'Shared library: [libc.so]' : 'Shared library: [libc.so.6]');
      }
    }
  });

  it.skipIf(!has('objdump'))('the glibc x86-64 modules ask for glibc 2.34 at most (Debian 12, Ubuntu 22.04, RHEL 9)', () => {
    const versions = run('objdump', ['-T', ...NATIVE_MODULES.map((n) => `prebuilds/linux-x64/${n}.node`)]).stdout.match(/GLIBC_[0-9.]+/g) ?? [];
    const newest = versions
      .map((v) => v.slice(6).split('.').map(Number))
      .sort((a, b) => a[0]! - b[0]! || (a[1] ?? 0) - (b[1] ?? 0))
      .pop();
    expect(newest).toEqual([2, 34]);
  });

  /** The functions the linux-x64 module registers in this Node. */
  const exportsInNode = (name: string): string[] => Object.keys(createRequire(import.meta.url)(join(repo, 'prebuilds', 'linux-x64', `${name}.node`)) as object);

  /** Compiles the harness with `cc` (stubs for every napi_ and uv_ function the modules use) and runs it on each module of `target`. */
  function harness(cc: string, target: string, runner: string[]): void {
    const names = run('sh', ['-c', 'nm -D --undefined-only prebuilds/linux-x64/*.node']).stdout.match(/\b(napi|uv)_\w+/g) ?? [];
    const own = new Set(['napi_create_function', 'napi_set_named_property', 'napi_add_env_cleanup_hook']);
    const dir = mkdtempSync(join(tmp, `${target}-`));
    writeFileSync(
      join(dir, 'stubs.h'),
      [...new Set(names)]
        .filter((n) => !own.has(n))
        .map((n) => `EXPORTED int ${n}(void) { return 9; }\n`)
        .join(''),
    );
    const bin = join(dir, 'napi-harness');
    const built = run(cc, ['-O1', '-rdynamic', `-I${dir}`, '-o', bin, 'native/harness/napi-harness.c', '-ldl']);
    expect(built.status, built.stderr).toBe(0);
    for (const n of NATIVE_MODULES) {
      const r = run(runner[0] ?? bin, [...runner.slice(1), ...(runner.length > 0 ? [bin] : []), `prebuilds/${target}/${n}.node`]);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toBe('node-api 3');
      expect(lines.slice(1).map((l) => l.replace(/^export /, ''))).toEqual(exportsInNode(n));
    }
  }

  it.skipIf(!has('musl-gcc') || os.arch() !== 'x64')(
    "the musl modules load in musl's dynamic loader and register what the glibc ones register in Node",
    () => {
      harness('musl-gcc', 'linux-x64-musl', []);
    },
    60_000,
  );

  it.skipIf(!has('aarch64-linux-gnu-gcc') || !has('qemu-aarch64-static'))(
    'the arm64 modules load in an arm64 process (qemu-aarch64) and register what the x86-64 ones register in Node',
    () => {
      harness('aarch64-linux-gnu-gcc', 'linux-arm64', ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu']);
    },
    60_000,
  );
});

describe('the loader (runtime/reading/native-load.ts)', () => {
  it('tries the prebuilt binary for this target, then native/build, under each package root; PROCSPEC_NATIVE=build or prebuilt keeps one kind', () => {
    const roots = ['/pkg/', '/pkg/dist/..'];
    expect(nativeCandidates('psi', { target: 'linux-x64-musl', mode: undefined, roots: ['/a', '/b'] })).toEqual([
      { path: '/a/prebuilds/linux-x64-musl/psi.node', from: 'prebuilt' },
      { path: '/b/prebuilds/linux-x64-musl/psi.node', from: 'prebuilt' },
      { path: '/a/native/build/psi.node', from: 'build' },
      { path: '/b/native/build/psi.node', from: 'build' },
    ]);
    expect(nativeCandidates('psi', { target: 'linux-x64', mode: 'build', roots }).map((c) => c.from)).toEqual(['build', 'build']);
    expect(nativeCandidates('psi', { target: 'linux-x64', mode: 'prebuilt', roots }).map((c) => c.from)).toEqual(['prebuilt', 'prebuilt']);
    // Off Linux: no target, a local build only.
    expect(nativeCandidates('psi', { target: undefined, mode: undefined, roots: ['/a'] }).map((c) => c.from)).toEqual(['build']);
  });

  it('says why a module is missing: no binary for this platform, or one that failed to load', () => {
    expect(whyNot({ name: 'psi', from: 'none', target: 'linux-riscv64', tried: [] })).toBe(
      'native module psi is not available: no prebuilt binary for linux-riscv64 (the package carries linux-x64, linux-x64-musl, linux-arm64), and native/build/psi.node is not built (bash native/build.sh, with a C compiler)',
    );
    expect(
      whyNot({ name: 'psi', from: 'none', target: 'linux-x64', tried: [{ path: '/p/prebuilds/linux-x64/psi.node', error: 'GLIBC_2.34 not found' }] }),
    ).toBe('native module psi did not load: /p/prebuilds/linux-x64/psi.node: GLIBC_2.34 not found');
  });

  it("names this process's C library as Node's report does, and loads this target's prebuilt binaries", () => {
    const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
    expect(detectLibc()).toBe(header.glibcVersionRuntime !== undefined ? 'glibc' : 'musl');
    const t = nativeTarget();
    if (process.env.PROCSPEC_NATIVE === undefined && (PREBUILT_TARGETS as readonly string[]).includes(t ?? '')) {
      for (const n of NATIVE_MODULES) expect(nativeLoad(n)).toMatchObject({ from: 'prebuilt', path: join(repo, 'prebuilds', t!, `${n}.node`) });
    }
  });
});
