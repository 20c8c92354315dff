/** The way a file is read, chosen once per target (runtime/reading/read-ways.ts). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { contextOf } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { closeKeptFiles, closingCount, isLiveProcfs, keptCount } from '../../runtime/reading/kept-files.js';
import { ProcFs } from '../../runtime/index.js';
import { readWayFor, type Parsing, type ReadTarget } from '../../runtime/reading/read-ways.js';
import { streamedReads } from '../../runtime/reading/streamed-read.js';
import { descriptorsOn } from '../support/descriptors.js';

const parsingOf = (id: string): Parsing => {
  const e = registry.find((x) => x.id === id)!;
  return { id, parse: e.parse, pieces: e.pieces, single: e.model.singleRecord === true };
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procspec-ways-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// The files of a worker share the module graph, so an earlier file's reads may still hold descriptors.
beforeEach(() => closeKeptFiles());
afterEach(() => closeKeptFiles());

describe('readWayFor', () => {
  it('streams files of records that are not printed in one piece, keeps sampled live files, reads the rest whole', () => {
    const maps = parsingOf('proc/pid/maps');
    const meminfo = parsingOf('proc/meminfo');
    expect(maps.pieces).toBeDefined();
    expect(meminfo.pieces).toBeUndefined();
    expect(readWayFor(meminfo, false).name).toBe('whole');
    expect(readWayFor(meminfo, true).name).toBe('kept');
    expect(readWayFor(maps, false).name).toBe(streamedReads ? 'streamed' : 'whole');
    expect(readWayFor(maps, true).name).toBe(streamedReads ? 'streamed-kept' : 'kept');
    // A record file printed in one piece is read whole: a short read is its end.
    expect(readWayFor({ ...maps, single: true }, false).name).toBe('whole');
  });
});

describe('a kept read that fails', () => {
  it('gives the descriptor up and switches its target to reading by path for good, with the error of a read by path', () => {
    // A folder opens, but reading it fails (EISDIR): a kept descriptor that cannot be read.
    const file = path.join(dir, 'folder');
    fs.mkdirSync(file);
    const p = parsingOf('proc/meminfo');
    const t: ReadTarget = { file, ctx: contextOf({ file }), way: readWayFor(p, true) };
    expect(t.way.name).toBe('kept');
    let err: unknown;
    try {
      t.way.readSync(t, p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProcfsError);
    expect((err as ProcfsError).errno).toBe('EISDIR');
    expect((err as ProcfsError).file).toBe(file);
    expect(t.way.name).toBe('whole');
    expect(keptCount()).toBe(0);
  });

  it('a kept file that parses reads through its one descriptor on every read', () => {
    const file = path.join(dir, 'loadavg');
    fs.writeFileSync(file, '0.10 0.20 0.30 1/100 4242\n');
    const p = parsingOf('proc/loadavg');
    const t: ReadTarget = { file, ctx: contextOf({ file }), way: readWayFor(p, true) };
    for (let i = 0; i < 3; i++) expect((t.way.readSync(t, p) as { lastPid: number }).lastPid).toBe(4242);
    expect(t.way.name).toBe('kept');
    expect(keptCount()).toBe(1);
  });

  it('a missing kept file is not_found, and its target still keeps (the file may come)', () => {
    const file = path.join(dir, 'gone', 'loadavg');
    const p = parsingOf('proc/loadavg');
    const t: ReadTarget = { file, ctx: contextOf({ file }), way: readWayFor(p, true) };
    expect(() => t.way.readSync(t, p)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(t.way.name).toBe('kept');
  });
});

describe('the async read of a kept file', () => {
  it('reads through one descriptor, opened on the first read, across reads in turn and at once', async () => {
    const file = path.join(dir, 'loadavg-async');
    fs.writeFileSync(file, '0.10 0.20 0.30 1/100 4242\n');
    const p = parsingOf('proc/loadavg');
    const t: ReadTarget = { file, ctx: contextOf({ file }), way: readWayFor(p, true) };
    expect(descriptorsOn(file)).toBe(0);
    for (let i = 0; i < 3; i++) {
      expect((await t.way.readAsync(t, p)) as { lastPid: number }).toMatchObject({ lastPid: 4242 });
      expect(descriptorsOn(file)).toBe(1);
    }
    const all = await Promise.all([1, 2, 3].map(() => t.way.readAsync(t, p)));
    expect(all.map((v) => (v as { lastPid: number }).lastPid)).toEqual([4242, 4242, 4242]);
    expect(descriptorsOn(file)).toBe(1);
    expect(t.way.name).toBe('kept');
    expect(keptCount()).toBe(1);
  });

  it('a descriptor closed while a read runs through it is closed once that read has ended, and the read gives the value', async () => {
    const file = path.join(dir, 'loadavg-closed');
    fs.writeFileSync(file, '0.10 0.20 0.30 1/100 777\n');
    const p = parsingOf('proc/loadavg');
    const t: ReadTarget = { file, ctx: contextOf({ file }), way: readWayFor(p, true) };
    const reads = [t.way.readAsync(t, p), t.way.readAsync(t, p)];
    // The reads are queued in the thread pool with the descriptor; closing it now must wait for them.
    closeKeptFiles();
    expect(keptCount()).toBe(0);
    expect(closingCount()).toBe(1);
    expect(descriptorsOn(file)).toBe(1);
    for (const r of reads) expect(((await r) as { lastPid: number }).lastPid).toBe(777);
    expect(closingCount()).toBe(0);
    expect(descriptorsOn(file)).toBe(0);
    // The next read opens it again.
    expect(((await t.way.readAsync(t, p)) as { lastPid: number }).lastPid).toBe(777);
    expect(descriptorsOn(file)).toBe(1);
  });

  it('a kept read that fails gives the descriptor up and switches its target to reading by path, with the error of a read by path', async () => {
    const file = path.join(dir, 'folder-async');
    fs.mkdirSync(file);
    const p = parsingOf('proc/meminfo');
    const t: ReadTarget = { file, ctx: contextOf({ file }), way: readWayFor(p, true) };
    const err = await t.way.readAsync(t, p).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProcfsError);
    expect((err as ProcfsError).errno).toBe('EISDIR');
    expect((err as ProcfsError).file).toBe(file);
    expect(t.way.name).toBe('whole');
    expect(keptCount()).toBe(0);
    expect(closingCount()).toBe(0);
    expect(descriptorsOn(file)).toBe(0);
  });

  it('a missing kept file is not_found, and a text that does not parse is a parse error that keeps the descriptor', async () => {
    const p = parsingOf('proc/loadavg');
    const gone = path.join(dir, 'gone-async', 'loadavg');
    const t: ReadTarget = { file: gone, ctx: contextOf({ file: gone }), way: readWayFor(p, true) };
    await expect(t.way.readAsync(t, p)).rejects.toMatchObject({ code: 'not_found' });
    expect(t.way.name).toBe('kept');
    const bad = path.join(dir, 'loadavg-bad');
    fs.writeFileSync(bad, 'not a loadavg\n');
    const u: ReadTarget = { file: bad, ctx: contextOf({ file: bad }), way: readWayFor(p, true) };
    await expect(u.way.readAsync(u, p)).rejects.toMatchObject({ code: 'parse' });
    expect(u.way.name).toBe('kept');
    expect(descriptorsOn(bad)).toBe(1);
  });

  it('reads asked for in one turn each get their own file; one that fails fails alone', async () => {
    const p = parsingOf('proc/loadavg');
    const targets: ReadTarget[] = [];
    for (let i = 0; i < 5; i++) {
      const file = path.join(dir, `loadavg-turn-${i}`);
      fs.writeFileSync(file, `0.10 0.20 0.30 1/100 ${1000 + i}\n`);
      targets.push({ file, ctx: contextOf({ file }), way: readWayFor(p, true) });
    }
    const folder = path.join(dir, 'folder-turn');
    fs.mkdirSync(folder);
    const broken: ReadTarget = { file: folder, ctx: contextOf({ file: folder }), way: readWayFor(p, true) };
    const reads = [...targets.slice(0, 2), broken, ...targets.slice(2)].map((t) =>
      t.way.readAsync(t, p).then(
        (v) => (v as { lastPid: number }).lastPid,
        (e: unknown) => (e as ProcfsError).errno,
      ),
    );
    expect(await Promise.all(reads)).toEqual([1000, 1001, 'EISDIR', 1002, 1003, 1004]);
    expect(targets.map((t) => t.way.name)).toEqual(['kept', 'kept', 'kept', 'kept', 'kept']);
    expect(broken.way.name).toBe('whole');
    expect(keptCount()).toBe(5);
    expect(closingCount()).toBe(0);
  });

  // Fixtures of keyed files, a table and files of records (the streamed-kept way when the reading thread loaded).
  const FIXTURES: [string, string][] = [
    ['proc/meminfo', 'test/fixtures/proc/meminfo/written-4.19-arm64.txt'],
    ['proc/stat', 'test/fixtures/proc/stat/written-2.6.33-x86_64-10-values.txt'],
    ['proc/diskstats', 'test/fixtures/proc/diskstats/written-6.1-x86_64-20-fields.txt'],
    ['proc/net/dev', 'test/fixtures/proc/net/dev/written-2.6.18-x86_64-glued-iface.txt'],
  ];
  it.each(FIXTURES)('%s: the async kept read gives what the sync kept read gives', async (id, fixture) => {
    const file = path.join(dir, id.replace(/\//g, '_'));
    fs.copyFileSync(fixture, file);
    const p = parsingOf(id);
    const t: ReadTarget = { file, ctx: contextOf({ file }), way: readWayFor(p, true) };
    const way = t.way.name;
    const sync = t.way.readSync(t, p);
    expect(await t.way.readAsync(t, p)).toEqual(sync);
    expect(t.way.name).toBe(way);
    expect(descriptorsOn(file)).toBe(1);
  });

  it('ProcFs.readAsync keeps a sampled file of the live /proc open, one named by a parameter too', async () => {
    const procfs = new ProcFs({ root: '/proc' });
    if (!isLiveProcfs('/proc')) return;
    for (let i = 0; i < 3; i++) await procfs.readAsync('proc/meminfo');
    expect(descriptorsOn('/proc/meminfo')).toBe(1);
    if (fs.existsSync('/proc/pressure/cpu')) {
      for (let i = 0; i < 3; i++) await procfs.readAsync('proc/pressure', { resource: 'cpu' });
      expect(descriptorsOn('/proc/pressure/cpu')).toBe(1);
    }
    // A process's file is read by path.
    await procfs.readAsync('proc/pid/stat', { pid: process.pid });
    expect(descriptorsOn(`/proc/${process.pid}/stat`)).toBe(0);
    procfs.dropCache();
    expect(descriptorsOn('/proc/meminfo')).toBe(0);
  });
});
