/**
 * Every file of every producer under producers/ (Linux at several versions,
 * gVisor, lxcfs, FreeBSD's linprocfs: written from their source code) finds
 * its spec, parses without an error, and gives its reviewed value; the
 * commands a monitoring user runs first (summary, ps, top) work on each
 * producer's tree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../generated/index.js';
import { cgroupMountsOf } from '../runtime/reading/cgroup-root.js';
import { ProcFs } from '../runtime/index.js';
import { specForPath } from '../runtime/model/paths.js';
import { runCliAsync } from './support/cli.js';
import { findProducerFixtures, producerOutcome, producersOf, treeFile } from './support/producers.js';

const fixtures = findProducerFixtures(registry);

/**
 * Files real producers print that the specs do not read yet, each with what
 * is missing. Such a file must still be refused with a parse error (never a
 * wrong value); when a spec learns to read it, this test fails and the entry goes.
 */
const NOT_YET_READ = new Map<string, string>([]);

describe('producer fixtures', () => {
  it('are there, several producers of them', () => expect(producersOf(fixtures).length).toBeGreaterThanOrEqual(3));
});

for (const producer of producersOf(fixtures)) {
  describe(`producer ${producer}`, () => {
    const mine = fixtures.filter((f) => f.producer === producer);
    // Files no spec covers (linprocfs' empty task/.dummy) are part of the tree, not of this test.
    for (const f of mine.filter((x) => x.spec !== undefined)) {
      it(f.path, () => {
        const got = producerOutcome(f);
        const notYet = NOT_YET_READ.get(`${producer}${f.path}`);
        if (notYet === undefined) expect(JSON.parse(got), `producers/${producer}${f.path} is refused`).not.toHaveProperty('error');
        else expect(JSON.parse(got), `producers/${producer}${f.path} is read now (${notYet}): take it off NOT_YET_READ`).toHaveProperty('error.code', 'parse');
        expect(existsSync(f.expectedFile), `missing ${f.expectedFile}: run npm run fixtures:update and review it`).toBe(true);
        expect(got).toBe(readFileSync(f.expectedFile, 'utf8'));
      });
    }

    // Where its mount table (its own copy, or its producer's) mounts cgroup2 is where its cgroup v2 files are:
    // hybrid Linux trees keep them under /sys/fs/cgroup/unified, pure v2 ones under /sys/fs/cgroup.
    const cgroupFiles = mine.filter((f) => f.spec !== undefined && f.path.startsWith('/sys/fs/cgroup/'));
    if (cgroupFiles.length > 0) {
      it('its cgroup files lie under a cgroup mount of its mount table, and read through ProcFs at the cgroup2 mount', () => {
        const mounts = cgroupMountsOf(readFileSync(treeFile(producer, '/proc/self/mountinfo')));
        for (const f of cgroupFiles) {
          const v2 = mounts.v2;
          if (v2 !== null && f.path.startsWith(`${v2}/`)) {
            expect(specForPath(registry, f.path, { cgroup2: v2 }), f.path).toBe(f.spec);
            // The default cgroup root: the tree's own mount table, under the tree (not this machine's /sys).
            const fs = new ProcFs({ root: join(mine[0]!.tree, 'proc') });
            const cgroup = f.path.slice(v2.length + 1, f.path.lastIndexOf('/'));
            expect(fs.read(f.spec!.id as never, { cgroup }), f.path).toEqual(
              JSON.parse(producerOutcome(f), (_k, x: unknown) => (typeof x === 'string' && /^\d+n$/.test(x) ? BigInt(x.slice(0, -1)) : x)),
            );
          } else {
            // Not a cgroup2 file: one of a v1 hierarchy whose format v2 shares (gVisor's pids files).
            expect(
              mounts.v1.some((m) => f.path.startsWith(`${m.mountPoint}/`)),
              `${f.path}: under no cgroup mount of ${producer}`,
            ).toBe(true);
          }
        }
      });
    }

    // A variant's tree holds only the files that differ from its producer's: the commands run on whole trees.
    if (producer.includes('/')) return;
    const root = join(mine[0]!.tree, 'proc');
    const pids = readdirSync(root)
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
    it.concurrent('summary runs on its tree', async () => {
      const r = await runCliAsync(['summary', '--root', root, '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toHaveProperty('format');
    });
    it.concurrent('ps lists the processes of its tree', async () => {
      const r = await runCliAsync(['ps', '--root', root, '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const listed = (JSON.parse(r.stdout) as { processes: { pid: number }[] }).processes.map((p) => p.pid).sort((a, b) => a - b);
      expect(listed).toEqual(pids);
    });
    it.concurrent('ps -L lists a row per thread of its tree (a process without thread folders is one thread)', async () => {
      const r = await runCliAsync(['ps', '-L', '--root', root, '--json', '-o', 'pid,tid']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const rows = (JSON.parse(r.stdout) as { processes: { pid: number; tid: number }[] }).processes.map((p) => `${p.pid}/${p.tid}`).sort();
      const expected = pids.flatMap((pid) => {
        const tids = existsSync(join(root, String(pid), 'task')) ? readdirSync(join(root, String(pid), 'task')).filter((n) => /^\d+$/.test(n)) : [];
        return (tids.length > 0 ? tids : [String(pid)]).map((tid) => `${pid}/${tid}`);
      });
      expect(rows).toEqual(expected.sort());
    });
    it.concurrent('top samples its tree', async () => {
      const r = await runCliAsync(['top', '--root', root, '--json', '-n', '1', '-i', '10ms']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
    });
  });
}
