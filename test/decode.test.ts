/**
 * Decodings of a token's value (`letters`, `bits`, `options`): the live
 * files here decoded and checked against their raw text, typed errors for
 * a letter or a value that does not fit, the generator's refusals, and the
 * paths of a file the kernel moved (sched_debug, to debugfs in 5.13).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import { contextOf } from '../runtime/core/context.js';
import { ProcfsError } from '../runtime/core/errors.js';
import { resolvePath } from '../runtime/model/paths.js';
import {
  parseProcMounts,
  parseProcPidCoredumpFilter,
  parseProcPidMaps,
  parseProcPidMountinfo,
  parseProcPidSmaps,
  parseProcPidStat,
  parseProcSchedDebug,
  registry,
} from '../generated/index.js';
import { thrown } from './support/thrown.js';

const ctx = contextOf({ file: '<decode>', pageSize: 4096, clockTick: 100, hz: 250 });

describe('live files decoded as their raw text says', () => {
  it('maps: access is the four letters of perms', () => {
    const rows = parseProcPidMaps(readFileSync('/proc/self/maps', 'utf8'), ctx);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.access).toEqual({ read: r.perms[0] === 'r', write: r.perms[1] === 'w', execute: r.perms[2] === 'x', shared: r.perms[3] === 's' });
      expect(r.perms[3] === 's' || r.perms[3] === 'p').toBe(true);
    }
    // The code of this process is mapped readable and executable, private.
    expect(rows.some((r) => r.access.execute && r.access.read && !r.access.shared)).toBe(true);
  });

  it('smaps: the block header decodes its perms the same way', () => {
    const blocks = parseProcPidSmaps(readFileSync('/proc/self/smaps', 'utf8'), ctx);
    for (const b of blocks) expect(b.access.write).toBe(b.perms[1] === 'w');
  });

  it('stat: flagBits are the bits of flags; kernel threads have kthread, this process not', () => {
    const self = parseProcPidStat(readFileSync('/proc/self/stat', 'utf8'), ctx);
    expect(self.flagBits.kthread).toBe(false);
    expect(self.flagBits.superPriv || !self.flagBits.superPriv).toBe(true);
    // kthreadd (pid 2) is a kernel thread: PF_KTHREAD, 0x00200000.
    if (existsSync('/proc/2/stat')) {
      const k = parseProcPidStat(readFileSync('/proc/2/stat', 'utf8'), ctx);
      expect(k.flagBits.kthread).toBe(true);
      expect(k.flags & 0x200000).not.toBe(0);
    }
    for (const [name, bit] of [
      ['forkNoExec', 6],
      ['randomize', 22],
      ['usedMath', 13],
    ] as const) {
      expect(self.flagBits[name]).toBe(Math.floor(self.flags / 2 ** bit) % 2 === 1);
    }
  });

  it('coredump_filter: kinds are the bits of the hex mask', () => {
    const text = readFileSync('/proc/self/coredump_filter', 'utf8');
    const v = parseProcPidCoredumpFilter(text, ctx);
    expect(v.mask).toBe(Number.parseInt(text, 16));
    expect(v.kinds.anonPrivate).toBe((v.mask & 1) !== 0);
    expect(v.kinds.elfHeaders).toBe((v.mask & 0x10) !== 0);
    expect(v.kinds.daxShared).toBe((v.mask & 0x100) !== 0);
  });

  it('mountinfo and mounts: options by key are the raw options split at "="', () => {
    const lines = readFileSync('/proc/self/mountinfo', 'utf8').trimEnd().split('\n');
    const rows = parseProcPidMountinfo(`${lines.join('\n')}\n`, ctx);
    rows.forEach((r, i) => {
      const fields = lines[i]!.split(' ');
      const dash = fields.indexOf('-');
      for (const opt of fields[5]!.split(',')) {
        const [k, v] = opt.split(/=(.*)/s);
        expect(r.mountOptionsByKey[k!]).toBe(v ?? true);
      }
      for (const opt of fields[dash + 3]!.split(',')) {
        const [k] = opt.split('=');
        expect(k! in r.superOptionsByKey).toBe(true);
      }
      const tags = fields.slice(6, dash);
      expect(r.propagation.shared).toBe(
        tags.find((t) => t.startsWith('shared:'))?.slice(7) === undefined ? undefined : Number(tags.find((t) => t.startsWith('shared:'))!.slice(7)),
      );
      expect(r.propagation.unbindable).toBe(tags.includes('unbindable') ? true : undefined);
    });
    for (const m of parseProcMounts(readFileSync('/proc/self/mounts', 'utf8'), ctx)) {
      expect(Object.keys(m.optionsByKey)).toEqual([...new Set(m.options.map((o) => o.split('=')[0]))]);
    }
  });
});

describe('typed errors where a value does not fit its decoding', () => {
  const line = (perms: string): string => `00400000-00452000 ${perms} 00000000 08:02 173521      /usr/bin/dbus-daemon\n`;

  it('a letter that is neither the flag nor its "off" letter, at its column', () => {
    const e = thrown(() => parseProcPidMaps(line('rwzp'), ctx), ProcfsError);
    expect(e.code).toBe('parse');
    expect([e.line, e.column]).toEqual([1, 21]);
    expect(e.expected).toBe('"x" or "-" at flag letter 3 of 4');
    expect(thrown(() => parseProcPidMaps(line('rw-q'), ctx), ProcfsError).column).toBe(22);
  });

  it('a word of the wrong length', () => {
    const e = thrown(() => parseProcPidMaps(line('rw'), ctx), ProcfsError);
    expect(e.expected).toBe('4 flag letters (each of "rwxs" or "---p")');
    expect(thrown(() => parseProcPidMaps(line('rwxpq'), ctx), ProcfsError).column).toBe(23);
  });

  it('a bit mask that is not hex', () => {
    const e = thrown(() => parseProcPidCoredumpFilter('0000003g\n', ctx), ProcfsError);
    expect(e.code).toBe('parse');
    expect(e.line).toBe(1);
    expect(thrown(() => parseProcPidCoredumpFilter('zz\n', ctx), ProcfsError).column).toBe(1);
  });

  it('a propagation tag whose value is not a number, or a lone tag given one, at the tag', () => {
    const row = (tags: string): string => `24 1 259:2 / / rw,relatime ${tags} - ext4 /dev/nvme0n1p2 rw\n`;
    const e = thrown(() => parseProcPidMountinfo(row('shared:1 master:x2'), ctx), ProcfsError);
    expect([e.line, e.column, e.expected]).toEqual([1, 37, 'an integer after "master:"']);
    expect(thrown(() => parseProcPidMountinfo(row('unbindable:3'), ctx), ProcfsError).expected).toBe('"unbindable" alone, without a value');
    expect(thrown(() => parseProcPidMountinfo(row('shared'), ctx), ProcfsError).expected).toBe('"shared:" and a value');
    // A tag of a newer kernel is kept, not refused.
    expect(parseProcPidMountinfo(row('shared:1 newtag:5'), ctx)[0]!.propagation).toEqual({ shared: 1, extra: { newtag: '5' } });
  });
});

describe('the generator refuses a decoding that does not fit its token', () => {
  const spec = (token: string): string => `description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  line:\n    tokens:\n${token}`;
  const error = (token: string): string => {
    const text = spec(token);
    return thrown(() => checkSpec(loadSpecText('specs/proc/test.yaml', text), 'proc/test'), SpecError).message;
  };

  it('letters on a number, bits on a string, options on a plain string', () => {
    expect(
      error('      - {name: a, type: integer, description: d, letters: {name: b, description: d, values: [{letter: r, name: r, description: d}]}}\n'),
    ).toMatch(/letters.*one-word string token/);
    expect(error('      - {name: a, type: string, description: d, bits: {name: b, description: d, values: [{bit: 0, name: r, description: d}]}}\n')).toMatch(
      /bits.*integer token/,
    );
    expect(error('      - {name: a, type: string, description: d, options: {name: b, description: d, separator: "="}}\n')).toMatch(/options.*list of strings/);
  });

  it('a bit named twice, an "off" letter equal to the flag, a name taken by another field', () => {
    expect(
      error(
        '      - {name: a, type: integer, description: d, bits: {name: b, description: d, values: [{bit: 0, name: r, description: d}, {bit: 0, name: s, description: d}]}}\n',
      ),
    ).toMatch(/duplicate bit "0"/);
    expect(
      error('      - {name: a, type: string, description: d, letters: {name: b, description: d, values: [{letter: r, clear: r, name: r, description: d}]}}\n'),
    ).toMatch(/letter for off/);
    expect(
      error(
        '      - {name: a, type: string, description: d, letters: {name: c, description: d, values: [{letter: r, name: r, description: d}]}}\n      - {name: c, type: string, description: d}\n',
      ),
    ).toMatch(/duplicate name "c"/);
    expect(error('      - {name: a, type: integer, description: d, bits: {name: b, description: d, values: [{bit: 60, name: r, description: d}]}}\n')).toMatch(
      /maximum|52/,
    );
  });
});

describe('a file the kernel moved is read where it is', () => {
  const entry = registry.find((e) => e.id === 'proc/sched_debug')!;

  it('sched_debug: /proc/sched_debug when there, else debugfs sched/debug, under a made-up root', () => {
    const root = mkdtempSync(join(tmpdir(), 'procspec-moved-'));
    const proc = join(root, 'proc');
    mkdirSync(join(root, 'sys/kernel/debug/sched'), { recursive: true });
    mkdirSync(proc);
    // Neither there: the first pattern, so the error names /proc/sched_debug.
    expect(resolvePath(entry.model, proc)).toBe(join(proc, 'sched_debug'));
    writeFileSync(join(root, 'sys/kernel/debug/sched/debug'), '');
    expect(resolvePath(entry.model, proc)).toBe(join(root, 'sys/kernel/debug/sched/debug'));
    writeFileSync(join(proc, 'sched_debug'), '');
    expect(resolvePath(entry.model, proc)).toBe(join(proc, 'sched_debug'));
  });

  it('the 6.18 debugfs file parses with no line left untyped but task names with spaces', () => {
    const text = readFileSync('test/fixtures/proc/sched_debug/captured-6.18-x86_64.txt', 'utf8');
    const blocks = parseProcSchedDebug(text, ctx) as { kind: string; rows?: { kind: string; line?: string }[] }[];
    const raw = blocks.flatMap((b) => b.rows ?? []).filter((r) => r.kind === 'raw');
    for (const r of raw) expect(r.line).toMatch(/^\S+ \S+ \S/);
    expect(blocks.flatMap((b) => b.rows ?? []).filter((r) => r.kind === 'eevdfTask').length).toBeGreaterThan(100);
  });
});
