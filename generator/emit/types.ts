/** The types emitter: one interface per object shape of a spec, with doc comments. */
import type { Statements } from './statements.js';
import { withN, type Shapes } from '../shapes.js';

/** The type parameter of a shape that holds wide integers: number unless parsed with `bigint: true`. */
const N_PARAM = { name: 'N', constraint: 'number | bigint', default: 'number' };

export function emitTypes(file: Statements, shapes: Shapes): void {
  const g = shapes.generic;
  for (const a of shapes.aliases) {
    file.addTypeAlias({ isExported: true, name: a.name, type: withN(a.type, g), docs: [a.doc], typeParameters: g.has(a.name) ? [N_PARAM] : [] });
  }
  for (const s of shapes.list) {
    file.addInterface({
      isExported: true,
      name: s.name,
      docs: [s.doc],
      typeParameters: g.has(s.name) ? [N_PARAM] : [],
      properties: s.fields.map((f) => ({ name: f.name, type: withN(f.type, g), hasQuestionToken: f.optional, docs: [f.doc] })),
    });
  }
}
