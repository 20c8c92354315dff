/**
 * A target kernel for the generated code (`npm run generate -- --min-kernel
 * 5.4`): a field that every kernel from the target on prints (its `since` at
 * or before the target, no `until`, not dependent on the configuration)
 * becomes required, in the types and in the parsers, which then refuse a
 * file from an older kernel that lacks it. The default target is every
 * kernel: such fields stay optional. A field some other producer leaves out
 * stays optional too.
 */
import type { FieldModel, RecordModel, SpecModel, TokenModel } from '../runtime/model/model.js';
import { compareVersions } from './names.js';

/**
 * Whether a kernel at or after `target` always prints `f`, and no producer
 * that is not Linux (gVisor, lxcfs, linprocfs) and no Linux from the target
 * on leaves it out (see passes/presence.ts).
 */
const alwaysFrom = (f: FieldModel, target: string): boolean =>
  f.optional &&
  f.since !== undefined &&
  f.until === undefined &&
  !f.configDependent &&
  compareVersions(f.since, target) <= 0 &&
  !(f.absentIn ?? []).some((p) => !/^linux-\d/.test(p) || compareVersions(p.slice('linux-'.length), target) >= 0);

/** Makes the fields required in place; in a record's tokens only while every token before is required (a required token never follows an optional one). */
function visit(x: unknown, target: string, seen: Set<unknown>): void {
  if (x === null || typeof x !== 'object' || seen.has(x)) return;
  seen.add(x);
  const o = x as Record<string, unknown>;
  if (Array.isArray(o.tokens)) {
    let allRequired = true;
    for (const t of (o as unknown as RecordModel).tokens as TokenModel[]) {
      if (t.kind !== 'field') continue;
      if (allRequired && alwaysFrom(t.field, target)) t.field.optional = false;
      if (t.field.optional) allRequired = false;
      // Decided here: the walk below must not make a token after an optional one required. Its value may hold records.
      seen.add(t.field);
      visit(t.field.value, target, seen);
    }
  } else if (typeof o.name === 'string' && typeof o.optional === 'boolean' && 'value' in o && alwaysFrom(o as unknown as FieldModel, target)) {
    (o as unknown as FieldModel).optional = false;
  }
  for (const y of Object.values(o)) visit(y, target, seen);
}

/** Copies of the specs aimed at kernels from `target` on. */
export function forMinKernel(specs: SpecModel[], target: string): SpecModel[] {
  if (!/^\d+\.\d+(\.\d+)?$/.test(target)) throw new Error(`--min-kernel ${target}: a version such as 5.4`);
  return specs.map((s) => {
    const copy = structuredClone(s);
    visit(copy.layout, target, new Set());
    return copy;
  });
}
