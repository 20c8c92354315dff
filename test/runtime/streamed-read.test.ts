/** Long files of records read on a thread of their own while they are parsed (runtime/reading/streamed-read.ts). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { ProcFs } from '../../runtime/index.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { contextOf } from '../../runtime/core/context.js';
import { readParsedAsync, readParsedSync, streamCounts, streamedReads } from '../../runtime/reading/streamed-read.js';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'procspec-streamed-'));
  fs.mkdirSync(path.join(root, 'net'));
  fs.mkdirSync(path.join(root, '7'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const entry = (id: string) => registry.find((e) => e.id === id)!;

/** A mountinfo line per mount, each one different (ids, device, paths and options vary). */
function mountinfo(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const shared = i % 3 === 0 ? ` shared:${i}` : i % 3 === 1 ? ` master:${i} propagate_from:2` : '';
    lines.push(
      `${i + 20} ${i === 0 ? 1 : 20 + (i >> 1)} 0:${i % 4096} / /mnt/with\\040space/m${i} rw,${i % 2 ? 'nosuid,' : ''}relatime${shared} - tmpfs tmpfs-${i} rw,size=${i * 4}k,inode64`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** An smaps block per mapping: the maps line, then the counters. */
function smaps(n: number): string {
  const keys = [
    'Size',
    'KernelPageSize',
    'MMUPageSize',
    'Rss',
    'Pss',
    'Pss_Dirty',
    'Shared_Clean',
    'Shared_Dirty',
    'Private_Clean',
    'Private_Dirty',
    'Referenced',
    'Anonymous',
    'LazyFree',
    'AnonHugePages',
    'ShmemPmdMapped',
    'FilePmdMapped',
    'Shared_Hugetlb',
    'Private_Hugetlb',
    'Swap',
    'SwapPss',
    'Locked',
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = 0x7f0000000000 + i * 0x2000;
    out.push(
      `${start.toString(16)}-${(start + 0x1000).toString(16)} r${i % 2 ? 'w' : '-'}-p 00000000 00:00 0${i % 5 === 0 ? `                          /usr/lib/lib${i}.so` : ''}`,
    );
    keys.forEach((k, j) => {
      out.push(`${`${k}:`.padEnd(16)}${String((i * 7 + j) % 4096).padStart(8)} kB`);
    });
    out.push('THPeligible:    0');
    out.push('VmFlags: rd mr mw me ac sd ');
  }
  return `${out.join('\n')}\n`;
}

describe.skipIf(!streamedReads)('streamed reads of long files', () => {
  it('parses a 2 MB mountinfo as it is read, into what the whole text parses to', () => {
    const text = mountinfo(20000);
    fs.writeFileSync(path.join(root, '7', 'mountinfo'), text);
    const before = { ...streamCounts };
    const got = new ProcFs({ root }).read('proc/pid/mountinfo', { pid: 7 });
    expect(streamCounts.handedOver).toBe(before.handedOver + 1);
    expect(streamCounts.pieces - before.pieces).toBeGreaterThan(5);
    expect(got).toHaveLength(20000);
    expect(got).toEqual(entry('proc/pid/mountinfo').parse(Buffer.from(text), contextOf({ file: '<text>' })));
    expect(got[1]!.mountPoint).toBe('/mnt/with space/m1');
  });

  it('grows its buffer for a file of many megabytes (smaps of 10,000 mappings) and parses it whole', () => {
    const text = smaps(10000);
    expect(text.length).toBeGreaterThan(5 * 1024 * 1024);
    fs.writeFileSync(path.join(root, '7', 'smaps'), text);
    const before = { ...streamCounts };
    const got = new ProcFs({ root }).read('proc/pid/smaps', { pid: 7 });
    expect(streamCounts.grown).toBeGreaterThan(before.grown);
    expect(got).toHaveLength(10000);
    expect(got).toEqual(entry('proc/pid/smaps').parse(Buffer.from(text), contextOf({ file: '<text>' })));
  });

  it('reads a table with a header line through a kept descriptor (pread from offset 0), twice', () => {
    const lines = ['  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'];
    for (let i = 0; i < 8000; i++) {
      lines.push(
        `${String(i).padStart(4)}: 0100007F:${(1024 + i).toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${100000 + i} 1 0000000000000000 100 0 0 10 0`,
      );
    }
    const text = `${lines.join('\n')}\n`;
    const file = path.join(root, 'net', 'tcp');
    fs.writeFileSync(file, text);
    const e = entry('proc/net/tcp');
    const ctx = contextOf({ file });
    const fd = fs.openSync(file, 'r');
    try {
      const whole = e.parse(Buffer.from(text), ctx);
      expect(readParsedSync(fd, file, e.id, e.pieces!, e.parse, ctx)).toEqual(whole);
      expect(readParsedSync(fd, file, e.id, e.pieces!, e.parse, ctx)).toEqual(whole);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('reports a bad line far into the file at its line and column in the whole file', () => {
    const lines = mountinfo(30000).split('\n');
    lines[25000] = lines[25000]!.replace(/^\d+/, 'x1');
    const file = path.join(root, '7', 'mountinfo');
    fs.writeFileSync(file, lines.join('\n'));
    let whole: unknown;
    try {
      entry('proc/pid/mountinfo').parse(Buffer.from(lines.join('\n')), contextOf({ file }));
    } catch (err) {
      whole = err;
    }
    let err: unknown;
    try {
      new ProcFs({ root }).read('proc/pid/mountinfo', { pid: 7 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProcfsError);
    expect(err).toMatchObject({ code: 'parse', file, line: 25001, column: 1, found: 'x1' });
    expect((err as Error).message).toBe((whole as Error).message);
  });

  it('reports a missing file as not found, and reads a short one whole without handing it over', () => {
    const p = new ProcFs({ root });
    expect(() => p.read('proc/pid/mountinfo', { pid: 8 })).toThrow(expect.objectContaining({ code: 'not_found' }));
    fs.writeFileSync(path.join(root, '7', 'mountinfo'), mountinfo(3));
    const before = streamCounts.handedOver;
    expect(p.read('proc/pid/mountinfo', { pid: 7 })).toHaveLength(3);
    expect(streamCounts.handedOver).toBe(before);
  });

  it('reads the live /proc/self/mountinfo (short: read whole) to what the plain read parses to', () => {
    const p = new ProcFs();
    expect(p.read('proc/pid/mountinfo', { pid: 'self' })).toEqual(p.parse('proc/pid/mountinfo', fs.readFileSync('/proc/self/mountinfo')));
  });
});

describe.skipIf(!streamedReads)('streamed reads from two threads at once', () => {
  it('a worker thread and the main thread each get the whole file (one reads through the reading thread, the other by itself)', async () => {
    const { Worker } = await import('node:worker_threads');
    // 10,000 mounts (about 1 MB) is far past the first 64 KiB read whole, so both threads stream.
    const text = mountinfo(10000);
    fs.writeFileSync(path.join(root, '7', 'mountinfo'), text);
    const expected = entry('proc/pid/mountinfo').parse(Buffer.from(text), contextOf({ file: '<text>' }));
    // The worker loads the TypeScript sources through tsx's loader, registered in the worker itself.
    const script = fileURLToPath(new URL('../support/read-in-worker.ts', import.meta.url));
    const w = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`, {
      eval: true,
      workerData: { root, id: 'proc/pid/mountinfo', params: { pid: 7 }, times: 10 },
    });
    const fromWorker = new Promise<number[]>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    const p = new ProcFs({ root });
    for (let i = 0; i < 10; i++) expect(p.read('proc/pid/mountinfo', { pid: 7 })).toEqual(expected);
    expect(await fromWorker).toEqual(new Array(10).fill(10000));
    await w.terminate();
  });
});

describe('async reads of long files, parsed while the next part is read', () => {
  it('give what the whole text parses to (mountinfo, smaps), and the error of a bad line at its place', async () => {
    const p = new ProcFs({ root });
    const cases = [
      { id: 'proc/pid/mountinfo', file: 'mountinfo', text: mountinfo(20000) },
      { id: 'proc/pid/smaps', file: 'smaps', text: smaps(10000) },
      { id: 'proc/pid/mountinfo', file: 'mountinfo', text: mountinfo(3) },
    ] as const;
    for (const c of cases) {
      fs.writeFileSync(path.join(root, '7', c.file), c.text);
      expect(await p.readAsync(c.id, { pid: 7 })).toEqual(entry(c.id).parse(Buffer.from(c.text), contextOf({ file: '<text>' })));
    }
    const lines = mountinfo(30000).split('\n');
    lines[25000] = lines[25000]!.replace(/^\d+/, 'x1');
    const file = path.join(root, '7', 'mountinfo');
    fs.writeFileSync(file, lines.join('\n'));
    await expect(p.readAsync('proc/pid/mountinfo', { pid: 7 })).rejects.toMatchObject({ code: 'parse', file, line: 25001, column: 1, found: 'x1' });
    await expect(p.readAsync('proc/pid/mountinfo', { pid: 8 })).rejects.toMatchObject({ code: 'not_found' });
    // Empty: the whole parse of an empty text.
    fs.writeFileSync(file, '');
    const e = entry('proc/pid/mountinfo');
    expect(await readParsedAsync(file, e.id, e.pieces!, contextOf({ file }))).toEqual(e.parse('', contextOf({ file })));
  });

  it('give the same values through node:fs alone (no native module), in a process of their own', () => {
    const text = mountinfo(20000);
    fs.writeFileSync(path.join(root, '7', 'mountinfo'), text);
    const script = `const { ProcFs } = await import(${JSON.stringify(path.join(import.meta.dirname, '../../runtime/index.ts'))});
      const { streamedReads } = await import(${JSON.stringify(path.join(import.meta.dirname, '../../runtime/reading/streamed-read.ts'))});
      const rows = await new ProcFs({ root: ${JSON.stringify(root)} }).readAsync('proc/pid/mountinfo', { pid: 7 });
      console.log(JSON.stringify({ streamedReads, rows }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, PROCSPEC_NATIVE: '0' },
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      }),
    ) as { streamedReads: boolean; rows: unknown };
    expect(out.streamedReads).toBe(false);
    expect(out.rows).toEqual(JSON.parse(JSON.stringify(entry('proc/pid/mountinfo').parse(Buffer.from(text), contextOf({ file: '<text>' })))));
  });
});
