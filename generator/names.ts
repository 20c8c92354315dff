/** Names derived mechanically from spec paths, and the rules for names written in specs. */

/** camelCase TypeScript property names. */
export const FIELD_NAME = /^[a-z][A-Za-z0-9]*$/;
/** Enum and sentinel names: lower case words joined by `_`. */
export const SYMBOL_NAME = /^[a-z][a-z0-9_]*$/;

/** Names a field may not take: they collide with the generated shape or with Object.prototype. */
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
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'new',
  'null',
  'return',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'yield',
  'let',
  'static',
  'implements',
  'interface',
  'package',
  'private',
  'protected',
  'public',
  'await',
  'undefined',
  'NaN',
  'Infinity',
]);

export function isSafeFieldName(name: string): boolean {
  return FIELD_NAME.test(name) && !RESERVED.has(name);
}

export function isSafeSymbolName(name: string): boolean {
  return SYMBOL_NAME.test(name) && !RESERVED.has(name);
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
