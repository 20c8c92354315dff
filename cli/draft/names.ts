/**
 * Field names for a draft: camelCase identifiers derived from the kernel's
 * keys and column titles (`MemTotal` -> memTotal, `in_slow_tot` -> inSlowTot,
 * `Active(anon)` -> activeAnon), made valid and unique in their record.
 */
import { isSafeFieldName, nameOfKernelName } from '../../generator/names.js';
import { MAX_NAME } from './limits.js';

/** Names the generated types give fields of their own, which a spec field cannot take. */
const GENERATED = new Set(['extraTokens', 'rows', 'kind']);

/** The names given so far in one record or layout, so that each new one is unique. */
export class NameSet {
  private readonly taken = new Set<string>();

  /** A safe, unused camelCase name for a value the kernel calls `kernelName` (the name a spec derives from it, generator/names.ts), `fallback` when that gives none. */
  name(kernelName: string | undefined, fallback: string): string {
    let base = kernelName === undefined ? fallback : nameOfKernelName(kernelName);
    if (base === '') base = fallback;
    if (/^[0-9]/.test(base)) base = `${fallback.replace(/[0-9]+$/, '')}${base}`;
    if (!isSafeFieldName(base) || GENERATED.has(base)) base = `${base}Value`;
    if (!isSafeFieldName(base)) base = fallback;
    // Room for `Value` and a number that makes it unique.
    base = base.slice(0, MAX_NAME - 8);
    let name = base;
    for (let n = 2; this.taken.has(name) || !isSafeFieldName(name); n++) name = `${base}${n}`;
    this.taken.add(name);
    return name;
  }

  /** Reserves a name given elsewhere (a header field) so that no other value takes it. */
  reserve(name: string): void {
    this.taken.add(name);
  }
}
