/**
 * Texts the fuzzer starts from, per spec: the spec's fixtures (other kernels
 * and architectures), the conformance corpus when PROCSPEC_CORPUS names it,
 * this machine's live file, and a few files rendered from the spec itself.
 * Long texts are cut at a line boundary so that one case stays cheap.
 */
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { contextOf } from '../../runtime/core/context.js';
import { corpusFiles, corpusSpec } from '../support/corpus.js';
import type { SpecEntry } from '../../runtime/core/registry-types.js';
import { FIXTURES, fixtureText } from '../support/fixtures.js';
import { Renderer } from '../support/render.js';

export interface Seed {
  /** Where the text came from (for failure reports). */
  from: string;
  text: string;
}

/** Longest seed kept whole; longer ones are cut at the last line end before it. */
const MAX_SEED = 16 * 1024;

const cut = (text: string): string => {
  if (text.length <= MAX_SEED) return text;
  const nl = text.lastIndexOf('\n', MAX_SEED);
  return nl > 0 ? text.slice(0, nl + 1) : text.slice(0, MAX_SEED);
};

let corpusList: string[] | undefined;

/** The live path of a spec on this machine, with this process, its stdin and the loopback interface as parameters. */
function livePath(entry: SpecEntry): string | undefined {
  const params: Record<string, string> = { pid: 'self', tid: String(process.pid), fd: '0', ns: 'net', iface: 'lo', sysctl: 'kernel/ostype', resource: 'cpu' };
  for (const p of entry.model.paths) {
    if (!p.startsWith('/proc/')) continue;
    const path = p.replace(/\[([a-z]+)\]/g, (_m, k: string) => params[k] ?? '\0');
    if (!path.includes('\0')) return path;
  }
  return undefined;
}

export function seedsFor(registry: readonly SpecEntry[], entry: SpecEntry): Seed[] {
  const out: Seed[] = [];
  const dir = join(FIXTURES, entry.id);
  // A binary file's bytes, one character each (latin1), which is how its parser takes a string.
  const encoding = entry.model.layout.kind === 'binary' ? 'latin1' : 'utf8';
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort())
      if (f.endsWith('.txt') || f.endsWith('.bin') || f.endsWith('.gz')) out.push({ from: `fixture ${entry.id}/${f}`, text: fixtureText(join(dir, f)) });
  }
  const corpus = process.env.PROCSPEC_CORPUS;
  if (corpus !== undefined && existsSync(corpus)) {
    corpusList ??= corpusFiles(corpus);
    for (const f of corpusList) {
      if (corpusSpec(registry, f)?.id === entry.id) out.push({ from: `corpus ${f}`, text: readFileSync(f, encoding) });
    }
  }
  const live = livePath(entry);
  if (live !== undefined) {
    try {
      // A compressed file's seed is its text: the fuzzer damages the gzip data apart (compressed.ts).
      out.push({
        from: `live ${live}`,
        text: entry.model.compressed === 'gzip' ? gunzipSync(readFileSync(live)).toString('utf8') : readFileSync(live, encoding),
      });
    } catch {
      // Absent on this kernel, or not readable: the other seeds remain.
    }
  }
  const renderer = new Renderer(contextOf({ file: '<fuzz>' }));
  fc.sample(renderer.file(entry.model), { numRuns: 3, seed: 7 }).forEach((s, i) => {
    out.push({ from: `rendered #${i}`, text: s.text });
  });
  return out.map((s) => ({ from: s.from, text: cut(s.text) }));
}
