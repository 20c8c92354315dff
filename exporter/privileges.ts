/**
 * What a collector needs beyond an ordinary user. procspec serve asks for
 * no privilege: every file of the default set is readable by any user. A
 * few files are readable by their owner (root) only, such as
 * /proc/slabinfo (mode 0400); a collector of one is served only when the
 * exporter runs as root (or as the file's owner). This is found from the
 * files' modes, not from a list, so a kernel or producer that opens a file
 * up or closes it is seen as it is.
 */
import { statSync } from 'node:fs';
import { type CollectorDef, fixedFile, type Places } from './collectors.js';

/** Why a collector's file needs more than this process has, or undefined when it can read it (or it is absent). */
export function privilegeNeed(c: CollectorDef, places: Places, uid = process.getuid?.() ?? 0): string | undefined {
  if (c.place.kind !== 'proc' || c.param !== undefined) return undefined;
  const file = fixedFile(c, places.procRoot);
  if (file === undefined) return undefined;
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  if ((st.mode & 0o004) !== 0) return undefined;
  const owner = st.uid === 0 ? 'root' : `user ${st.uid}`;
  const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  if (uid === 0 || uid === st.uid) return undefined;
  return `${file} is readable by ${owner} only (mode ${mode}): run procspec serve as ${owner} for it`;
}

/** The notes to print at the start for enabled collectors this process cannot read. */
export function privilegeNotes(enabled: readonly CollectorDef[], places: Places, uid?: number): string[] {
  const out: string[] = [];
  for (const c of enabled) {
    const why = privilegeNeed(c, places, uid);
    if (why !== undefined) out.push(`${c.name}: ${why}`);
  }
  return out;
}
