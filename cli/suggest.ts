/** Specs whose names are near one that names no spec, for "no spec named …" messages. */

/**
 * Up to five ids that contain `word`, or whose last component `word`
 * contains (`meminfo` for `proc/meminfo`, `saved/1234/stat` for `proc/pid/stat`).
 */
export function nearestSpecIds(word: string, ids: readonly string[]): string[] {
  return ids.filter((id) => id.includes(word) || word.includes(id.split('/').pop()!)).slice(0, 5);
}

/** " (nearest: a, b)" for a message, or nothing when no id is near. */
export function nearestNote(word: string, ids: readonly string[]): string {
  const near = nearestSpecIds(word, ids);
  return near.length > 0 ? ` (nearest: ${near.join(', ')})` : '';
}
