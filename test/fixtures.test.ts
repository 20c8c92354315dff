/** Golden fixtures from other kernels: each parses to its reviewed .json. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../generated/index.js';
import { findFixtures, outcome } from './support/fixtures.js';

describe('fixtures of other kernels', () => {
  for (const f of findFixtures(registry)) {
    it(`${f.file.split('/fixtures/')[1]}`, () => {
      expect(existsSync(f.expectedFile), `missing ${f.expectedFile}: run npm run fixtures:update and review it`).toBe(true);
      expect(outcome(f)).toBe(readFileSync(f.expectedFile, 'utf8'));
    });
  }
});
