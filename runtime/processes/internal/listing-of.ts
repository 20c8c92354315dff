/** How the listings (sync and async) turn the result of each task into a Listing. */
import type { ProcfsError } from '../../core/errors.js';
import type { Group, Parsed, ProcessRow } from '../groups.js';
import { hidepidOf } from '../hidepid.js';
import type { Listing } from '../listing.js';
import type { TaskResult } from '../task-read.js';

/** A listing from the result of each listed task (a row, undefined: gone, null: failed to parse). */
export function listingOf<G extends Group, N extends number | bigint>(
  root: string,
  listed: number,
  results: readonly TaskResult[],
  failed: { pid: number; error: ProcfsError }[],
): Listing<G, N> {
  const rows: Parsed[] = [];
  let gone = 0;
  let denied = 0;
  for (const row of results) {
    if (row === null) continue;
    if (row === undefined) gone++;
    else {
      if (row.denied) denied++;
      rows.push(row);
    }
  }
  const out: Listing<G, N> = { rows: rows as ProcessRow<G, N>[], listed, gone, denied };
  if (failed.length > 0) out.failed = failed;
  const hidden = hidepidOf(root);
  if (hidden !== undefined) out.hidden = hidden;
  return out;
}
