/**
 * Where each part of a spec's data was written: the file, the YAML line
 * and column, and the key path in that file. The loader records it for the
 * objects and arrays it reads from YAML; the resolver (resolve.ts) gives
 * every object it makes the origins of the parts it took, so an error in
 * a field taken from another spec (`extends`) or from a fragment names
 * the file and line where that field is written.
 */
import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type Path = readonly (string | number)[];

/** A place in a spec file: its line and column (1-based) and the key path that leads there. */
export interface Location {
  file: string;
  line: number;
  column: number;
  path: (string | number)[];
}

/** The location of an object or array, and of the value under each of its keys (array indexes as strings). */
export interface Origin {
  self: Location;
  keys: Map<string, Location>;
}

const ORIGINS = new WeakMap<object, Origin>();

export function originOf(value: unknown): Origin | undefined {
  return value !== null && typeof value === 'object' ? ORIGINS.get(value) : undefined;
}

export function setOrigin(value: object, origin: Origin): void {
  ORIGINS.set(value, origin);
}

/** The location of `value[key]`, or of `value` itself when that key has none. */
export function locationOf(value: unknown, key?: string | number): Location | undefined {
  const o = originOf(value);
  if (!o) return undefined;
  return (key === undefined ? undefined : o.keys.get(String(key))) ?? o.self;
}

/**
 * Where the value at `path` of `root` was written: the deepest part of the
 * path that has a location, with the rest of the path appended to its key
 * path (a key that is missing is reported at the object that misses it).
 */
export function locate(root: unknown, path: Path, file: string): Location {
  let best: Location = originOf(root)?.self ?? { file, line: 1, column: 1, path: [] };
  let cur: unknown = root;
  let depth = 0;
  for (const k of path) {
    const at = originOf(cur)?.keys.get(String(k));
    if (!at) break;
    best = at;
    depth++;
    cur = (cur as Record<string, unknown>)[k as string];
  }
  return { ...best, path: [...best.path, ...path.slice(depth)] };
}

/** Records the origins of `data`, the value `doc.toJS()` made of `doc`, read from `file`. */
export function recordOrigins(doc: Document, lineCounter: LineCounter, file: string, data: unknown): void {
  const at = (node: Node | null | undefined, path: (string | number)[], fallback: Location): Location => {
    if (!node?.range) return { ...fallback, path };
    const { line, col } = lineCounter.linePos(node.range[0]);
    return { file, line, column: col, path };
  };
  const top: Location = { file, line: 1, column: 1, path: [] };
  const walk = (written: unknown, value: unknown, path: (string | number)[], self: Location): void => {
    const node = isAlias(written) ? written.resolve(doc) : written;
    if (value === null || typeof value !== 'object' || ORIGINS.has(value) || !isCollection(node)) return;
    const keys = new Map<string, Location>();
    ORIGINS.set(value, { self, keys });
    if (isMap(node) && !Array.isArray(value)) {
      for (const pair of node.items) {
        const k = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const kp = [...path, k];
        const loc = at((pair.value as Node | null) ?? (pair.key as Node | null), kp, self);
        keys.set(k, loc);
        walk(pair.value, (value as Record<string, unknown>)[k], kp, loc);
      }
    } else if (isSeq(node) && Array.isArray(value)) {
      node.items.forEach((item, i) => {
        const loc = at(item as Node, [...path, i], self);
        keys.set(String(i), loc);
        walk(item, value[i], [...path, i], loc);
      });
    }
  };
  walk(doc.contents, data, [], at(doc.contents as Node | null, [], top));
}
