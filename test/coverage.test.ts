/** The coverage table of docs/coverage.md is the one computed from the specs and fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { COVERAGE_PAGE, withCoverage } from '../tools/coverage.js';

it('the coverage table is fresh (npx tsx tools/coverage.ts --write)', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', COVERAGE_PAGE), 'utf8');
  expect(readme).toBe(withCoverage(readme));
});
