/**
 * Every spec, round-tripped: values drawn from the spec are rendered as the
 * kernel prints them, parsed back, and must come back equal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registry } from '../generated/index.js';
import { contextOf } from '../runtime/core/context.js';
import { parseInPieces } from './fuzz/oracle.js';
import { Renderer } from './support/render.js';

const runs = Number(process.env.PROCSPEC_ROUNDTRIP_RUNS ?? 100);
const ctx = contextOf({ file: '<roundtrip>', pageSize: 4096, clockTick: 100, hz: 250 });
const renderer = new Renderer(ctx);

describe('round trip: render from the spec, parse back', () => {
  for (const entry of registry) {
    it(`${entry.id} (${runs} runs)`, () => {
      fc.assert(
        fc.property(renderer.file(entry.model), (sample) => {
          // A compressed file is parsed from its bytes: the decompression is part of the trip.
          expect(entry.parse(sample.file ?? sample.text, ctx)).toEqual(sample.value);
        }),
        { numRuns: runs },
      );
    });
  }
});

describe('picks: the fields asked for, as the full parse reads them', () => {
  for (const entry of registry) {
    const pick = entry.pick;
    if (pick === undefined) continue;
    it(`${entry.id} (${runs} runs)`, () => {
      const names = (entry.model.layout as { record: { tokens: { kind: string; field?: { name: string } }[] } }).record.tokens.flatMap((t) =>
        t.field ? [t.field.name] : [],
      );
      fc.assert(
        fc.property(renderer.file(entry.model), fc.subarray(names), (sample, fields) => {
          const full = entry.parse(sample.text, ctx) as Record<string, unknown>;
          const expected = Object.fromEntries(fields.filter((f) => full[f] !== undefined).map((f) => [f, full[f]]));
          expect(pick(sample.text, fields, ctx)).toEqual(expected);
        }),
        { numRuns: runs },
      );
    });
  }
});

describe('pieces: a file of records parsed as it arrives, as the whole text parses', () => {
  for (const entry of registry) {
    if (entry.pieces === undefined) continue;
    it(`${entry.id} (${runs} runs)`, () => {
      fc.assert(
        fc.property(renderer.file(entry.model), fc.integer({ min: 1, max: 4096 }), (sample, step) => {
          expect(parseInPieces(entry, sample.text, ctx, step)).toEqual({ value: sample.value });
        }),
        { numRuns: runs },
      );
    });
  }
});
