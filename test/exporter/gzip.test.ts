/** A body gzipped by splicing its families' constant lines, compressed once, with its samples in stored blocks (exporter/gzip.ts). */
import { rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Exporter, type Sample } from '../../exporter/index.js';
import { OPENMETRICS, renderBytes, TEXT } from '../../exporter/exposition.js';
import { canSplice, type Layout, splicedGzip } from '../../exporter/gzip.js';
import type { FamilyDef } from '../../exporter/names.js';
import { ProcFs } from '../../runtime/index.js';
import { get, madeUpProc, PROMETHEUS_ACCEPT } from './support.js';
import { startServer } from '../../exporter/server.js';

const layoutOf = (): Layout => ({ defs: [], starts: [], heads: [] });

describe.runIf(canSplice)('spliced gzip', () => {
  it('gunzips (CRC-32 and length checked) to the body, in both formats, for this machine and a made-up root', async () => {
    const root = madeUpProc();
    try {
      for (const fs of [new ProcFs({ bigint: true }), new ProcFs({ root, bigint: true })]) {
        const exporter = new Exporter(fs);
        const scrape = await exporter.scrape();
        for (const format of [TEXT, OPENMETRICS]) {
          const { body, layout } = scrape.printed(format);
          expect(layout.defs.length).toBeGreaterThan(10);
          const z = splicedGzip(body, layout, format.kind === 'openmetrics');
          expect(gunzipSync(z).equals(body)).toBe(true);
          // Spliced again from the compressed lines kept: the same bytes.
          expect(splicedGzip(body, layout, format.kind === 'openmetrics').equals(z)).toBe(true);
        }
        exporter.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a run of samples longer than a stored block (65,535 bytes) is split over several', () => {
    const def: FamilyDef = { name: 'procspec_x_bytes', base: 'procspec_x_bytes', type: 'gauge', unit: 'bytes', help: 'Some bytes.' };
    const samples: Sample[] = [];
    for (let i = 0; i < 5000; i++) samples.push({ labels: `dev="device-number-${i}"`, value: BigInt(i) * 1234567n, div: 1 });
    const layout = layoutOf();
    const body = renderBytes([[def, samples]], OPENMETRICS, layout);
    expect(body.length - layout.heads[0]!).toBeGreaterThan(2 * 65535);
    expect(gunzipSync(splicedGzip(body, layout, true)).equals(body)).toBe(true);
  });

  it('an empty body gunzips to nothing', () => {
    const layout = layoutOf();
    const body = renderBytes([], TEXT, layout);
    expect(body.length).toBe(0);
    expect(gunzipSync(splicedGzip(body, layout, false)).length).toBe(0);
  });

  it('procspec serve answers a scrape that accepts gzip with the spliced body', async () => {
    const root = madeUpProc();
    const exporter = new Exporter(new ProcFs({ root, bigint: true }));
    const server = await startServer({ exporter, host: '127.0.0.1', port: 0 });
    try {
      const r = await get(server.url, { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' });
      expect(r.headers['content-encoding']).toBe('gzip');
      const text = gunzipSync(r.body).toString();
      expect(text).toMatch(/^procspec_meminfo_mem_total_bytes \d+$/m);
      expect(text.endsWith('# EOF\n')).toBe(true);
    } finally {
      await server.close();
      exporter.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
