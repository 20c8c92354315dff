/**
 * A small cache for files read once per procfs root (auxv, kernel release,
 * boot time...): the parsed value is kept per (root, path) until dropped.
 */
import * as path from 'node:path';

/** Identifies a cached value: the procfs root (e.g. "/proc" or a snapshot folder) and a path or name under it. */
export interface OnceKey {
  root: string;
  path: string;
}

/**
 * Keeps one computed value per (root, path).
 *
 * Sync: `get(key, () => parse(readFileSync(...)))` computes on first use and
 * returns the stored value afterwards. Async: `get(key, async () => ...)`
 * stores the promise itself, so concurrent callers share one computation.
 * Failures are not kept: a throwing compute stores nothing, and a rejected
 * promise is removed, so the next `get` tries again.
 */
export class OnceCache {
  /** Normalised root -> path -> value (or promise of it). */
  private readonly roots = new Map<string, Map<string, unknown>>();

  /** The stored value for `key`, computing and storing it first if absent. */
  get<T>(key: OnceKey, compute: () => T): T {
    const root = normaliseRoot(key.root);
    let byPath = this.roots.get(root);
    if (byPath?.has(key.path)) return byPath.get(key.path) as T;
    const value = compute(); // a throw propagates and stores nothing
    if (byPath === undefined) {
      byPath = new Map();
      this.roots.set(root, byPath);
    }
    byPath.set(key.path, value);
    if (value instanceof Promise) {
      value.catch(() => {
        // Forget a failed promise, unless it was already dropped or replaced.
        const current = this.roots.get(root);
        if (current?.get(key.path) === value) {
          current.delete(key.path);
          if (current.size === 0) this.roots.delete(root);
        }
      });
    }
    return value;
  }

  /** Whether a value (or pending promise) is stored for `key`. */
  has(key: OnceKey): boolean {
    return this.roots.get(normaliseRoot(key.root))?.has(key.path) ?? false;
  }

  /** Forgets every value of `root`, or of all roots when omitted. */
  drop(root?: string): void {
    if (root === undefined) this.roots.clear();
    else this.roots.delete(normaliseRoot(root));
  }

  /** Number of stored values, over all roots. */
  get size(): number {
    let n = 0;
    for (const byPath of this.roots.values()) n += byPath.size;
    return n;
  }
}

/** "/proc", "/proc/" and "/proc/." name one root. */
function normaliseRoot(root: string): string {
  return path.resolve(root);
}
