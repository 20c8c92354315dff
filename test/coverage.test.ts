/** The README's coverage table is the one computed from the specs and fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { withCoverage } from '../tools/coverage.js';

it('README coverage table is fresh (npx tsx tools/coverage.ts --write)', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  expect(readme).toBe(withCoverage(readme));
});
