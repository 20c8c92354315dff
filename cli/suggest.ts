/** Specs whose names are near one that names no spec, for "no spec named …" messages. */

/** Edits (a character inserted, deleted or changed, or two neighbours swapped) from `a` to `b`. */
function edits(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The fewest edits from `word` to the id or to an end of it (`meminfo`, `net/dev` of `proc/net/dev`). */
function editsToId(word: string, id: string): number {
  const parts = id.split('/');
  return Math.min(...parts.map((_, i) => edits(word, parts.slice(i).join('/'))));
}

/**
 * Up to five ids near `word`: first those whose last component it contains
 * (`saved/1234/stat` for `proc/pid/stat`), then those that contain it
 * (`meminf` for `proc/meminfo`), each in the order given; then those a few
 * edits away (`memnifo`, `net/devv`), nearest first.
 */
export function nearestSpecIds(word: string, ids: readonly string[]): string[] {
  const ends = ids.filter((id) => word.includes(id.split('/').pop()!));
  const contained = [...ends, ...ids.filter((id) => id.includes(word) && !ends.includes(id))];
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  const typed = ids
    .filter((id) => !contained.includes(id))
    .map((id) => ({ id, n: editsToId(word, id) }))
    .filter((x) => x.n <= limit)
    .sort((a, b) => a.n - b.n || (a.id < b.id ? -1 : 1))
    .map((x) => x.id);
  return [...contained, ...typed].slice(0, 5);
}

/** " (nearest: a, b)" for a message, or nothing when no id is near. */
export function nearestNote(word: string, ids: readonly string[]): string {
  const near = nearestSpecIds(word, ids);
  return near.length > 0 ? ` (nearest: ${near.join(', ')})` : '';
}
