/**
 * Module hooks (registered by register.ts, after tsx's): the JavaScript tsx
 * makes of the project's runtime (runtime/**), of its generated parsers
 * (generated/parsers/**) and of the meter's own samples (samples/) is
 * rewritten by instrument.ts to count its work into meter.ts's meter.
 * Everything else loads as tsx gives it.
 */
import { fileURLToPath } from 'node:url';
import { instrument } from './instrument.js';

const root = new URL('../../../', import.meta.url).href;
const meterUrl = new URL('./meter.ts', import.meta.url).href;
const counted = [/^runtime\/.+\.ts$/, /^generated\/parsers\/.+\.ts$/, /^test\/support\/work-meter\/samples\/[^/]+\.ts$/];

interface Loaded {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

export async function load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<Loaded>): Promise<Loaded> {
  const loaded = await nextLoad(url, context);
  if (!url.startsWith(root) || !counted.some((re) => re.test(url.slice(root.length)))) return loaded;
  if (loaded.format !== 'module' || loaded.source == null) throw new Error(`work meter: ${url} did not load as an ES module (${loaded.format})`);
  const js = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source as ArrayBuffer).toString('utf8');
  return { ...loaded, source: instrument(js, meterUrl, fileURLToPath(url)) };
}
