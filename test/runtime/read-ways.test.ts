/** The way a file is read, chosen once per target (runtime/reading/read-ways.ts). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { contextOf } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { closeKeptFiles, keptCount } from '../../runtime/reading/kept-files.js';
import { readWayFor, type Parsing, type ReadTarget } from '../../runtime/reading/read-ways.js';
import { streamedReads } from '../../runtime/reading/streamed-read.js';

const parsingOf = (id: string): Parsing => {
  const e = registry.find((x) => x.id === id)!;
  return { id, parse: e.parse, pieces: e.pieces, single: e.model.singleRecord === true };
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procspec-ways-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
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
