/**
 * The one way a spec file is written (tools/format-specs.ts applies it,
 * and `npm test` checks it). Comments, blank lines, anchors and aliases
 * are kept; what changes is only how the same data is written:
 *
 * - Keys come in a fixed order (TOP_ORDER at the top, KEY_ORDER below it):
 *   what a thing is (key, raw, name), its type and options, when it is
 *   there, its description, then what it holds (fields, tokens, layout).
 * - A map or list whose items are all scalars, with no comment inside, is
 *   written on one line in flow style (`{key: MemTotal, description: ...}`,
 *   `paths: [...]`) when its line is at most LINE_WIDTH characters;
 *   everything else is in block style.
 * - Scalars are plain where YAML reads them back as the same string, else
 *   double-quoted; a string that begins with a digit is always quoted, so
 *   that kernel versions and hex codes read alike (`"2.6.20"`, `"3.14"`,
 *   `"0A"`, `"01"`).
 * - A field's `name` that is what its kernel name gives anyway
 *   (names.ts, nameOfKernelName) is left out.
 */
import { Document, isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair, parseDocument, Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { nameOfKernelName } from './names.js';

/** The widest line a flow collection may make, the line width of the TypeScript code too (biome.json). */
export const LINE_WIDTH = 160;

/** The order of a spec's top-level keys. */
export const TOP_ORDER = [
  'extends',
  'description',
  'paths',
  'access',
  'sampling',
  'measure',
  'narrow',
  'singleRecord',
  'link',
  'compressed',
  'override',
  'write',
  'fragments',
  'layout',
];

/** The order of the keys of everything below the top: identity, value, presence, description, contents. */
export const KEY_ORDER = [
  'include',
  'from',
  'variant',
  'key',
  'line',
  'literal',
  'text',
  'letter',
  'clear',
  'bit',
  'field',
  'value',
  'raw',
  'name',
  'indexed',
  'index',
  'type',
  'ctype',
  'of',
  'separator',
  'signed',
  'hex',
  'octal',
  'order',
  'escaped',
  'quoted',
  'verbatim',
  'phrases',
  'unselected',
  'unit',
  'suffix',
  'optionalEnd',
  'enclosed',
  'closeAt',
  'terminator',
  'prefix',
  'width',
  'untilLast',
  'startsWith',
  'repeat',
  'rest',
  'endsAt',
  'endsBefore',
  'perColumn',
  'since',
  'until',
  'optional',
  'measure',
  'narrow',
  'label',
  'closed',
  'extra',
  'blank',
  'start',
  'startAtHeader',
  'skip',
  'indent',
  'firstIndent',
  'description',
  'values',
  'sentinels',
  'first',
  'second',
  'trailer',
  'letters',
  'bits',
  'options',
  'names',
  'header',
  'defaults',
  'tokens',
  'pairs',
  'columns',
  'fields',
  'others',
  'rows',
  'section',
  'item',
  'body',
  'layout',
];

const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false, singleQuote: false } as const;

const keyOf = (p: Pair): string => String(isScalar(p.key) ? p.key.value : p.key);

function hasComment(n: unknown): boolean {
  if (isPair(n)) return hasComment(n.key) || hasComment(n.value);
  const x = n as { comment?: string | null; commentBefore?: string | null } | null;
  return !!x && (!!x.comment || !!x.commentBefore);
}

/** The spec's text in the one way specs are written. */
export function formatSpec(text: string): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`YAML syntax: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (doc.contents) visitNode(doc.contents, [], false, 0, 0);
  return doc.toString(STRINGIFY);
}

/** Whether the collection at `path` (a list of fields, or a field) holds fields whose `name` may be derived. */
function isFieldList(path: readonly (string | number)[]): boolean {
  const last = path[path.length - 1];
  return last === 'fields' || last === 'tokens' || (path.length === 2 && path[0] === 'fragments');
}

/**
 * Formats `node`, found at `path`; `isField` says it is a field. In block
 * style its keys (or its items' `- `) start at column `indent`; written on
 * one line, it starts at column `start`, after its key or its `- `.
 */
function visitNode(node: Node, path: (string | number)[], isField: boolean, indent: number, start: number): void {
  if (isAlias(node)) return;
  if (isScalar(node)) {
    node.type = typeof node.value === 'string' && /^[0-9]/.test(node.value) ? Scalar.QUOTE_DOUBLE : undefined;
    return;
  }
  if (isMap(node)) {
    if (isField) dropDerivedName(node);
    const order = path.length === 0 ? TOP_ORDER : KEY_ORDER;
    const rank = (p: Pair): number => {
      const i = order.indexOf(keyOf(p));
      return i < 0 ? order.length : i;
    };
    const header = path.length === 0 ? takeHeader(node) : undefined;
    node.items = [...node.items]
      .map((p, i) => ({ p, i }))
      .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
      .map(({ p }) => p);
    // The comment at the top of the file stays at the top, whichever key comes first.
    const first = node.items[0]?.key;
    if (header !== undefined && isScalar(first)) first.commentBefore = first.commentBefore ? `${header}\n${first.commentBefore}` : header;
    for (const p of node.items) {
      if (isScalar(p.key)) p.key.type = undefined;
      const k = keyOf(p);
      const child = p.value as Node | null;
      if (!child) continue;
      const childIsField = k === 'first' || k === 'second' || k === 'item';
      // In block style a child collection starts on the next line, indented by 2 (a list's `- ` too); on one line, after `key: `.
      visitNode(child, [...path, k], childIsField, indent + 2, indent + k.length + 2);
    }
  } else if (isSeq(node)) {
    const fields = isFieldList(path);
    node.items.forEach((item, i) => {
      // An item starts after its `- `, and a map item's other keys line up with its first.
      visitNode(item as Node, [...path, i], fields, indent + 2, indent + 2);
    });
  }
  chooseStyle(node as YAMLMap | YAMLSeq, start, path.length === 0);
}

/** The comment above the first key of `map`, taken off it. */
function takeHeader(map: YAMLMap): string | undefined {
  const key = map.items[0]?.key;
  if (!isScalar(key) || !key.commentBefore) return undefined;
  const c = key.commentBefore;
  key.commentBefore = undefined;
  return c;
}

function dropDerivedName(map: YAMLMap): void {
  const get = (k: string): Pair | undefined => map.items.find((p) => keyOf(p) === k) as Pair | undefined;
  const name = get('name');
  const kernel = get('key') ?? get('line') ?? get('raw');
  if (!name || !kernel || !isScalar(name.value) || !isScalar(kernel.value) || hasComment(name)) return;
  if (typeof kernel.value.value === 'string' && name.value.value === nameOfKernelName(kernel.value.value)) {
    map.items = map.items.filter((p) => p !== name);
  }
}

function chooseStyle(node: YAMLMap | YAMLSeq, start: number, top: boolean): void {
  const items = node.items as unknown[];
  const leaf = items.every((x) => (isPair(x) ? isScalar(x.value) || x.value === null : isScalar(x)));
  if (top || items.length === 0 || !leaf || items.some(hasComment)) {
    node.flow = items.length === 0;
    return;
  }
  const one = new Document();
  const copy = node.clone() as YAMLMap | YAMLSeq;
  copy.flow = true;
  copy.comment = null;
  copy.commentBefore = null;
  one.contents = copy;
  const width = start + one.toString(STRINGIFY).trimEnd().length;
  node.flow = width <= LINE_WIDTH;
}
