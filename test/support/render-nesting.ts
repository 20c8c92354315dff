/**
 * The renderer's nested shapes (see render.ts): choice lists, a line of words
 * of which one is in brackets, and trees, lines nested by indentation.
 */
import fc from 'fast-check';
import type { LayoutModel, RecordModel, ValueModel } from '../../runtime/model/model.js';

/** A rendered piece of text and the value it must parse to (render.ts's Sample, which imports this module). */
interface Sample {
  text: string;
  value: unknown;
}

const WORD = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.+-]{0,11}$/);

/** A choice list: distinct words, one of them bracketed (or, when the spec allows it, none), with or without the trailing space sysfs leaves. */
export function choiceSample(v: Extract<ValueModel, { kind: 'choice' }>): fc.Arbitrary<Sample> {
  return fc.uniqueArray(WORD, { minLength: 1, maxLength: 6 }).chain((words) =>
    fc
      .tuple(v.unselected ? fc.option(fc.nat({ max: words.length - 1 }), { freq: 4 }) : fc.nat({ max: words.length - 1 }), fc.constantFrom('', ' '))
      .map(([at, trail]): Sample => {
        const text = words.map((w, i) => (i === at ? `[${w}]` : w)).join(' ') + trail;
        return { text, value: at === null ? { choices: words } : { selected: words[at]!, choices: words } };
      }),
  );
}

/** One row of a tree: its record, or one of its variants' with `kind`. */
type RowArb = (r: RecordModel, lead?: Record<string, unknown>) => fc.Arbitrary<Sample>;

interface TreeNode {
  value: Record<string, unknown>;
  children: TreeNode[];
}

/**
 * A tree's lines: rows at depths that go down at most one level from one
 * line to the next (the first at depth 0), each indented as the spec says,
 * and the nested value the parser must give.
 */
export function treeSample(l: Extract<LayoutModel, { kind: 'tree' }>, row: RowArb): fc.Arbitrary<Sample> {
  const one = 'record' in l.rows ? row(l.rows.record) : fc.oneof(...l.rows.variants.map((v) => row(v.shape, { kind: v.name })));
  const line = one.filter((s) => s.text.trim() !== '' && !/^\s/.test(s.text));
  return fc.array(fc.tuple(line, fc.nat({ max: 6 })), { maxLength: 8 }).map((drawn): Sample => {
    const roots: TreeNode[] = [];
    const above: TreeNode[] = [];
    const lines: string[] = [];
    for (const [s, want] of drawn) {
      // At most one level below the line before; the first line at depth 0.
      const depth = Math.min(want, above.length);
      const node: TreeNode = { value: { ...(s.value as object), depth }, children: [] };
      above.length = depth;
      (depth === 0 ? roots : above[depth - 1]!.children).push(node);
      above.push(node);
      lines.push(`${depth === 0 ? '' : ' '.repeat(l.first + (depth - 1) * l.indent)}${s.text}`);
    }
    const nodeValue = (n: TreeNode): unknown => ({ ...n.value, children: n.children.map(nodeValue) });
    return { text: lines.join('\n'), value: roots.map(nodeValue) };
  });
}
