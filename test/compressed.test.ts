/**
 * Compressed specs (`compressed: gzip`, /proc/config.gz): ProcFs reads the
 * file and decompresses it, sync and async, live and under another root;
 * the parser takes the file's bytes or its text alike; damaged data is a
 * typed parse error naming the file; and the generator's checks of the
 * construct.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import { parseProcConfigGz } from '../generated/parsers/proc/config.gz.js';
import { ProcFs, ProcfsError } from '../runtime/index.js';
import { FIXTURES } from './support/fixtures.js';
import { thrown } from './support/thrown.js';

const captured = join(FIXTURES, 'proc', 'config.gz', 'captured-6.18-x86_64.gz');
const root = mkdtempSync(join(tmpdir(), 'procspec-gz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of /proc holding only a config.gz with these bytes. */
function rootWith(bytes: Uint8Array, name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.gz'), bytes);
  return dir;
}

describe('a compressed file read through ProcFs', () => {
  it.skipIf(!existsSync('/proc/config.gz'))("reads this kernel's /proc/config.gz sync and async, as its decompressed text parses", async () => {
    const text = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
    const fs = new ProcFs();
    const sync = fs.read('proc/config.gz');
    expect(sync).toEqual(parseProcConfigGz(text));
    expect(await new ProcFs().readAsync('proc/config.gz')).toEqual(sync);
    const smp = sync.find((r) => r.kind !== 'comment' && r.name === 'CONFIG_SMP');
    expect(smp?.kind === 'tristate' || smp?.kind === 'unset').toBe(true);
  });

  it('reads a copy under another root, once (the configuration cannot change while the kernel runs)', async () => {
    const dir = rootWith(readFileSync(captured), 'copy');
    const fs = new ProcFs({ root: dir });
    const v = fs.read('proc/config.gz');
    expect(v.find((r) => r.kind === 'hex' && r.name === 'CONFIG_ILLEGAL_POINTER_VALUE')).toEqual({
      kind: 'hex',
      name: 'CONFIG_ILLEGAL_POINTER_VALUE',
      value: 0xdead000000000000n,
    });
    expect(v.find((r) => r.kind === 'unset' && r.name === 'CONFIG_WERROR')).toEqual({ kind: 'unset', name: 'CONFIG_WERROR' });
    expect(v.filter((r) => r.kind !== 'comment')).toHaveLength(1630 + 75 + 4 + 18 + 1314);
    expect(await new ProcFs({ root: dir }).readAsync('proc/config.gz')).toEqual(v);
    // Read once: a new file under the same root is not seen until the cache is dropped.
    writeFileSync(join(dir, 'config.gz'), gzipSync('CONFIG_X=y\n'));
    expect(fs.read('proc/config.gz')).toBe(v);
    fs.dropCache();
    expect(fs.read('proc/config.gz')).toEqual([{ kind: 'tristate', name: 'CONFIG_X', value: 'builtin' }]);
  });

  it('refuses damaged data, and a file that is not gzip data, with a parse error naming the file, sync and async', async () => {
    const whole = readFileSync(captured);
    for (const [name, bytes] of [
      ['cut', whole.subarray(0, 5000)],
      ['text', Buffer.from('CONFIG_X=y\n')],
    ] as const) {
      const dir = rootWith(bytes, name);
      const file = join(dir, 'config.gz');
      const sync = thrown(() => new ProcFs({ root: dir }).read('proc/config.gz'), ProcfsError);
      expect(sync.code).toBe('parse');
      expect(sync.message).toMatch(new RegExp(`^${file}:1:1: expected gzip data that decompresses whole, found "`));
      const async = await new ProcFs({ root: dir }).readAsync('proc/config.gz').catch((e: unknown) => e);
      expect(async).toBeInstanceOf(ProcfsError);
      expect((async as ProcfsError).message).toMatch(new RegExp(`^${file}:1:1: expected gzip data`));
    }
  });

  it('gives not_found for a kernel without the file', () => {
    const dir = join(root, 'none');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    expect(thrown(() => new ProcFs({ root: dir }).read('proc/config.gz'), ProcfsError).code).toMatch(/not_found|unsupported/);
  });
});

describe('the parser of a compressed spec', () => {
  it("takes the file's bytes or its text alike, and refuses damaged gzip data at line 1, column 1", () => {
    const bytes = readFileSync(captured);
    const text = gunzipSync(bytes).toString('utf8');
    expect(parseProcConfigGz(bytes)).toEqual(parseProcConfigGz(text));
    expect(parseProcConfigGz(Buffer.from(text))).toEqual(parseProcConfigGz(text));
    const e = thrown(() => parseProcConfigGz(bytes.subarray(0, 100), { file: 'saved/config.gz' }), ProcfsError);
    expect(e.message).toMatch(/^saved\/config\.gz:1:1: expected gzip data that decompresses whole, found "unexpected end of file"$/);
    expect([e.line, e.column, e.spec]).toEqual([1, 1, 'proc/config.gz']);
  });

  it("reads kconfig's lines: y and m, decimal and hex numbers, escaped strings, options not set, comments", () => {
    const v = parseProcConfigGz(
      gzipSync(
        '#\n# Linux/x86 6.18.0 Kernel Configuration\nCONFIG_A=y\nCONFIG_B=m\nCONFIG_C=-3\nCONFIG_D=0x1f\nCONFIG_E="a \\"b\\" \\\\c"\n# CONFIG_F is not set\n\n# end of X\n',
      ),
    );
    expect(v).toEqual([
      { kind: 'comment' },
      { kind: 'comment', text: 'Linux/x86 6.18.0 Kernel Configuration' },
      { kind: 'tristate', name: 'CONFIG_A', value: 'builtin' },
      { kind: 'tristate', name: 'CONFIG_B', value: 'module' },
      { kind: 'number', name: 'CONFIG_C', value: -3 },
      { kind: 'hex', name: 'CONFIG_D', value: 31n },
      { kind: 'string', name: 'CONFIG_E', value: 'a "b" \\c' },
      { kind: 'unset', name: 'CONFIG_F' },
      { kind: 'comment', text: 'end of X' },
    ]);
    expect(thrown(() => parseProcConfigGz('CONFIG_A=q\n'), ProcfsError).line).toBe(1);
  });
});

describe('the generator checks a compressed spec', () => {
  const spec = (body: string): string =>
    `description: t\npaths: [/proc/x.gz]\nsampling: once\n${body}\nlayout:\n  table:\n    tokens:\n      - {name: a, type: string, description: d}\n`;
  const check = (text: string) => checkSpec(loadSpecText('specs/proc/x.gz.yaml', text), 'proc/x.gz');
  const error = (text: string): SpecError => thrown(() => check(text), SpecError);

  it('keeps the compression in the model', () => {
    expect(check(spec('compressed: gzip')).compressed).toBe('gzip');
    expect(check(spec('')).compressed).toBeUndefined();
  });

  it('refuses an unknown compression, a compressed link, and singleRecord', () => {
    expect(error(spec('compressed: xz')).message).toMatch(/compressed/);
    expect(error(spec('compressed: gzip\nlink: true')).message).toMatch(/compressed: a link's target is text readlink gives/);
    expect(error(spec('compressed: gzip\nsingleRecord: true')).message).toMatch(/singleRecord: a compressed file is read to its end/);
  });

  it('refuses quotes that close at the balancing quote', () => {
    const text =
      'description: t\npaths: [/proc/x]\nsampling: once\nlayout:\n  table:\n    tokens:\n      - {name: a, type: string, enclosed: "\\"\\"", closeAt: balanced, description: d}\n';
    expect(error(text).message).toMatch(/quotes do not nest/);
  });
});
