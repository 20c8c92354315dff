/**
 * Binary layouts (`layout: binary`): files the kernel writes as bytes, here
 * /proc/net/rt_acct and /proc/[pid]/auxv. This process's auxv read through
 * ProcFs, sync and async, live and from a copy under another root, checked
 * against the bytes themselves; the values of the written rt_acct fixture
 * and the samples the exporter makes of them; byte order; the typed errors
 * of a file that is not whole records, of a missing end record and of bytes
 * after it; and the generator's checks of the construct.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { specFamilies } from '../exporter/index.js';
import { Sink } from '../exporter/walks.js';
import { checkSpec } from '../generator/check.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import { parseProcNetRtAcct, parseProcPidAuxv } from '../generated/index.js';
import { contextOf } from '../runtime/core/context.js';
import { ProcFs, ProcfsError, registry } from '../runtime/index.js';
import { readAuxv } from '../runtime/reading/system.js';
import { loadSpecParser } from '../tools/try-spec.js';
import { repo } from './support/cli.js';
import { Renderer } from './support/render.js';
import { thrown } from './support/thrown.js';

const fixture = (...p: string[]): Buffer => readFileSync(join(repo, 'test', 'fixtures', 'proc', ...p));

/** An auxv of 64-bit pairs, little-endian unless said, from [type, value] pairs (the AT_NULL pair is not added). */
function auxv(pairs: [bigint, bigint][], little = true): Buffer {
  const b = Buffer.alloc(pairs.length * 16);
  pairs.forEach(([t, v], i) => {
    if (little) {
      b.writeBigUInt64LE(t, i * 16);
      b.writeBigUInt64LE(v, i * 16 + 8);
    } else {
      b.writeBigUInt64BE(t, i * 16);
      b.writeBigUInt64BE(v, i * 16 + 8);
    }
  });
  return b;
}

/** The pairs of an auxv read independently of the generated parser (Buffer's own 64-bit reads), AT_NULL excluded. */
function pairsOf(b: Buffer): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (let at = 0; at + 16 <= b.length; at += 16) {
    const t = b.readBigUInt64LE(at);
    if (t === 0n) break;
    out.push([t, b.readBigUInt64LE(at + 8)]);
  }
  return out;
}

describe('/proc/[pid]/auxv of this process', () => {
  const fs = new ProcFs();
  const bytes = readFileSync(`/proc/${process.pid}/auxv`);
  const want = pairsOf(bytes).map(([t, v]) => [Number(t), v]);
  const got = (rows: { type: number; value: bigint }[]): unknown[] => rows.map((r) => [r.type, r.value]);
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads as the bytes say, sync and async, the process and its main thread', async () => {
    expect(want.length).toBeGreaterThan(5);
    expect(got(fs.read('proc/pid/auxv', { pid: process.pid }))).toEqual(want);
    expect(got(await fs.readAsync('proc/pid/auxv', { pid: process.pid }))).toEqual(want);
    expect(got(fs.read('proc/pid/auxv', { pid: process.pid, tid: process.pid }))).toEqual(want);
  });

  it('names the entries, and agrees with the page size and clock tick the runtime reads from it', () => {
    const rows = fs.read('proc/pid/auxv', { pid: process.pid });
    const by = new Map(rows.map((r) => [r.name, r.value]));
    const sys = readAuxv();
    expect(by.get('AT_PAGESZ')).toBe(BigInt(sys.pageSize!));
    expect(by.get('AT_CLKTCK')).toBe(BigInt(sys.clockTick!));
    for (const r of rows) expect(sys.entries.get(r.type)).toBe(r.value);
    // An address above 2^53 would be wrong as a number: the values are bigints, exactly.
    expect(typeof by.get('AT_RANDOM')).toBe('bigint');
    expect(rows.every((r) => r.type !== 0)).toBe(true);
  });

  it('reads the same from a copy under another root', async () => {
    dir = mkdtempSync(join(tmpdir(), 'procspec-binary-'));
    mkdirSync(join(dir, String(process.pid)));
    // Read and written, not copied: a copy by copy_file_range takes no bytes from a /proc file, whose size says 0.
    writeFileSync(join(dir, String(process.pid), 'auxv'), bytes);
    const copy = new ProcFs({ root: dir });
    expect(got(copy.read('proc/pid/auxv', { pid: process.pid }))).toEqual(want);
    expect(got(await copy.readAsync('proc/pid/auxv', { pid: process.pid }))).toEqual(want);
  });
});

describe('values', () => {
  it('the written rt_acct: 256 realms, each by its position, 32-bit sums up to 2^32 - 1', () => {
    const rows = parseProcNetRtAcct(fixture('net', 'rt_acct', 'written-6.18-x86_64-realms.bin'));
    expect(rows).toHaveLength(256);
    expect(rows.map((r) => r.realm)).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(rows[0]).toEqual({ realm: 0, outBytes: 184320, outPackets: 2880, inBytes: 912384, inPackets: 9120 });
    expect(rows[10]).toEqual({ realm: 10, outBytes: 4294967040, outPackets: 3000000000, inBytes: 1500, inPackets: 1 });
    expect(rows[255]).toEqual({ realm: 255, outBytes: 60, outPackets: 1, inBytes: 0, inPackets: 0 });
    expect(rows.filter((r) => r.outPackets + r.inPackets > 0).map((r) => r.realm)).toEqual([0, 10, 255]);
  });

  it('the exporter serves a counter per realm', () => {
    const model = registry.find((e) => e.id === 'proc/net/rt_acct')!.model;
    const sink = new Sink();
    specFamilies(model).walk(parseProcNetRtAcct(fixture('net', 'rt_acct', 'written-6.18-x86_64-realms.bin')), '', sink);
    const out = new Map([...sink.families].map(([d, s]) => [d.name, s.map((x) => `${x.labels} ${String(x.value)}`)]));
    expect([...out.keys()].sort()).toEqual([
      'procspec_net_rt_acct_in_bytes_total',
      'procspec_net_rt_acct_in_packets_total',
      'procspec_net_rt_acct_out_bytes_total',
      'procspec_net_rt_acct_out_packets_total',
    ]);
    expect(out.get('procspec_net_rt_acct_out_bytes_total')).toHaveLength(256);
    expect(out.get('procspec_net_rt_acct_out_bytes_total')).toContain('realm="10" 4294967040');
  });

  it('a value above 2^53 stays exact; a type no name covers keeps its number and has no name', () => {
    const rows = parseProcPidAuxv(
      auxv([
        [25n, 2n ** 64n - 1n],
        [19n, 128n],
        [0n, 0n],
      ]),
    );
    expect(rows).toEqual([
      { type: 25, value: 2n ** 64n - 1n, name: 'AT_RANDOM' },
      { type: 19, value: 128n },
    ]);
    expect('name' in rows[1]!).toBe(false);
  });

  it('the empty file of a kernel thread is no entries; a string is taken one byte per character', () => {
    expect(parseProcPidAuxv(new Uint8Array(0))).toEqual([]);
    const b = auxv([
      [6n, 4096n],
      [0n, 0n],
    ]);
    expect(parseProcPidAuxv(b.toString('latin1'))).toEqual(parseProcPidAuxv(b));
  });

  it("host order is the byte order the context says (a big-endian machine's copy)", () => {
    const pairs: [bigint, bigint][] = [
      [6n, 65536n],
      [17n, 100n],
      [0n, 0n],
    ];
    const want = [
      { type: 6, value: 65536n, name: 'AT_PAGESZ' },
      { type: 17, value: 100n, name: 'AT_CLKTCK' },
    ];
    expect(parseProcPidAuxv(auxv(pairs, false), { littleEndian: false })).toEqual(want);
    expect(new ProcFs({ littleEndian: false }).parse('proc/pid/auxv', auxv(pairs, false))).toEqual(want);
    expect(parseProcPidAuxv(auxv(pairs, true), { littleEndian: true })).toEqual(want);
  });
});

describe('errors: a ProcfsError naming the file, line 1 and the column of the byte (offset + 1)', () => {
  const err = (f: () => unknown): ProcfsError => thrown(f, ProcfsError);

  it('a file that is not a whole number of records', () => {
    const e = err(() => parseProcNetRtAcct(fixture('net', 'rt_acct', 'captured-6.18-x86_64.bin').subarray(0, 4095), { file: 'saved/rt_acct' }));
    expect(e.code).toBe('parse');
    expect(e.file).toBe('saved/rt_acct');
    expect([e.line, e.column]).toEqual([1, 4081]);
    expect(e.expected).toBe('a whole record of 16 bytes (the file is 4095 bytes: 15 left over after 255 records)');
    expect(e.message).toMatch(/^saved\/rt_acct:1:4081: expected a whole record of 16 bytes/);
  });

  it('an auxv cut short of its AT_NULL pair, and bytes after it', () => {
    const whole = fixture('pid', 'auxv', 'captured-6.18-x86_64.bin');
    const cut = err(() => parseProcPidAuxv(whole.subarray(0, whole.length - 16), { file: 'auxv' }));
    expect([cut.line, cut.column, cut.expected]).toEqual([1, whole.length - 16 + 1, 'the end record (a_type = 0) before the end of the file']);
    const more = err(() => parseProcPidAuxv(Buffer.concat([whole, auxv([[6n, 4096n]])]), { file: 'auxv' }));
    expect([more.line, more.column, more.expected]).toEqual([1, whole.length + 1, 'the end of the file after the end record (a_type = 0)']);
    expect(more.found).toBe('06 00 00 00 00 00 00 00 …');
  });
});

describe('names on a text token', () => {
  const text = `description: test spec
paths: [/proc/test]
sampling: sampled
layout:
  table:
    tokens:
      - name: code
        type: integer
        description: d
        names:
          name: codeName
          description: d
          values: [{value: 1, name: ONE, description: d}, {value: 7, name: SEVEN, description: d}]
      - {name: rest, type: string, description: d}
`;
  const model = checkSpec(loadSpecText('specs/proc/test.yaml', text), 'proc/test');

  it('gives the name beside the number, none for a number no name covers, and round-trips', async () => {
    const parse = await loadSpecParser(model);
    expect(parse('1 a\n7 b\n8 c\n', contextOf({ file: 't' }))).toEqual([
      { code: 1, codeName: 'ONE', rest: 'a' },
      { code: 7, codeName: 'SEVEN', rest: 'b' },
      { code: 8, rest: 'c' },
    ]);
    const renderer = new Renderer(contextOf({ file: 't' }));
    for (const sample of fc.sample(renderer.file(model), { numRuns: 100, seed: 3 })) expect(parse(sample.text, contextOf({ file: 't' }))).toEqual(sample.value);
  });

  it('refuses names on what is not a plain integer', () => {
    const bad = text.replace('type: integer', 'type: string');
    expect(thrown(() => checkSpec(loadSpecText('specs/proc/test.yaml', bad), 'proc/test'), SpecError).message).toMatch(/"names" decodes an integer token/);
  });
});

describe('the generator checks a binary layout', () => {
  const spec = (layout: string): string => `description: test spec\npaths: [/proc/test]\nsampling: sampled\nlayout:\n${layout}`;
  const problem = (layout: string): string => thrown(() => checkSpec(loadSpecText('specs/proc/test.yaml', spec(layout)), 'proc/test'), SpecError).message;
  const field = (extra: string): string => `  binary:\n    order: little\n    fields:\n      - {name: a, type: integer, ctype: u32, description: d}\n${extra}`;

  it('takes a record of fixed-width fields', () => {
    const m = checkSpec(loadSpecText('specs/proc/test.yaml', spec(field('      - {name: b, type: u64, ctype: ulong, description: d}\n'))), 'proc/test');
    expect(m.layout).toMatchObject({ kind: 'binary', order: 'little', types: ['u32', 'ulong'] });
  });

  it('refuses what a binary record cannot be', () => {
    expect(problem(field('      - {name: b, type: u64, ctype: u32, description: d}\n'))).toMatch(/a u64 field is 8 bytes wide/);
    expect(problem(field('      - {name: b, type: integer, ctype: u32, optional: true, description: d}\n'))).toMatch(/a record has a fixed size/);
    expect(problem(field('    until: {field: c, value: 0}\n'))).toMatch(/"c" is not an integer field of the record/);
    expect(problem(field('      - {name: b, type: integer, ctype: u16, measure: counter, narrow: true, description: d}\n'))).toMatch(/narrow already/);
    expect(problem(field('      - {name: b, type: string, ctype: u32, description: d}\n'))).toMatch(/type/);
    expect(problem('  blocks:\n    blank: true\n    body:\n' + field('').replace(/^/gm, '    '))).toMatch(/not of a part/);
  });
});
