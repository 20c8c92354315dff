/**
 * The C programs of the process-table benchmark (bench/c), built with cc
 * into a temporary folder when this module loads (undefined without cc):
 * the C reader the ratios are to, the idle processes of the larger process
 * counts and the loads that make large files; and the calls that run them.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const bin = mkdtempSync(join(os.tmpdir(), 'procspec-bench-'));
/** Whether a C compiler is there. */
export const cc = spawnSync('cc', ['--version']).status === 0;

function build(name: string): string | undefined {
  if (!cc) return undefined;
  const out = join(bin, name);
  execFileSync('cc', ['-O2', '-o', out, join(import.meta.dirname, 'c', `${name}.c`)]);
  return out;
}

/** bench/c/ps-reader.c: reads /proc as a careful C program does (see its modes there). */
export const cReader = build('ps-reader');
/** bench/c/idle-procs.c: starts N idle processes. */
export const idle = build('idle-procs');
/** bench/c/make-load.c: a process with many mappings, sockets or mounts. */
export const makeLoad = build('make-load');

/** Nanoseconds per round of the C reader for `mode`, one round per call (so rounds interleave with ours). */
export function cRound(mode: string): number | undefined {
  if (!cReader) return undefined;
  const out = execFileSync(cReader, [mode, '2'], { encoding: 'utf8' }).trim().split('\n');
  // The first round warms the dentry caches the same way our warm-up does; keep the second.
  return Number(out[1]!.split(' ')[2]);
}

/** Starts a helper that prints "ready ..." and waits for stdin to close. */
export async function startHelper(cmd: string, args: string[]): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}`)));
  });
  const pid = Number(/ready (\d+)/.exec(line)?.[1] ?? child.pid);
  return { child, pid };
}

/** Ends a helper started by startHelper (it exits when its stdin closes). */
export async function stopHelper(h: { child: ChildProcess }): Promise<void> {
  const done = new Promise((r) => h.child.once('exit', r));
  h.child.stdin!.end();
  await done;
}
