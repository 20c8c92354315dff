/**
 * What exporter/settle-timers.ts works around (docs/exporter.md, "Idle wakes"): node wakes for a
 * timer cleared after it was set from an I/O callback, as a scrape's deadline is, unless it is made
 * to look at its timers again. Counted as the times a small node process went to sleep again
 * (its main thread's voluntary context switches) after its start-up work is over.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_SOURCES, distIsFresh, repo } from '../support/cli.js';

/** Times the main thread of `pid` has gone to sleep of itself. */
const sleeps = (pid: number): number => Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'latin1'))![1]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A node process that, 2 s after its start and from a setImmediate (as from I/O), sets a 1.5 s
 * timer, clears it, settles its timers or not, and keeps a 5 s timer; the number of times it was
 * woken over the 2.5 s after that.
 */
async function wakesAfterClearing(settle: boolean): Promise<number> {
  const [module, loader] = distIsFresh()
    ? [join(repo, 'dist', 'exporter', 'settle-timers.js'), []]
    : [join(repo, 'exporter', 'settle-timers.ts'), CLI_SOURCES.slice(1, 3)];
  const script = `
    const { settleTimers } = await import(${JSON.stringify(module)});
    setTimeout(() => setImmediate(() => {
      clearTimeout(setTimeout(() => {}, 1500));
      if (${settle}) settleTimers();
      process.stdout.write('armed\\n');
      setTimeout(() => {}, 5000);
    }), 2000);`;
  const child = spawn(process.execPath, [...loader, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('armed') && resolve());
      child.once('exit', (code) => reject(new Error(`the child ended (${code}) before arming its timers`)));
    });
    // What node does right after the callback (the due-at-once timer itself) is over by then.
    await sleep(300);
    const before = sleeps(child.pid!);
    await sleep(2_500);
    return sleeps(child.pid!) - before;
  } finally {
    child.kill();
  }
}

describe.concurrent('timers cleared between scrapes', () => {
  it('wake node once when nothing makes it look again (what settle-timers.ts is for)', async () => {
    expect(await wakesAfterClearing(false)).toBe(1);
  });

  it('wake nothing once settleTimers() has run', async () => {
    expect(await wakesAfterClearing(true)).toBe(0);
  });
});
