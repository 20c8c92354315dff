/**
 * The numeric policy (docs/numbers.md) on files where 64-bit counters are
 * printed: around 2^53 and up to 2^64 - 1 a file parses; by default a wide
 * value is exactly Number() of its text times its unit, with `bigint: true`
 * BigInt() of its text times its unit; narrow fields stay numbers; the
 * types follow the mode.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  parseProcDiskstats,
  parseProcNetDev,
  parseProcNetNetstat,
  parseProcNetSnmp,
  parseProcPidIo,
  ProcFs,
  procNetNetstatSpec,
  procNetSnmpSpec,
  toJson,
  type BigintSpecTypes,
  type SpecModel,
  type ProcDiskstats,
  type ProcNetDev,
  type ProcPidIo,
  type SpecTypes,
} from '../runtime/index.js';
import { changes, difference, leaves } from '../runtime/model/measures.js';
import { runCli } from './support/cli.js';
import { madeUpRoot, writeStat } from './support/made-up-root.js';

/** 2^53 - 1, 2^53, 2^53 + 1, 2^63 and 2^64 - 1 as the kernel prints them. */
const VALUES = ['9007199254740991', '9007199254740992', '9007199254740993', '9223372036854775808', '18446744073709551615'];

const netDev = (v: string): string =>
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
  `  eth0: ${v} ${v} 0 0 0 0 0 0 7 1 0 0 0 0 0 0\n`;

const diskstats = (v: string): string => `   8       0 sda ${v} 0 ${v} 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;

/**
 * A net/snmp or net/netstat text made from its spec: each key with every
 * column the spec names (0, or the value given), as header and value lines.
 */
function columnsText(model: SpecModel, values: Record<string, Record<string, string>>): string {
  if (model.layout.kind !== 'keyed') throw new Error('not a keyed spec');
  const out: string[] = [];
  for (const e of model.layout.entries) {
    if (e.field.value.kind !== 'record' || !e.field.value.record.columns) continue;
    const names = e.field.value.record.columns.fields.map((f) => f.raw);
    if (names.length === 0) continue;
    out.push(`${e.key}: ${names.join(' ')}`, `${e.key}: ${names.map((n) => values[e.key]?.[n] ?? '0').join(' ')}`);
  }
  return `${out.join('\n')}\n`;
}

const snmp = (v: string): string =>
  columnsText(procNetSnmpSpec, { Ip: { Forwarding: '1', DefaultTTL: '64', InReceives: v }, Tcp: { RtoAlgorithm: '1', CurrEstab: '3', InSegs: v } }).replace(
    /^(Ip: Forwarding.*)\n(Ip: .*)$/m,
    '$1 InExtraOctets\n$2 5',
  );

const netstat = (v: string): string => columnsText(procNetNetstatSpec, { TcpExt: { SyncookiesSent: v, DelayedACKs: '1' }, IpExt: { InOctets: v } });

const pidIo = (v: string): string => `rchar: ${v}\nwchar: 1\nsyscr: ${v}\nsyscw: 1\nread_bytes: ${v}\nwrite_bytes: 0\ncancelled_write_bytes: 0\n`;

const stats = (rows: ProcNetDev | ProcNetDev<bigint>) => {
  const r = rows[0]!;
  if (r.kind !== 'stats') throw new Error('not a stats row');
  return r;
};

describe.each(VALUES)('a counter of %s', (v) => {
  it('net/dev: the nearest double of the text by default, BigInt of the text with bigint: true', () => {
    const d = stats(parseProcNetDev(netDev(v)));
    expect(d.rxBytes).toBe(Number(v));
    expect(d.rxPackets).toBe(Number(v));
    expect(d.txBytes).toBe(7);
    const e = stats(parseProcNetDev(netDev(v), { bigint: true }));
    expect(e.rxBytes).toBe(BigInt(v));
    expect(e.rxPackets).toBe(BigInt(v));
    // Small values of a wide field are bigints too: the type does not depend on the value.
    expect(e.txBytes).toBe(7n);
  });

  it('diskstats: sectors scaled to bytes (the double times 512, or exactly), device numbers stay numbers', () => {
    const d = parseProcDiskstats(diskstats(v))[0]!;
    if (!('readsCompleted' in d)) throw new Error('not a disk row');
    expect(d.readsCompleted).toBe(Number(v));
    expect(d.readBytes).toBe(Number(v) * 512);
    const e = parseProcDiskstats(diskstats(v), { bigint: true })[0]!;
    if (!('readsCompleted' in e)) throw new Error('not a disk row');
    expect(e.readsCompleted).toBe(BigInt(v));
    expect(e.readBytes).toBe(BigInt(v) * 512n);
    expect(e.major).toBe(8);
    expect(e.minor).toBe(0);
  });

  it('net/snmp: counters wide, levels and codes narrow', () => {
    const d = parseProcNetSnmp(snmp(v));
    expect(d.ip.inReceives).toBe(Number(v));
    expect(d.tcp.inSegs).toBe(Number(v));
    const e = parseProcNetSnmp(snmp(v), { bigint: true });
    expect(e.ip.inReceives).toBe(BigInt(v));
    expect(e.tcp.inSegs).toBe(BigInt(v));
    expect(e.ip.defaultTtl).toBe(64);
    expect(e.tcp.rtoAlgorithm).toBe(1);
    expect(e.tcp.currEstab).toBe(3);
    // A column no field names follows the mode.
    expect(e.ip.extra?.InExtraOctets).toBe(5n);
    expect(d.ip.extra?.InExtraOctets).toBe(5);
  });

  it('net/netstat: counters and byte counts', () => {
    const d = parseProcNetNetstat(netstat(v));
    expect(d.tcpExt?.syncookiesSent).toBe(Number(v));
    expect(d.ipExt?.inOctets).toBe(Number(v));
    const e = parseProcNetNetstat(netstat(v), { bigint: true });
    expect(e.tcpExt?.syncookiesSent).toBe(BigInt(v));
    expect(e.tcpExt?.delayedAcks).toBe(1n);
    expect(e.ipExt?.inOctets).toBe(BigInt(v));
  });

  it('pid/io: bytes and system calls', () => {
    const d = parseProcPidIo(pidIo(v));
    expect([d.rchar, d.syscr, d.readBytes]).toEqual([Number(v), Number(v), Number(v)]);
    const e = parseProcPidIo(pidIo(v), { bigint: true });
    expect([e.rchar, e.syscr, e.readBytes, e.wchar]).toEqual([BigInt(v), BigInt(v), BigInt(v), 1n]);
  });
});

describe('numbers beyond what the kernel prints, and broken ones, still fail', () => {
  it('2^64 unsigned, below -2^63 signed, letters and a cut number are parse errors in both modes', () => {
    for (const bigint of [false, true]) {
      expect(() => parseProcPidIo(pidIo('18446744073709551616'), { bigint })).toThrow(/expected an integer below 2\^64/);
      expect(() => parseProcPidIo(pidIo('12a'), { bigint })).toThrow(/expected end of line/);
      expect(() => parseProcPidIo(pidIo(''), { bigint })).toThrow(/expected a decimal integer/);
      expect(() => parseProcNetDev(netDev('1844674407370955161x'), { bigint })).toThrow(/rxBytes|white space|decimal/);
    }
  });

  it('the edges of 64 bits: 2^64 - 1 with leading zeros is read, as the kernel never pads but a copy may', () => {
    expect(parseProcPidIo(pidIo('0018446744073709551615'), { bigint: true }).rchar).toBe(2n ** 64n - 1n);
    expect(parseProcPidIo(pidIo('0018446744073709551615')).rchar).toBe(2 ** 64);
  });
});

describe('types follow the mode', () => {
  it('parse functions: number by default, bigint with bigint: true, narrow fields number in both', () => {
    const d = parseProcDiskstats(diskstats('1'));
    const e = parseProcDiskstats(diskstats('1'), { bigint: true });
    expectTypeOf(d).toEqualTypeOf<ProcDiskstats>();
    expectTypeOf(e).toEqualTypeOf<ProcDiskstats<bigint>>();
    expectTypeOf(e[0]!.readBytes).toEqualTypeOf<bigint>();
    expectTypeOf(d[0]!.readBytes).toEqualTypeOf<number>();
    expectTypeOf(e[0]!.major).toEqualTypeOf<number>();
    expectTypeOf(parseProcPidIo(pidIo('1'), { bigint: true })).toEqualTypeOf<ProcPidIo<bigint>>();
    // An option whose value is not known when compiled gives either.
    const mode: boolean = d.length > 1;
    expectTypeOf(parseProcPidIo(pidIo('1'), { bigint: mode }).rchar).toEqualTypeOf<number | bigint>();
  });

  it('spec types by id: pids, ids and times stay numbers in exact mode', () => {
    expectTypeOf<BigintSpecTypes['proc/pid/stat']['minflt']>().toEqualTypeOf<bigint>();
    expectTypeOf<BigintSpecTypes['proc/pid/stat']['ppid']>().toEqualTypeOf<number>();
    expectTypeOf<BigintSpecTypes['proc/pid/stat']['utime']>().toEqualTypeOf<number>();
    expectTypeOf<BigintSpecTypes['proc/meminfo']['memTotal']>().toEqualTypeOf<bigint>();
    expectTypeOf<SpecTypes['proc/meminfo']['memTotal']>().toEqualTypeOf<number>();
    expectTypeOf<BigintSpecTypes['proc/loadavg']>().toEqualTypeOf<SpecTypes['proc/loadavg']>();
  });
});

describe('ProcFs and rates in exact mode', () => {
  const root = mkdtempSync(join(tmpdir(), 'procspec-numbers-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'net'));
  mkdirSync(join(root, '42'));
  writeFileSync(join(root, 'net', 'dev'), netDev('18446744073709551615'));
  writeFileSync(join(root, '42', 'io'), pidIo('9007199254740993'));

  it('new ProcFs({ bigint: true }) reads bigints, typed so with no cast; the default root reads numbers', async () => {
    const big = new ProcFs({ root, bigint: true });
    const io = big.read('proc/pid/io', { pid: 42 });
    expectTypeOf(io).toEqualTypeOf<ProcPidIo<bigint>>();
    expect(io.rchar).toBe(9007199254740993n);
    const dev = await big.readAsync('proc/net/dev');
    expectTypeOf(dev).toEqualTypeOf<ProcNetDev<bigint>>();
    expect(stats(dev).rxBytes).toBe(18446744073709551615n);
    const plain = new ProcFs({ root });
    const io2 = plain.read('proc/pid/io', { pid: 42 });
    expectTypeOf(io2).toEqualTypeOf<ProcPidIo>();
    expect(io2.rchar).toBe(Number('9007199254740993'));
  });

  it('a counter near 2^64 that moved by 1 has a rate of 1 per second in exact mode (doubles there are 4096 apart)', () => {
    const model = new ProcFs({ root }).entry('proc/pid/io').model;
    const before = leaves(model, parseProcPidIo(pidIo('18446744073709551000'), { bigint: true }));
    const after = leaves(model, parseProcPidIo(pidIo('18446744073709551001'), { bigint: true }));
    const rchar = changes(before, after, 1).find((c) => c.path === 'rchar');
    expect(rchar).toEqual({ path: 'rchar', measure: 'counter', perSecond: 1, value: 18446744073709551001n });
    expect(difference(18446744073709551001n, 18446744073709551000n)).toBe(1);
    expect(difference(5, 3)).toBe(2);
  });

  it('the process table in exact mode: rows carry bigints, and the refresh mode subtracts them exactly for its rates', () => {
    const proc = madeUpRoot('procspec-numbers-tasks-', [7], (r, pid) => {
      writeStat(r, pid);
      writeFileSync(join(r, String(pid), 'io'), pidIo('18446744073709551000'));
    });
    try {
      const big = new ProcFs({ root: proc, bigint: true });
      const listing = big.processes({ groups: ['memory', 'io'] });
      expectTypeOf(listing.rows[0]!.rss).toEqualTypeOf<bigint>();
      expectTypeOf(listing.rows[0]!.io!.readBytes).toEqualTypeOf<bigint>();
      expect(typeof listing.rows[0]!.rss).toBe('bigint');
      expect(listing.rows[0]!.io!.readBytes).toBe(18446744073709551000n);
      expectTypeOf(new ProcFs({ root: proc }).processes({ groups: ['memory'] }).rows[0]!.rss).toEqualTypeOf<number>();
      const m = big.monitor({ groups: ['base', 'cpu', 'memory', 'io'] });
      try {
        m.sample();
        writeFileSync(join(proc, '7', 'io'), pidIo('18446744073709551001'));
        const s = m.sample();
        const rates = s.rows[0]!.rates!;
        // 1 byte over the interval: as doubles the two readings are equal (they are 4096 apart there).
        expect(rates.readBytesPerSecond! * s.interval).toBeCloseTo(1, 6);
      } finally {
        m.close();
      }
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  it('toJson: bigints as strings by default, as JSON numbers with all their digits when asked', () => {
    expect(toJson({ a: 18446744073709551615n, b: 'x' }, 0)).toBe('{"a":"18446744073709551615","b":"x"}');
    expect(toJson({ a: 18446744073709551615n, b: [-1n, 2], s: '18446744073709551615' }, 0, true)).toBe(
      '{"a":18446744073709551615,"b":[-1,2],"s":"18446744073709551615"}',
    );
  });

  it('procspec parse --bigint prints the exact digits; without it the nearest double', () => {
    const file = join(root, 'net', 'dev');
    const exact = runCli(['parse', '--as', 'proc/net/dev', file, '--format', 'ndjson', '--bigint']);
    expect(exact.status, exact.stderr).toBe(0);
    expect(exact.stdout).toContain('"rxBytes":18446744073709551615,');
    expect(exact.stdout).toContain('"txBytes":7,');
    const plain = runCli(['parse', '--as', 'proc/net/dev', file, '--format', 'ndjson']);
    expect(plain.status, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).rxBytes).toBe(Number('18446744073709551615'));
    const csv = runCli(['parse', '--as', 'proc/net/dev', file, '--format', 'csv', '--bigint']);
    expect(csv.stdout.split('\n')[1]).toBe('stats,eth0,18446744073709551615,18446744073709551615,0,0,0,0,0,0,7,1,0,0,0,0,0,0');
  });

  it('procspec summary --bigint --json writes the network counters with all their digits, and reads as text', () => {
    const json = runCli(['summary', '--root', root, '--json', '--bigint']);
    expect(json.stdout).toMatch(/"receivedBytes": 18446744073709551615,/);
    expect(json.stdout).toMatch(/"sentBytes": 7,/);
    const plain = runCli(['summary', '--root', root, '--json']);
    expect(plain.stdout).toMatch(/"receivedBytes": 18446744073709552000,/);
    const text = runCli(['summary', '--root', root, '--bigint']);
    expect(text.stdout).toMatch(/net +eth0 +received 17179869184\.00 GiB, sent 0 KiB/);
  });

  it('procspec watch --bigint prints levels with all their digits and rates as numbers', () => {
    const r = runCli(['watch', 'proc/pid/io:pid=42', '--root', root, '-i', '50ms', '-n', '1', '--json', '--bigint']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"rchar":0');
    expect(r.stdout).toMatch(/"rates":\{"rchar":0,/);
  });
});
