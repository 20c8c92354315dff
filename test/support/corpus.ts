/**
 * The conformance corpus (real /proc files captured on other machines): its
 * files, and the spec each one is a copy of (a copy saved as `X.broken`,
 * `X_broken` or `X_corrupted` is a damaged X).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { specForPath } from '../../runtime/model/paths.js';
import type { SpecEntry } from '../../runtime/core/registry-types.js';

/** Where the corpus is: PROCSPEC_CORPUS (.ci/run sets it), else ../shared/corpus beside the clone. */
export const corpusDir = process.env.PROCSPEC_CORPUS ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/** The regular files below `dir` (symbolic links left out), sorted. */
export function corpusFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The spec a corpus file is a copy of, if any. */
export const corpusSpec = (registry: readonly SpecEntry[], file: string): SpecEntry | undefined =>
  specForPath(registry, file.replace(/(\.broken|_broken|_corrupted)$/, ''));
