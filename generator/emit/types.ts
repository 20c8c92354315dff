/** The types emitter: one interface per object shape of a spec, with doc comments. */
import type { SourceFile } from 'ts-morph';
import type { Shapes } from '../shapes.js';

export function emitTypes(file: SourceFile, shapes: Shapes): void {
  for (const a of shapes.aliases) {
    file.addTypeAlias({ isExported: true, name: a.name, type: a.type, docs: [a.doc] });
  }
  for (const s of shapes.list) {
    file.addInterface({
      isExported: true,
      name: s.name,
      docs: [s.doc],
      properties: s.fields.map((f) => ({ name: f.name, type: f.type, hasQuestionToken: f.optional, docs: [f.doc] })),
    });
  }
}
