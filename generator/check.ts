import type { EnumValue, SpecModel, WriteSpecModel } from '../runtime/model/model.js';
import type { LoadedSpec } from './load.js';
import { parseNameOf, typeNameOf } from './names.js';
import { Checker } from './check/layouts.js';
import { checkCompressed } from './check/compressed.js';
import { checkLink } from './check/link.js';
import type { Obj } from './check/base.js';

export { wideRule } from './check/fields.js';

/** A read spec (the usual kind) -> its checked model. */
export function checkSpec(loaded: LoadedSpec, id: string): SpecModel {
  const c = new Checker(loaded);
  const d = loaded.data as Obj;
  if (d.access === 'write') c.fail(['access'], 'a write-only spec has no parser: it is checked by checkWriteSpec');
  if (d.write !== undefined) c.fail(['write'], '"write" belongs to a spec with access: write');
  for (const key of ['sampling', 'layout']) if (d[key] === undefined) c.fail([], `missing required key "${key}"`);
  const layout = c.layout(d.layout as Obj, ['layout']);
  const paths = checkPaths(c, d);
  const compressed = checkCompressed(c, d);
  const link = checkLink(c, d, layout);
  return {
    id,
    typeName: typeNameOf(id),
    parseName: parseNameOf(id),
    description: d.description as string,
    paths,
    sampling: d.sampling as 'once' | 'sampled',
    ...(d.singleRecord === true ? { singleRecord: true } : {}),
    ...(link ? { link: true } : {}),
    ...(compressed !== undefined ? { compressed } : {}),
    ...(d.measure !== undefined ? { measure: d.measure as 'counter' | 'gauge' } : {}),
    layout,
    source: `specs/${id}.yaml`,
  };
}

function checkPaths(c: Checker, d: Obj): string[] {
  const paths = d.paths as string[];
  paths.forEach((p, i) => {
    if (!p.startsWith('/proc/') && !p.startsWith('/sys/')) c.fail(['paths', i], 'a path must start with /proc/ or /sys/');
    for (const m of p.matchAll(/\[([^\]]*)\]/g)) {
      if (!/^[a-z]+$/.test(m[1]!)) c.fail(['paths', i], `path parameter [${m[1]}] must be a lower-case word`);
    }
  });
  return paths;
}

/** A write-only spec (`access: write`, a file that takes one of a few values, such as clear_refs) -> its model. */
export function checkWriteSpec(loaded: LoadedSpec, id: string): WriteSpecModel {
  const c = new Checker(loaded);
  const d = loaded.data as Obj;
  if (d.access !== 'write') c.fail(['access'], 'a write spec says access: write');
  if (d.write === undefined) c.fail([], 'missing required key "write"');
  for (const key of ['sampling', 'layout', 'singleRecord', 'link', 'compressed'])
    if (d[key] !== undefined) c.fail([key], `a write-only spec has no "${key}": nothing is read`);
  return {
    id,
    typeName: `${typeNameOf(id)}Value`,
    formatName: `format${typeNameOf(id)}`,
    description: d.description as string,
    paths: checkPaths(c, d),
    values: c.named((d.write as Obj).values as Obj[], ['write', 'values']) as EnumValue[],
    source: `specs/${id}.yaml`,
  };
}
