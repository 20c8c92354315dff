/** Names derived mechanically from spec paths, and the rules for names written in specs. */

/** camelCase TypeScript property names. */
export const FIELD_NAME = /^[a-z][A-Za-z0-9]*$/;
/** Enum and sentinel names: lower case words joined by `_`. */
export const SYMBOL_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Names a field may not take: `extra` (the generated shape's own field) and
 * the members of Object.prototype, which an object literal or a property
 * assignment would not set as its own. A reserved word of JavaScript is a
 * fine property name (`o.interface`, `{ default: 1 }`): the generated code
 * uses a field's name only as a property, and its locals as `v_<name>`.
 */
const RESERVED = new Set([
  'extra',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

export function isSafeFieldName(name: string): boolean {
  return FIELD_NAME.test(name) && !RESERVED.has(name);
}

export function isSafeSymbolName(name: string): boolean {
  return SYMBOL_NAME.test(name) && !RESERVED.has(name);
}

/**
 * The name of a field that does not write one: the plain camelCase of its
 * kernel name (a keyed entry's `key` or `line`, or `raw`). The kernel name
 * is split into words at every run of characters other than ASCII letters
 * and digits; the first word is lower-cased up to its first lower-case
 * letter, except that the capital starting the next word of a run of
 * capitals is kept (`XMLHttp` -> `xmlHttp`, `AVX512` -> `avx512`); every
 * later word gets an upper-case first letter and is kept as it is.
 * `MemTotal` -> memTotal, `Active(anon)` -> activeAnon, `nr_free_pages`
 * -> nrFreePages, `HugePages_Total` -> hugePagesTotal, `Ip6ReasmOKs` ->
 * ip6ReasmOKs. (cli/draft/names.ts names the fields of a draft the same way.)
 */
export function nameOfKernelName(kernelName: string): string {
  const words = kernelName.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return words
    .map((w, i) => {
      if (i > 0) return w[0]!.toUpperCase() + w.slice(1);
      const run = /^[A-Z]+/.exec(w)?.[0] ?? '';
      const keep = run.length > 1 && run.length < w.length && /[a-z]/.test(w[run.length]!) ? run.length - 1 : run.length;
      return w.slice(0, keep).toLowerCase() + w.slice(keep);
    })
    .join('');
}

/** `proc/net/dev` -> `ProcNetDev`; `proc/pid/smaps_rollup` -> `ProcPidSmapsRollup`. */
export function typeNameOf(id: string): string {
  return id
    .split(/[/_.-]+/)
    .filter((s) => s.length > 0)
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join('');
}

/** `A.B.C` -> `parseABC`. */
export function parseNameOf(id: string): string {
  return `parse${typeNameOf(id)}`;
}

/** Spec id from its file path under specs/: `proc/meminfo`. */
export function specIdOf(relativeFile: string): string {
  return relativeFile.replace(/\\/g, '/').replace(/\.ya?ml$/, '');
}

/** Compares kernel versions `a.b[.c]`; negative when a is older. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
