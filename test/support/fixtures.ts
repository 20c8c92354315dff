/**
 * Fixtures: byte-exact /proc files of other kernels under test/fixtures/<spec
 * id>/<kernel>-<arch>-<reason>.txt, each with an expected .json beside it (the
 * parsed value, or the parse error for a file that must be refused). Found by
 * glob: adding a fixture needs no code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ProcfsError } from '../../runtime/core/errors.js';
import { contextOf } from '../../runtime/core/context.js';
import type { SpecEntry } from '../../runtime/core/registry-types.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface Fixture {
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
      else if (e.name.endsWith('.txt')) {
        const id = relative(FIXTURES, dir);
        const spec = registry.find((r) => r.id === id);
        if (!spec) throw new Error(`fixture ${p}: no spec ${id}`);
        out.push({ spec, file: p, expectedFile: p.replace(/\.txt$/, '.json') });
      }
    }
  };
  walk(FIXTURES);
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** What a fixture parses to, as JSON text: the value, or the error for a refused file. */
export function outcome(f: Fixture): string {
  const ctx = contextOf({ file: relative(FIXTURES, f.file), pageSize: 4096, clockTick: 100, hz: 250 });
  let v: unknown;
  try {
    v = f.spec.parse(readFileSync(f.file, 'utf8'), ctx);
  } catch (err) {
    if (!(err instanceof ProcfsError)) throw err;
    v = { error: { code: err.code, message: err.message, line: err.line, column: err.column, expected: err.expected } };
  }
  return `${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x), 2)}\n`;
}
