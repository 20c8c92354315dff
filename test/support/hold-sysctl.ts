/**
 * Holds a machine-wide sysctl at a value for as long as any test run on the
 * machine needs it: two `npm test` runs at once would otherwise race, one
 * putting back the value it found while the other still relies on its own
 * (kernel.task_delayacct turned off under a delays test). The first holder
 * keeps the value it found; the last one to let go puts it back (also the
 * value a run that died while holding it had kept). Holders are
 * files named by pid, so a run that died does not hold it forever; a lock
 * folder (mkdir is atomic) orders taking and letting go.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Runs `f` while holding the lock folder `lock` (waiting up to 30 s for it; a lock older than that is taken as left by a dead run). */
function locked<T>(lock: string, f: () => T): T {
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      if (i === 3000) rmdirSync(lock);
      Atomics.wait(pause, 0, 0, 10);
    }
  }
  try {
    return f();
  } finally {
    rmdirSync(lock);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
};

/** Sets the sysctl file `path` to `value` and returns the function that lets go of it. */
export function holdSysctl(path: string, value: string): () => void {
  const dir = join(tmpdir(), `procspec-hold-${basename(path)}`);
  const holders = join(dir, 'holders');
  const saved = join(dir, 'saved');
  const lock = join(dir, 'lock');
  mkdirSync(holders, { recursive: true });
  locked(lock, () => {
    // The value found before any holder: kept from a run that died holding it, else read now.
    if (!existsSync(saved)) writeFileSync(saved, readFileSync(path, 'utf8').trim());
    writeFileSync(join(holders, String(process.pid)), '');
    writeFileSync(path, value);
  });
  return () =>
    locked(lock, () => {
      rmSync(join(holders, String(process.pid)), { force: true });
      const others = readdirSync(holders)
        .map(Number)
        .filter((pid) => alive(pid));
      if (others.length > 0) return;
      writeFileSync(path, readFileSync(saved, 'utf8'));
      unlinkSync(saved);
    });
}
