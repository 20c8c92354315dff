/**
 * A first body bigger than the buffer bodies are printed into: printing
 * moves it to a bigger buffer, and the gzip must read the body from there.
 * Its own file, so that no body before it has grown the buffer.
 */
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { gzipBody } from '../../exporter/deflate/gzip-body.js';
import { OPENMETRICS, renderBytes } from '../../exporter/exposition.js';
import type { FamilyDef } from '../../exporter/names.js';
import type { Sample } from '../../exporter/walks.js';

it('a body larger than the print buffer, gzipped first, unpacks to the body, and so do the ones after it', () => {
  const families = new Map<FamilyDef, Sample[]>();
  // 2,000 families of 5 samples: about 750 KB printed, three times the first buffer (256 KiB).
  for (let f = 0; f < 2000; f++) {
    const def: FamilyDef = { name: `procspec_big_${f}_total`, base: `procspec_big_${f}`, type: 'counter', unit: '', help: `Family number ${f} of a big body.` };
    families.set(
      def,
      Array.from({ length: 5 }, (_x, i) => ({ labels: `device="disk${i}",queue="${f % 7}"`, value: f * 1000 + i, div: 1 })),
    );
  }
  for (let body = 0; body < 3; body++) {
    for (const samples of families.values()) for (const [i, s] of samples.entries()) samples[i] = { ...s, value: Number(s.value) + body };
    const gzip = gzipBody(families, OPENMETRICS);
    const plain = renderBytes(families, OPENMETRICS);
    expect(plain.length).toBeGreaterThan(2 * 256 * 1024);
    expect(gunzipSync(gzip).equals(plain)).toBe(true);
  }
});
