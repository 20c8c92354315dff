/**
 * Conformance over real /proc files captured on other machines
 * (PROCSPEC_CORPUS, set by .ci/run to ../shared/corpus): every file a spec
 * covers parses, and the files known to be broken give a parse error.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../generated/index.js';
import { contextOf } from '../runtime/core/context.js';
import { ProcfsError } from '../runtime/core/errors.js';
import { corpusFiles, corpusSpec } from './support/corpus.js';

const corpus = process.env.PROCSPEC_CORPUS;

/** Files that must be refused, and why. */
const REFUSED: Record<string, string> = {
  'prometheus-procfs/proc/net/udp_broken': 'broken on purpose',
  'prometheus-procfs/proc/net/softnet_stat.broken': 'broken on purpose',
  'prometheus-procfs/proc/crypto_corrupted': 'broken on purpose',
  // Byte for byte the corpus's net/tcp: a listening socket (state 0A) with TCP's 17 columns,
  // which no UDP socket prints (UDP sockets are 01 or 07, with a drops column).
  'prometheus-procfs/proc/net/udp': 'a copy of net/tcp',
  // A cow saying "this is a malformed schedstat file": no three numbers.
  'prometheus-procfs/proc/26233/schedstat': 'not a schedstat line',
  // pid/stat is one line; this copy has a second line (`#!/bin/cat /proc/self/stat`) no kernel prints.
  'prometheus-procfs/proc/584/stat': 'a second line after the stat line',
};

/**
 * Files refused by the shape of their path: prometheus/procfs's descriptor
 * links point to a relative path (../../symlinktargets/abc), where the
 * kernel's name an absolute path (d_path) or an object such as socket:[N].
 */
const REFUSED_PATHS: [RegExp, string][] = [[/^prometheus-procfs\/proc\/\d+\/fd\/\d+$/, 'a descriptor link to a relative path']];

const refusal = (rel: string): string | undefined => REFUSED[rel] ?? REFUSED_PATHS.find(([re]) => re.test(rel))?.[1];

describe.skipIf(!corpus)('conformance corpus (PROCSPEC_CORPUS)', () => {
  const files = corpus ? corpusFiles(corpus) : [];
  const covered = files.map((f) => ({ f, rel: relative(corpus!, f), spec: corpusSpec(registry, f) })).filter((x) => x.spec !== undefined);

  it('covers files of the corpus', () => {
    expect(covered.length).toBeGreaterThan(10);
  });

  for (const { f, rel, spec } of covered) {
    const refused = refusal(rel);
    it(`${rel} ${refused ? 'is refused' : 'parses'} (${spec!.id})`, () => {
      // A binary file (auxv) is its bytes; a text file is decoded as UTF-8.
      const text = spec!.model.layout.kind === 'binary' ? readFileSync(f) : readFileSync(f, 'utf8');
      const ctx = contextOf({ file: rel });
      if (refused) {
        let err: unknown;
        try {
          spec!.parse(text, ctx);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ProcfsError);
        expect((err as ProcfsError).code).toBe('parse');
        expect((err as ProcfsError).line).toBeGreaterThan(0);
      } else {
        expect(() => spec!.parse(text, ctx)).not.toThrow();
      }
    });
  }
});
