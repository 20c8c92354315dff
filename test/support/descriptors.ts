/** Descriptors of this process open on a file, counted from its links in /proc/self/fd. */
import { readdirSync, readlinkSync } from 'node:fs';

export function descriptorsOn(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed since the listing (the listing's own descriptor)
    }
  }
  return n;
}
