/**
 * The parser of a binary layout (a file the kernel writes as bytes:
 * rt_acct, pid/auxv): one loop over the records, each field read at its
 * offset by runtime/core/binary.ts, no scanner. Strings reach the code only
 * through JSON.stringify; names are checked identifiers.
 */
import type { Statements } from './statements.js';
import type { BinaryLayout, BinaryType, FieldModel, SpecModel } from '../../runtime/model/model.js';
import { CTYPE_BYTES } from '../check/binary.js';
import { decodeExpr } from '../plan/decode.js';
import type { Shapes } from '../shapes.js';
import { q } from './code.js';

/** The expression reading field `f` of C type `t` at byte `at` of the record. */
function readExpr(f: FieldModel, t: BinaryType, at: string): string {
  if (f.value.kind === 'u64') return `r.u64n(${at})`;
  const bytes = CTYPE_BYTES[t];
  if (bytes < 8) return `r.u${bytes * 8}(${at})`;
  // A wide 64-bit integer is a bigint in exact mode; any other is a number (the nearest double beyond 2^53).
  return f.value.kind === 'integer' && f.value.wide === true ? `big ? r.u64n(${at}) : r.u64(${at})` : `r.u64(${at})`;
}

export function emitBinaryParser(file: Statements, spec: SpecModel, shapes: Shapes, typesModule: string): void {
  const l = spec.layout as BinaryLayout;
  const up = '../'.repeat(spec.id.split('/').length);
  const row = shapes.recordType.get(l.record)!;
  const generic = shapes.generic;
  const of = (name: string): string => (generic.has(name) ? `${name}Of` : name);
  file.addImportDeclaration({ moduleSpecifier: `${up}../runtime/core/binary.js`, namedImports: ['BinaryRecords'] });
  file.addImportDeclaration({ moduleSpecifier: `${up}../runtime/core/context.js`, namedImports: ['contextOf'] });
  file.addImportDeclaration({ moduleSpecifier: `${up}../runtime/core/context.js`, isTypeOnly: true, namedImports: ['ParseContext', 'ParseOptions'] });
  file.addImportDeclaration({
    moduleSpecifier: typesModule,
    isTypeOnly: true,
    namedImports: [...new Set([spec.typeName, row])].sort().map((n) => (generic.has(n) ? { name: n, alias: of(n) } : n)),
  });
  if (generic.size > 0) {
    file.addTypeAlias({ name: 'N', type: 'number | bigint', docs: ['A wide integer as the code reads it: a number, or with `bigint: true` a bigint.'] });
    for (const n of [...generic].sort()) file.addTypeAlias({ name: n, type: `${of(n)}<N>` });
  }
  const fields = l.record.tokens.flatMap((t) => (t.kind === 'field' ? [t.field] : []));
  let size = 0;
  const offsets = l.types.map((t) => {
    if (t === null) return -1;
    const at = size;
    size += CTYPE_BYTES[t];
    return at;
  });
  const order = l.order === 'host' ? 'ctx.littleEndian' : String(l.order === 'little');
  const doc = `Parses the bytes of ${spec.paths[0]} (spec ${spec.id}): records of ${size} bytes. Throws ProcfsError with code "parse" (line 1, the column of the byte where the reading stopped) when the bytes do not fit the spec.${generic.size > 0 ? ' With `bigint: true` its wide integers are bigints.' : ''} A string is taken one byte per character (latin1).`;
  const text = { name: 'text', type: 'string | Uint8Array' };
  const typeIn = (t: string, n: string): string => (generic.has(t) ? `${of(t)}<${n}>` : t);
  file.addFunction({
    isExported: true,
    name: spec.parseName,
    docs: [doc],
    overloads:
      generic.size === 0
        ? []
        : [
            {
              docs: [doc],
              parameters: [text, { name: 'options', type: 'ParseOptions & { bigint?: false }', hasQuestionToken: true }],
              returnType: typeIn(spec.typeName, 'number'),
            },
            { docs: [doc], parameters: [text, { name: 'options', type: 'ParseOptions & { bigint: true }' }], returnType: typeIn(spec.typeName, 'bigint') },
            {
              docs: [doc],
              parameters: [text, { name: 'options', type: 'ParseOptions', hasQuestionToken: true }],
              returnType: typeIn(spec.typeName, 'number | bigint'),
            },
          ],
    parameters: [text, { name: 'options', type: 'ParseOptions', hasQuestionToken: true }],
    returnType: spec.typeName,
    statements: (w) => {
      w.writeLine('const ctx: ParseContext = contextOf(options);');
      w.writeLine(`const r = new BinaryRecords(text, ctx.file, ${q(spec.id)}, ${size}, ${order});`);
      if (fields.some((f, i) => l.types[i] !== null && readExpr(f, l.types[i]!, 'at').includes('big ?'))) w.writeLine('const big = options?.bigint === true;');
      if (l.until) {
        const i = fields.findIndex((f) => f.name === l.until!.field);
        const what = `${fields[i]!.raw} = ${l.until.value}`;
        w.writeLine(`const n = r.rowsUntil(${offsets[i]}, ${CTYPE_BYTES[l.types[i]!]}, ${l.until.value}, ${q(what)});`);
      } else w.writeLine('const n = r.count;');
      w.writeLine(`const out = new Array<${row}>(n);`);
      w.write('for (let i = 0; i < n; i++) ').block(() => {
        w.writeLine(`const at = i * ${size};`);
        fields.forEach((f, i) => {
          const t = l.types[i]!;
          w.writeLine(`const v_${f.name} = ${t === null ? 'i' : readExpr(f, t, offsets[i] === 0 ? 'at' : `at + ${offsets[i]}`)};`);
        });
        // A decoding's field follows its number; a name is set only when one covers the number.
        const members = fields.flatMap((f) => [
          `${f.name}: v_${f.name}`,
          ...(f.decode && f.decode.kind !== 'names' ? [`${f.decode.name}: ${decodeExpr(f)}`] : []),
        ]);
        w.writeLine(`const o: ${row} = { ${members.join(', ')} };`);
        for (const f of fields) {
          const d = f.decode;
          if (d?.kind !== 'names') continue;
          w.writeLine(`const v_${d.name} = ${decodeExpr(f)};`);
          w.writeLine(`if (v_${d.name} !== undefined) o.${d.name} = v_${d.name};`);
        }
        w.writeLine('out[i] = o;');
      });
      w.writeLine('return out;');
    },
  });
}
