/** Golden fixtures from other kernels: each parses to its reviewed .json, and its PROVENANCE.md says what its name says. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../generated/index.js';
import { findFixtures, outcome } from './support/fixtures.js';

const fixtures = findFixtures(registry);

describe('fixtures of other kernels', () => {
  for (const f of fixtures) {
    it(`${f.file.split('/fixtures/')[1]}`, () => {
      expect(existsSync(f.expectedFile), `missing ${f.expectedFile}: run npm run fixtures:update and review it`).toBe(true);
      expect(outcome(f)).toBe(readFileSync(f.expectedFile, 'utf8'));
    });
  }
});

describe('fixture provenance', () => {
  it('every fixture has a row in its folder’s PROVENANCE.md, which says "Captured" for a captured one and never for a written one', () => {
    const wrong: string[] = [];
    for (const f of fixtures) {
      const provenance = join(dirname(f.file), 'PROVENANCE.md');
      const name = basename(f.file);
      const row = existsSync(provenance)
        ? readFileSync(provenance, 'utf8')
            .split('\n')
            .find((l) => l.startsWith(`| \`${name}\``))
        : undefined;
      if (row === undefined) wrong.push(`${name}: no row in ${provenance}`);
      else if (/(^|[|.]\s*)Captured\b/.test(row) !== (f.origin === 'captured'))
        wrong.push(`${name}: its row says ${f.origin === 'captured' ? 'nothing of a capture' : 'Captured'}`);
    }
    expect(wrong).toEqual([]);
  });
});
