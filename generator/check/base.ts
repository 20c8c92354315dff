/** The base of the spec checker: where a problem is reported, and the checks every kind of entry shares (names, kernel versions, optionality, named values). */
import type { Sentinel } from '../../runtime/model/model.js';
import type { LoadedSpec } from '../load.js';
import { compareVersions, isSafeFieldName, isSafeSymbolName } from '../names.js';
import { nameDerivedFrom } from '../resolve.js';
import { SpecError } from '../spec-error.js';

export type Path = (string | number)[];
export type Obj = Record<string, unknown>;

export class CheckerBase {
  /** The spec's `measure`, given to every number field that does not say its own. */
  protected readonly measure: 'counter' | 'gauge' | undefined;
  /** The spec says `narrow: true`: the kernel keeps every number of the file in 32 bits, so none is wide. */
  protected readonly narrow: boolean;

  constructor(protected readonly loaded: LoadedSpec) {
    this.measure = (loaded.data as Obj | null)?.measure as 'counter' | 'gauge' | undefined;
    this.narrow = (loaded.data as Obj | null)?.narrow === true;
  }

  fail(path: Path, problem: string): never {
    const at = this.loaded.locate(path);
    throw new SpecError(at.file, at.line, at.path.join('.'), problem, at.column);
  }

  name(f: Obj, p: Path, names: Set<string>): string {
    if (f.name === undefined) this.fail(p, 'missing required key "name" (a field is named after its key, line or raw name when it has one)');
    const name = f.name as string;
    const from = nameDerivedFrom(f);
    if (!isSafeFieldName(name))
      this.fail(
        [...p, 'name'],
        from === undefined
          ? `"${name}" is not a safe camelCase name (letters and digits, starting lower case, not "extra" nor a member of Object.prototype)`
          : `the ${from} "${String(f[from])}" gives the name "${name}", which is not a safe camelCase name: write a "name"`,
      );
    if (names.has(name)) this.fail([...p, 'name'], `duplicate name "${name}"${from === undefined ? '' : ` (the name the ${from} "${String(f[from])}" gives)`}`);
    names.add(name);
    return name;
  }

  versions(f: Obj, p: Path): { since?: string; until?: string } {
    const since = f.since as string | undefined;
    const until = f.until as string | undefined;
    if (since !== undefined && until !== undefined && compareVersions(since, until) >= 0) {
      this.fail([...p, 'until'], `"until" ${until} is not after "since" ${since}`);
    }
    return { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
  }

  optional(f: Obj, p: Path): boolean {
    if (f.optional === false && (f.since !== undefined || f.until !== undefined)) {
      this.fail([...p, 'optional'], 'a field with "since" or "until" is optional: it is absent on other kernels');
    }
    return f.optional === true || f.since !== undefined || f.until !== undefined;
  }

  named(list: Obj[] | undefined, p: Path): Sentinel[] {
    const out: Sentinel[] = [];
    const raws = new Set<string>();
    const names = new Set<string>();
    (list ?? []).forEach((e, i) => {
      const name = e.name as string;
      if (!isSafeSymbolName(name)) this.fail([...p, i, 'name'], `"${name}" is not a safe name (lower case letters, digits and _)`);
      if (names.has(name)) this.fail([...p, i, 'name'], `duplicate name "${name}"`);
      if (raws.has(e.raw as string)) this.fail([...p, i, 'raw'], `duplicate raw value "${String(e.raw)}"`);
      names.add(name);
      raws.add(e.raw as string);
      out.push({ raw: e.raw as string, name, description: e.description as string });
    });
    return out;
  }
}
