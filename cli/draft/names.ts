/**
 * Field names for a draft: camelCase identifiers derived from the kernel's
 * keys and column titles (`MemTotal` -> memTotal, `in_slow_tot` -> inSlowTot,
 * `Active(anon)` -> activeAnon), made valid and unique in their record.
 */
import { isSafeFieldName } from '../../generator/names.js';
import { MAX_NAME } from './limits.js';

/** Names the generated types give fields of their own, which a spec field cannot take. */
const GENERATED = new Set(['extraTokens', 'rows', 'kind']);

/** `in_slow_tot` -> inSlowTot, `AVX512_elapsed_ms` -> avx512ElapsedMs, `#subsys_name` -> subsysName. */
export function camelCaseOf(kernelName: string): string {
  const words = kernelName.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const parts = words.map((w, i) => {
    if (i === 0) {
      // A leading run of capitals is lower-cased, but the capital that starts the next word is kept: XMLHttp -> xmlHttp, AVX512 -> avx512.
      const run = /^[A-Z]+/.exec(w)?.[0] ?? '';
      const keep = run.length > 1 && run.length < w.length && /[a-z]/.test(w[run.length]!) ? run.length - 1 : run.length;
      return w.slice(0, keep).toLowerCase() + w.slice(keep);
    }
    return w[0]!.toUpperCase() + w.slice(1);
  });
  return parts.join('');
}

/** The names given so far in one record or layout, so that each new one is unique. */
export class NameSet {
  private readonly taken = new Set<string>();

  /** A safe, unused camelCase name for a value the kernel calls `kernelName`; `fallback` when that gives none. */
  name(kernelName: string | undefined, fallback: string): string {
    let base = kernelName === undefined ? fallback : camelCaseOf(kernelName);
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
