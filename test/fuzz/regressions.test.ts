/**
 * Inputs the fuzzer once failed on, kept under test/fuzz/regressions/<spec
 * id>/: each must now satisfy the oracle, and the expected outcome (value or
 * error) is the first word of its name.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { contextOf } from '../../runtime/core/context.js';
import { checkParse } from './oracle.js';
import { regressionsOf } from './run.js';

describe('fuzz regressions', () => {
  const all = registry.flatMap((entry) => regressionsOf(entry.id).map((r) => ({ entry, ...r })));
  it('are kept', () => expect(all.length).toBeGreaterThan(0));
  for (const r of all) {
    it(`${r.entry.id}/${r.name}`, () => {
      expect(checkParse(r.entry, r.text, contextOf({ file: `<regression ${r.name}>` }))).toBe(r.name.split('-')[0]);
    });
  }
});
