/**
 * The metadata emitter: the checked model of a spec as a typed constant, for
 * the runtime (paths, sampling), the CLI, the docs and the round-trip tests.
 */
import type { Statements } from './statements.js';
import type { SpecModel } from '../../runtime/model/model.js';

export function metadataName(spec: SpecModel): string {
  return `${spec.typeName[0]!.toLowerCase()}${spec.typeName.slice(1)}Spec`;
}

export function emitMetadata(file: Statements, spec: SpecModel): void {
  file.addImportDeclaration({
    moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/model/model.js`,
    isTypeOnly: true,
    namedImports: ['SpecModel'],
  });
  file.addConstant({
    isExported: true,
    doc: `The checked model of spec ${spec.id}.`,
    name: metadataName(spec),
    type: 'SpecModel',
    initializer: JSON.stringify(spec, null, 2),
  });
}
