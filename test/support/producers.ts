/**
 * Producer fixtures: the files each known producer of /proc prints, under
 * producers/<producer>/ as a tree like /proc (written from the producer's
 * source: see its PROVENANCE.md), each with its expected value in
 * test/producers/<producer>/<path>.json. Found by walking the tree: adding a
 * producer or a file needs no code.
 */
import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadProducerFiles, type ProducerFile } from '../../generator/passes/presence.js';
import { contextOf } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { specForPath } from '../../runtime/model/paths.js';
import type { SpecEntry } from '../../runtime/core/registry-types.js';

export const PRODUCERS = join(import.meta.dirname, '..', '..', 'producers');
export const EXPECTED = join(import.meta.dirname, '..', 'producers');

export interface ProducerFixture extends ProducerFile {
  /** The spec its path finds, if any. */
  spec: SpecEntry | undefined;
  /** Where the producer's tree is: its root for a ProcFs is `<tree>/proc`. */
  tree: string;
  expectedFile: string;
}

export function findProducerFixtures(registry: readonly SpecEntry[]): ProducerFixture[] {
  return loadProducerFiles(PRODUCERS).map((f) => ({
    ...f,
    spec: specForPath(registry, f.path),
    tree: treeOf(f.producer),
    expectedFile: join(EXPECTED, f.producer, `${f.path.slice(1)}.json`),
  }));
}

/** The folder of a producer's tree: producers/<p>, or producers/<p>/variants/<v> for the producer `<p>/<v>`. */
export function treeOf(producer: string): string {
  const [p, v] = producer.split('/');
  return v === undefined ? join(PRODUCERS, p!) : join(PRODUCERS, p!, 'variants', v);
}

/**
 * Where a file of a producer's whole tree is, as a path on the system
 * (`/proc/self/mountinfo`): a variant's own copy when it has one, else its
 * producer's (a variant's tree holds only the files that differ). `self` is
 * read from the producer's tree, the only one that has the link.
 */
export function treeFile(producer: string, path: string): string {
  const [p] = producer.split('/');
  const self = /^\/proc\/self(\/|$)/.test(path) ? readlinkSync(join(PRODUCERS, p!, 'proc', 'self')) : undefined;
  const rel = self === undefined ? path.slice(1) : `proc/${self}${path.slice('/proc/self'.length)}`;
  const own = join(treeOf(producer), rel);
  return existsSync(own) ? own : join(PRODUCERS, p!, rel);
}

/** The producers, by folder name (a variant as `<p>/<v>`). */
export function producersOf(fixtures: readonly ProducerFixture[]): string[] {
  return [...new Set(fixtures.map((f) => f.producer))].sort();
}

/** What a producer's file parses to, as JSON text (bigints as "<digits>n"), or the parse error. */
export function producerOutcome(f: ProducerFixture): string {
  const ctx = contextOf({ file: `producers/${f.producer}${f.path}`, pageSize: 4096, clockTick: 100, hz: 250 });
  let v: unknown;
  try {
    v = f.spec!.parse(Buffer.from(f.text, 'latin1'), ctx);
  } catch (err) {
    if (!(err instanceof ProcfsError)) throw err;
    v = { error: { code: err.code, message: err.message, line: err.line, column: err.column, expected: err.expected } };
  }
  return `${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x), 2)}\n`;
}
