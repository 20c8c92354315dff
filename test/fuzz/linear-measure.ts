/**
 * Counts the work of every spec's parser on hostile inputs of SMALL and
 * 10.24 times SMALL (the patterns below), for linear.test.ts. SMALL is
 * PROCSPEC_LINEAR_KIB KiB: 10 by default, 100 in .ci/run. Run under the work meter
 * (test/support/work-meter: `node --import tsx --import
 * test/support/work-meter/register.ts`), which counts loop iterations and
 * what the builtins called walk: a count that depends on the code and the
 * input only, not on the machine or its load.
 *
 * Counts the meter's sample parsers too (two quadratic, one linear), for
 * linear.test.ts to show that the check refuses a quadratic parser.
 * Arguments: the spec ids to count (all without). Prints one line of JSON
 * per parser (Counts).
 */
import { registry } from '../../generated/index.js';
import { contextOf } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import type { SpecEntry } from '../../runtime/core/registry-types.js';
import { meter } from '../support/work-meter/meter.js';
import { SEED, samples } from '../support/work-meter/samples/parsers.js';
import { seedsFor } from './seeds.js';

const KiB = 1024;
/** The smaller input of a spec's parser (KiB). A quadratic parser does about 100 times the work on 10.24 times the input at any size; a larger size shows a quadratic term that is small next to the linear ones. */
const SMALL = Number(process.env.PROCSPEC_LINEAR_KIB ?? 10) * KiB;

/** Inputs of about `size` characters, by pattern, made from `seed` (a text of the file's kind, with lines). */
function patterns(seed: string): Record<string, (size: number) => string> {
  const [head, ...body] = seed.split('\n').filter((l) => l !== '');
  const rows = body.length > 0 ? body : [head!];
  const fill = (size: number, first: string, unit: string): string => first + unit.repeat(Math.max(1, Math.ceil((size - first.length) / unit.length)));
  return {
    'its own lines repeated': (size) => {
      let out = `${head}\n`;
      for (let i = 0; out.length < size; i++) out += `${rows[i % rows.length]}\n`;
      return out;
    },
    'one line of numbers': (size) => fill(size, '', '12345 '),
    'one line of parentheses': (size) => fill(size, '', 'a) R 1 (b '),
    'open parentheses': (size) => fill(size, `${head} (`, '('),
    'blank lines': (size) => fill(size, `${head}\n`, '\n'),
    'one key, endless value': (size) => fill(size, `${head!.split(/[\s:=]/)[0]}: `, 'ab'),
  };
}

/** One line of output per parser: its id and, by pattern, the work counted at the smaller size and at the bigger. */
export interface Counts {
  id: string;
  rows: [pattern: string, small: number, big: number][];
  /** Functions the parses called whose cost the meter does not know (so the counts may miss work). */
  unknown: string[];
}

const ctx = contextOf({ file: '<linear>' });

/** The work of one parse of `text`; a parse error is an answer like any other. */
function count(parse: SpecEntry['parse'], text: Uint8Array, unknown: Set<string>): number {
  meter.reset();
  try {
    parse(text, ctx);
  } catch (err) {
    if (!(err instanceof ProcfsError)) throw err;
  }
  const n = meter.n;
  for (const name of meter.unknown) unknown.add(name);
  return n;
}

/**
 * The text a spec's inputs are made from: its first seed with lines, of
 * those that are the same on every machine (its fixtures, the texts
 * rendered from its spec), so that the counts are too.
 */
function seedOf(entry: SpecEntry): string {
  const fixed = seedsFor(registry, entry).filter((s) => s.from.startsWith('fixture ') || s.from.startsWith('rendered '));
  // A seed with a line that is not empty: the patterns build on its first line (a file may be empty, or blank lines alone).
  return fixed.find((s) => s.text.includes('\n') && s.text.split('\n').some((l) => l !== ''))?.text ?? 'x\n';
}

const ids = process.argv.slice(2);

/**
 * The meter's samples first (their ids start with `sample/`), on inputs of
 * 1 KiB and 10.24 KiB (a quadratic sample on 1 MiB would take minutes),
 * then the specs (those named as arguments, all without), on SMALL and
 * 10.24 times SMALL: the same ratio of sizes.
 */
const parsers: { id: string; parse: SpecEntry['parse']; seed: string; sizes: [number, number] }[] = [
  ...samples.map((s) => ({ ...s, seed: SEED, sizes: [KiB, 10.24 * KiB] as [number, number] })),
  ...registry
    .filter((e) => ids.length === 0 || ids.includes(e.id))
    .map((e) => ({ id: e.id, parse: e.parse, seed: seedOf(e), sizes: [SMALL, 10.24 * SMALL] as [number, number] })),
];

for (const { id, parse, seed, sizes } of parsers) {
  const out: Counts = { id, rows: [], unknown: [] };
  const unknown = new Set<string>();
  for (const [name, make] of Object.entries(patterns(seed))) {
    // Bytes, as the readers hand them to the parsers.
    const [small, big] = sizes.map((size) => count(parse, Buffer.from(make(size), 'utf8'), unknown));
    out.rows.push([name, small!, big!]);
  }
  out.unknown = [...unknown].sort();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
