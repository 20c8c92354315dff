/**
 * A drafted spec -> the YAML of a spec file, written the way the specs
 * under specs/ are: block style for layouts, one flow map per field or
 * literal (`- {name: count, type: integer, description: ...}`), a comment
 * at the top saying it is a draft and where it goes.
 */
import { formatSpec } from '../../generator/format.js';
import { Document, isScalar, visit } from 'yaml';
import type { DraftField, DraftLayout, DraftRecord, DraftSpec, DraftToken } from './spec.js';

type Plain = Record<string, unknown>;

/** A field as the spec language writes it; `asKey` for a keyed entry (its kernel name is its `key`, not `raw`). */
function fieldOf(f: DraftField, asKey: boolean, extra: Plain = {}): Plain {
  const o: Plain = {};
  if (asKey) o.key = f.raw;
  o.name = f.name;
  if (!asKey && f.raw !== undefined && f.raw !== f.name) o.raw = f.raw;
  o.type = f.value.type;
  const v = f.value;
  if (v.type !== 'record') {
    if (v.signed) o.signed = true;
    if (v.hex) o.hex = true;
    if (v.unit !== undefined) o.unit = v.unit;
    if (v.suffix !== undefined) o.suffix = v.suffix;
  }
  Object.assign(o, extra);
  if (f.optional) o.optional = true;
  o.description = f.description;
  // A record's tokens and pairs come after its description, as in the specs under specs/.
  if (v.type === 'record') Object.assign(o, recordOf(v.record));
  return o;
}

function tokenOf(t: DraftToken): Plain {
  if (t.kind === 'literal') return { literal: t.text };
  return fieldOf(t.field, false, t.terminator !== undefined ? { terminator: t.terminator } : {});
}

/** The keys of a record: `tokens` (when there are any) and `pairs`. */
function recordOf(r: DraftRecord): Plain {
  const o: Plain = {};
  if (r.tokens.length > 0) o.tokens = r.tokens.map(tokenOf);
  if (r.pairs) o.pairs = { separator: r.pairs.separator, fields: r.pairs.fields.map((f) => fieldOf(f, false)) };
  return o;
}

function layoutOf(l: DraftLayout): Plain {
  switch (l.kind) {
    case 'keyed':
      return { keyed: { separator: l.separator, fields: l.entries.map((e) => fieldOf(e, true)) } };
    case 'table':
      return { table: { ...(l.header ? { header: { tokens: l.header.map((w) => ({ literal: w })) } } : {}), ...recordOf(l.row) } };
    case 'line':
      return { line: recordOf(l.record) };
    case 'blocks':
      return { blocks: { blank: true, body: layoutOf(l.body) } };
  }
}

/** The spec file's YAML text, in the one style of specs/ (generator/format.ts: what `npm run format:specs` writes); `comment` is written above it, line by line. */
export function draftYaml(spec: DraftSpec, comment: readonly string[]): string {
  // `sampled` (read every time) is right for any file; the author makes it `once` for text that never changes while the system runs.
  const doc = new Document({ description: spec.description, paths: spec.paths, sampling: 'sampled', layout: layoutOf(spec.layout) });
  // Maps and lists of scalars only (a field, a literal, the paths) are written on one line.
  visit(doc, {
    Map(_, node) {
      if (node.items.every((p) => isScalar(p.value))) node.flow = true;
    },
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  doc.commentBefore = comment.map((l) => ` ${l}`).join('\n');
  return formatSpec(doc.toString({ lineWidth: 0 }));
}
