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
import { runCli } from './support/cli.js';
import { findProducerFixtures, producerOutcome, producersOf } from './support/producers.js';

const fixtures = findProducerFixtures(registry);

/**
 * Files real producers print that the specs do not read yet, each with what
 * is missing. Such a file must still be refused with a parse error (never a
 * wrong value); when a spec learns to read it, this test fails and the entry goes.
 */
const NOT_YET_READ = new Map<string, string>([
  ['linux-2.6.32/proc/sched_debug', 'format v0.09: a "now at" line and the tunables in the header block'],
]);

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

    // A variant's tree holds only the files that differ from its producer's: the commands run on whole trees.
    if (producer.includes('/')) return;
    const root = join(mine[0]!.tree, 'proc');
    const pids = readdirSync(root).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
    it('summary runs on its tree', () => {
      const r = runCli(['summary', '--root', root, '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toHaveProperty('format');
    });
    it('ps lists the processes of its tree', () => {
      const r = runCli(['ps', '--root', root, '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const listed = (JSON.parse(r.stdout) as { processes: { pid: number }[] }).processes.map((p) => p.pid).sort((a, b) => a - b);
      expect(listed).toEqual(pids);
    });
    it('ps -L lists a row per thread of its tree (a process without thread folders is one thread)', () => {
      const r = runCli(['ps', '-L', '--root', root, '--json', '-o', 'pid,tid']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const rows = (JSON.parse(r.stdout) as { processes: { pid: number; tid: number }[] }).processes.map((p) => `${p.pid}/${p.tid}`).sort();
      const expected = pids.flatMap((pid) => {
        const tids = existsSync(join(root, String(pid), 'task')) ? readdirSync(join(root, String(pid), 'task')).filter((n) => /^\d+$/.test(n)) : [];
        return (tids.length > 0 ? tids : [String(pid)]).map((tid) => `${pid}/${tid}`);
      });
      expect(rows).toEqual(expected.sort());
    });
    it('top samples its tree', () => {
      const r = runCli(['top', '--root', root, '--json', '-n', '1', '-i', '10ms']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
    });
  });
}
