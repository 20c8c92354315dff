/**
 * Fixtures: byte-exact /proc files of other kernels under test/fixtures/<spec
 * id>/<origin>-<version>-<arch>[-<what>].txt (.bin for a file the kernel
 * writes as bytes, a spec with a binary layout), each with an expected .json
 * beside it (the parsed value, or the parse error for a file that must be
 * refused) and the folder's PROVENANCE.md saying where each came from. The
 * origin is `captured` (bytes a machine printed, copied unchanged) or
 * `written` (written by hand from the producer's printing code: no machine
 * printed those bytes); the version is the kernel's (`6.1`, `2.6.32`) or,
 * for a file that numbers its own format, that number (`v16`). Found by
 * glob: adding a fixture needs no code, and a name that does not say all
 * this is refused. A spec whose file is compressed (`compressed: gzip`,
 * /proc/config.gz) has fixtures as the file holds them, `.gz` instead of
 * `.txt`, parsed from their bytes (the parser decompresses them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ProcfsError } from '../../runtime/core/errors.js';
import { contextOf } from '../../runtime/core/context.js';
import type { SpecEntry } from '../../runtime/core/registry-types.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** How a fixture came to be: captured from a machine, or written from a producer's source. */
export type Origin = 'captured' | 'written';

/** What a fixture's file name says. */
export interface FixtureName {
  origin: Origin;
  /** The kernel version (`6.1`, `2.6.32`), or the file's own format version (`v16`). */
  version: string;
  arch: string;
  /** What it exercises, when the name says (`two-nodes`). */
  what?: string;
}

const NAME = /^(captured|written)-([0-9]+\.[0-9]+(?:\.[0-9]+)?|v[0-9]+)-([a-z0-9_]+)(?:-([A-Za-z0-9][A-Za-z0-9._-]*))?\.(txt|bin|gz)$/;

/** The parts of a fixture's file name, or undefined when the name does not follow the scheme. */
export function fixtureName(base: string): FixtureName | undefined {
  const m = NAME.exec(base);
  if (m === null) return undefined;
  return { origin: m[1] as Origin, version: m[2]!, arch: m[3]!, ...(m[4] !== undefined ? { what: m[4] } : {}) };
}

export interface Fixture extends FixtureName {
  spec: SpecEntry;
  file: string;
  expectedFile: string;
}

export function findFixtures(registry: readonly SpecEntry[]): Fixture[] {
  const out: Fixture[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.txt') || e.name.endsWith('.bin') || e.name.endsWith('.gz')) {
        const id = relative(FIXTURES, dir);
        const spec = registry.find((r) => r.id === id);
        if (!spec) throw new Error(`fixture ${p}: no spec ${id}`);
        if (e.name.endsWith('.gz') && spec.model.compressed !== 'gzip')
          throw new Error(`fixture ${p}: a .gz fixture is for a spec whose file is gzip-compressed`);
        const name = fixtureName(e.name);
        if (name === undefined)
          throw new Error(
            `fixture ${p}: name it captured-<kernel>-<arch>[-<what>].txt (copied from a machine) or written-<kernel>-<arch>[-<what>].txt (written from the producer's source), .bin for a binary spec's bytes, and say which in PROVENANCE.md`,
          );
        // A file of bytes is a .bin, and only a binary spec's file is one.
        if (e.name.endsWith('.bin') !== (spec.model.layout.kind === 'binary'))
          throw new Error(
            `fixture ${p}: a fixture of ${id} is a ${spec.model.layout.kind === 'binary' ? '.bin (its spec reads bytes)' : '.txt (its spec reads text)'}`,
          );
        out.push({ ...name, spec, file: p, expectedFile: p.replace(/\.(txt|bin|gz)$/, '.json') });
      }
    }
  };
  walk(FIXTURES);
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** What a parser reads of a fixture: its text, or the bytes of a compressed (`.gz`) or binary (`.bin`) one. */
export function fixtureInput(file: string): string | Buffer {
  return file.endsWith('.gz') || file.endsWith('.bin') ? readFileSync(file) : readFileSync(file, 'utf8');
}

/** The text of a fixture: a compressed one decompressed, a binary one a character per byte. */
export function fixtureText(file: string): string {
  if (file.endsWith('.bin')) return readFileSync(file, 'latin1');
  return file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString('utf8') : readFileSync(file, 'utf8');
}

/** What a fixture parses to, as JSON text: the value, or the error for a refused file. */
export function outcome(f: Fixture): string {
  const ctx = contextOf({ file: relative(FIXTURES, f.file), pageSize: 4096, clockTick: 100, hz: 250 });
  let v: unknown;
  try {
    v = f.spec.parse(fixtureInput(f.file), ctx);
  } catch (err) {
    if (!(err instanceof ProcfsError)) throw err;
    v = { error: { code: err.code, message: err.message, line: err.line, column: err.column, expected: err.expected } };
  }
  return `${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x), 2)}\n`;
}
