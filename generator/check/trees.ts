/** Checks of a tree layout: lines that nest by indentation, each a row of one shape or one of several variants. */
import type { LayoutModel, RecordModel, Variant } from '../../runtime/model/model.js';
import type { Obj, Path } from './base.js';
import { isSafeFieldName } from '../names.js';
import type { RecordChecker } from './records.js';

/** Names a tree gives each row itself: a row's fields cannot use them. */
const TREE_FIELDS = ['depth', 'children'];

export function treeLayout(c: RecordChecker, t: Obj, path: Path): LayoutModel {
  const hasTokens = t.tokens !== undefined || t.pairs !== undefined;
  if (hasTokens === (t.rows !== undefined)) c.fail(path, 'a tree needs exactly one of "tokens" (every line alike) or "rows" (variants)');
  const indent = t.indent as number;
  const first = (t.firstIndent as number | undefined) ?? indent;
  const checkRow = (r: RecordModel, p: Path, variant: boolean): void => {
    if (r.columns) c.fail(p, '"columns" are named by a header line: use them in a keyed entry');
    const names = c.recordNames(r);
    for (const n of [...TREE_FIELDS, ...(variant ? ['kind'] : [])]) {
      if (names.includes(n)) c.fail(p, `a tree's row cannot have a field named "${n}": the tree sets it`);
    }
  };
  if (t.rows === undefined) {
    const record = c.record(t, path);
    checkRow(record, path, false);
    return { kind: 'tree', indent, first, rows: { record } };
  }
  const seen = new Set<string>();
  const variants: Variant<RecordModel>[] = (t.rows as Obj[]).map((v, i) => {
    const p = [...path, 'rows', i];
    const name = v.variant as string;
    if (!isSafeFieldName(name)) c.fail([...p, 'variant'], `"${name}" is not a safe camelCase name`);
    if (seen.has(name)) c.fail([...p, 'variant'], `duplicate variant "${name}"`);
    seen.add(name);
    const record = c.record(v, p);
    if (v.closed === true) {
      if (record.tokens.some((x) => x.kind === 'field' && (x.repeat || x.rest || x.field.optional)))
        c.fail([...p, 'closed'], 'a closed shape has a fixed number of tokens: no optional, repeat or rest tokens');
      record.closed = true;
    }
    checkRow(record, p, true);
    return { name, description: v.description as string, shape: record };
  });
  return { kind: 'tree', indent, first, rows: { variants } };
}
