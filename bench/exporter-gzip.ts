/**
 * The exporter's own gzip (exporter/deflate/gzip-body.ts) against zlib at
 * level 1, as server.ts used it: CPU (process.cpuUsage, user + system) per
 * body of printing and compressing, on live scrapes of this machine's /proc
 * with node_exporter's /proc collectors' set and with the default set, in
 * both formats. Each round takes a new scrape (new values), then times a
 * batch of bodies each way, one after the other; reported are medians over
 * the rounds of the CPU per body and its ratio, and the sizes. Run: `node
 * --import tsx bench/exporter-gzip.ts` after building dist/ (`npx tsc -p
 * tsconfig.build.json`; bench/ reads the exporter as built, as the CLI
 * does), BENCH_GZIP_ROUNDS and BENCH_GZIP_BATCH to change the rounds.
 * Writes bench/last-run-exporter-gzip.md.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { gzipBody } from '../dist/exporter/deflate/gzip-body.js';
import { Exporter, type ExporterOptions } from '../dist/exporter/exporter.js';
import { type Format, OPENMETRICS, renderBytes, TEXT } from '../dist/exporter/exposition.js';
import { ProcFs } from '../dist/runtime/index.js';
import { PROCSPEC_PROC } from './exporter-sets.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_GZIP_ROUNDS ?? 21);
/** Bodies per timed batch: process.cpuUsage of one body is too coarse to read. */
const BATCH = Number(process.env.BENCH_GZIP_BATCH ?? 50);

const SETS: [string, ExporterOptions][] = [
  ["node_exporter's /proc set", { disableDefaults: true, enable: PROCSPEC_PROC }],
  ['default set', {}],
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const cpuNow = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
/** CPU µs per call of `f`, over a batch. */
const perCall = (f: () => void): number => {
  const start = cpuNow();
  for (let i = 0; i < BATCH; i++) f();
  return (cpuNow() - start) / BATCH;
};

const rows: string[] = [];
for (const [setName, options] of SETS) {
  const exporter = new Exporter(new ProcFs({ bigint: true }), options);
  for (const format of [OPENMETRICS, TEXT] as Format[]) {
    const zlib: number[] = [];
    const ours: number[] = [];
    const ratios: number[] = [];
    const sizes = { plain: [] as number[], zlib: [] as number[], ours: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const { families } = await exporter.scrape();
      const plain = renderBytes(families, format);
      const z = gzipSync(plain, { level: constants.Z_BEST_SPEED });
      const g = gzipBody(families, format);
      if (!gunzipSync(g).equals(plain)) throw new Error(`${setName}: the body gzipped does not unpack to the printed body`);
      sizes.plain.push(plain.length);
      sizes.zlib.push(z.length);
      sizes.ours.push(g.length);
      // The order alternates, so that neither way always runs right after the scrape.
      const a = () => perCall(() => gzipSync(renderBytes(families, format), { level: constants.Z_BEST_SPEED }));
      const b = () => perCall(() => gzipBody(families, format));
      let tz: number;
      let to: number;
      if (round % 2) {
        tz = a();
        to = b();
      } else {
        to = b();
        tz = a();
      }
      zlib.push(tz);
      ours.push(to);
      ratios.push(to / tz);
    }
    const kb = (n: number) => (n / 1024).toFixed(1);
    rows.push(
      `| ${setName}, ${format.kind === 'text' ? 'text 0.0.4' : 'OpenMetrics 1.0'} | ${median(zlib).toFixed(0)} | ${median(ours).toFixed(0)} | ${median(ratios).toFixed(2)} | ${kb(median(sizes.plain))} | ${kb(median(sizes.zlib))} | ${kb(median(sizes.ours))} | ${(median(sizes.ours) / median(sizes.zlib)).toFixed(2)} |`,
    );
    console.log(rows[rows.length - 1]);
  }
  exporter.close();
}

const cpus = os.cpus();
const text = `# The exporter's gzip against zlib level 1

${new Date().toISOString()}, ${cpus.length} CPUs (${cpus[0]?.model ?? '?'}), Node.js ${process.version}, load average ${os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')} at the end.
${ROUNDS} rounds of a new scrape then ${BATCH} bodies each way; medians over the rounds. CPU is process.cpuUsage (user + system) per body, printing included.

| body | render + zlib level 1, µs | render + exporter/deflate, µs | ratio (median of rounds) | plain KB | zlib KB | exporter/deflate KB | size ratio |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}
`;
writeFileSync(join(here, 'last-run-exporter-gzip.md'), text);
console.log(text);
