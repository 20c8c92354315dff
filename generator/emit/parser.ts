/**
 * The parser printer: one pure function `(text, context) -> value` per spec,
 * made of calls to the scanner in runtime/core/scan.ts in the order the spec
 * describes. What the functions do is decided by the read plan
 * (plan/module.ts); this prints the module around it: imports, the exported
 * parse, pieces and pick functions, the plan's functions, the constructors
 * of its objects and its key tables. Strings reach the code only through
 * JSON.stringify (a quoted literal); names are checked identifiers.
 */
import { VariableDeclarationKind } from 'ts-morph';
import type { Statements } from './statements.js';
import type { SpecModel } from '../../runtime/model/model.js';
import { hasPick, hasPieces, piecesNameOf, pickNameOf, planModule } from '../plan/module.js';
import type { Shapes } from '../shapes.js';
import { args, Names, q } from './code.js';
import { emitBinaryParser } from './binary.js';
import { printBody } from './layouts.js';
import { printLocals, printTokens } from './records.js';

export { hasPick, hasPieces, piecesNameOf, pickNameOf };

export function emitParser(file: Statements, spec: SpecModel, shapes: Shapes, typesModule: string): void {
  if (spec.layout.kind === 'binary') {
    emitBinaryParser(file, spec, shapes, typesModule);
    return;
  }
  const plan = planModule(spec, shapes);
  const names = new Names();
  const top = plan.top;
  const builders = plan.builders;
  const keyTables = plan.keyTables;
  const usesVariants = plan.usesVariants;
  const typeNames = new Set<string>([...shapes.list.map((s) => s.name), ...shapes.aliases.map((a) => a.name)]);
  file.addImportDeclaration({ moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/core/scan.js`, namedImports: ['Scan'] });
  file.addImportDeclaration({
    moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/core/context.js`,
    namedImports: ['contextOf'],
  });
  file.addImportDeclaration({
    moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/core/context.js`,
    isTypeOnly: true,
    namedImports: ['ParseContext', 'ParseOptions'],
  });
  // A type with wide integers is imported as <Name>Of and used here as <Name>Of<number | bigint>: the code reads either.
  const generic = shapes.generic;
  const of = (name: string): string => (generic.has(name) ? `${name}Of` : name);
  file.addImportDeclaration({
    moduleSpecifier: typesModule,
    isTypeOnly: true,
    namedImports: [...typeNames].sort().map((n) => (generic.has(n) ? { name: n, alias: of(n) } : n)),
  });
  if (generic.size > 0) {
    file.addTypeAlias({ name: 'N', type: 'number | bigint', docs: ['A wide integer as the code reads it: a number, or with `bigint: true` a bigint.'] });
    for (const n of [...generic].sort()) file.addTypeAlias({ name: n, type: `${of(n)}<N>` });
  }
  const text = { name: 'text', type: 'string | Uint8Array' };
  /** Signatures by mode: the default gives numbers, `bigint: true` bigints, an option not known when compiled either. */
  const overloads = (
    params: { name: string; type: string }[],
    result: (n: string) => string,
    doc: string,
  ): { docs: string[]; parameters: { name: string; type: string; hasQuestionToken?: boolean }[]; returnType: string }[] =>
    generic.size === 0
      ? []
      : [
          {
            docs: [doc],
            parameters: [...params, { name: 'options', type: 'ParseOptions & { bigint?: false }', hasQuestionToken: true }],
            returnType: result('number'),
          },
          { docs: [doc], parameters: [...params, { name: 'options', type: 'ParseOptions & { bigint: true }' }], returnType: result('bigint') },
          { docs: [doc], parameters: [...params, { name: 'options', type: 'ParseOptions', hasQuestionToken: true }], returnType: result('number | bigint') },
        ];
  const compressed = spec.compressed;
  if (compressed !== undefined)
    file.addImportDeclaration({
      moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/core/compressed.js`,
      namedImports: ['textOfCompressed'],
    });
  const bytesDoc =
    compressed !== undefined
      ? ` The file holds it ${compressed}-compressed: bytes that are ${compressed} data (the file as read) are decompressed first, and text is read as it is.`
      : '';
  const parseDoc = `Parses the text of ${spec.paths[0]} (spec ${spec.id}).${bytesDoc} Throws ProcfsError with code "parse" when the text does not fit the spec.${generic.size > 0 ? ' With `bigint: true` its wide integers (counters and sizes) are bigints.' : ''}`;
  const typeIn = (t: string, n: string): string => (generic.has(t) ? `${of(t)}<${n}>` : t);
  file.addFunction({
    isExported: true,
    name: spec.parseName,
    docs: [parseDoc],
    overloads: overloads([text], (n) => typeIn(spec.typeName, n), parseDoc),
    parameters: [text, { name: 'options', type: 'ParseOptions', hasQuestionToken: true }],
    returnType: spec.typeName,
    statements: (w) => {
      w.writeLine('const ctx: ParseContext = contextOf(options);');
      const read = compressed !== undefined ? `textOfCompressed(text, ${q(compressed)}, ctx.file, ${q(spec.id)})` : 'text';
      w.writeLine(`const s: Scan = new Scan(${read}, ctx.file, ${q(spec.id)}, options?.bigint === true);`);
      // A link's target is read as it is (a path may end with a newline); a file of one line drops its final newline.
      const lines = spec.layout.kind === 'line' || (spec.layout.kind === 'variants' && spec.layout.variants.every((v) => v.shape.kind === 'line'));
      if (lines) w.writeLine(spec.link === true ? 's.wholeText();' : 's.wholeLine();');
      w.writeLine(`return ${top}(s, ctx, s.end);`);
    },
  });
  if (plan.pieces) {
    const p = plan.pieces;
    const result = p.result === 'spread' ? '({ ...p.h, rows: p.out })' : 'p.out';
    file.addImportDeclaration({ moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/core/pieces.js`, namedImports: [p.cut.fn] });
    file.addImportDeclaration({
      moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/core/pieces.js`,
      isTypeOnly: true,
      namedImports: ['Piece', 'Pieces'],
    });
    const members = [
      `lead: ${p.lead},`,
      `cut: (b, from, to) => ${p.cut.fn}(b, from, to${p.cut.args.length > 0 ? `, ${args(p.cut.args)}` : ''}),`,
      `first: (s, ctx) => ${p.layout}First(s, ctx, s.end),`,
      `next: (s, ctx, p) => ${p.layout}Rows(s, ctx, s.end, p.out${p.rowsUseHead ? ', p.h' : ''}),`,
      `done: (p) => ${result},`,
    ];
    file.addConstant({
      isExported: true,
      doc: `Reads the text of ${spec.paths[0]} a piece at a time, each piece ending where a record begins, with ${spec.parseName}'s result (see runtime/core/pieces.ts).`,
      name: piecesNameOf(spec),
      type: `Pieces<${spec.typeName}, Piece<${p.head}, ${p.rows}>>`,
      initializer: `{\n${members.map((m) => `  ${m}\n`).join('')}}`,
    });
  }
  if (plan.pick) {
    // A pick: the same reading, keeping only the fields asked for (pid/stat for a process table needs a third of them).
    const pick = plan.pick;
    const type = pick.type;
    const pickName = pick.name;
    const pickDoc = `Reads the text of ${spec.paths[0]} as ${spec.parseName} does, but returns only \`fields\`: the others before the last of them are stepped over, not converted, and the text after it is not read. Pass the same array each time: its field numbers are computed once.`;
    const count = pick.fieldNames.length;
    file.addEnum({
      isConst: true,
      name: 'Token',
      docs: [`The number of each field's token, for ${pickName}: where Scan.want's array says whether it is asked for.`],
      members: pick.fieldNames.map((n, i) => ({ name: n, value: i })),
    });
    file.addEnum({
      isConst: true,
      name: 'Want',
      docs: [
        "Where Scan.want's array holds, after a flag per token, the length of the run of tokens stepped over from each token, and then the number of the last token asked for.",
      ],
      members: [
        { name: 'runs', value: count },
        { name: 'last', value: 2 * count },
      ],
    });
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Token number of each field, for ${pickName}.`],
      declarations: [{ name: 'FIELD_INDEX', initializer: `new Map<string, number>([${pick.fieldNames.map((n) => `[${q(n)}, Token.${n}]`).join(', ')}])` }],
    });
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Which tokens ${pickName} may step over in runs (see Scan.want).`],
      declarations: [{ name: 'PLAIN_TOKENS', initializer: `[${pick.plain.join(', ')}]` }],
    });
    file.addFunction({
      isExported: true,
      name: pickName,
      overloads: overloads([text, { name: 'fields', type: 'readonly K[]' }], (n) => `Pick<${typeIn(type, n)}, K>`, pickDoc).map((o) => ({
        ...o,
        typeParameters: [{ name: 'K', constraint: `keyof ${type}` }],
      })),
      typeParameters: [{ name: 'K', constraint: `keyof ${type}` }],
      docs: [pickDoc],
      parameters: [
        { name: 'text', type: 'string | Uint8Array' },
        { name: 'fields', type: 'readonly K[]' },
        { name: 'options', type: 'ParseOptions', hasQuestionToken: true },
      ],
      returnType: `Pick<${type}, K>`,
      statements: (w) => {
        w.writeLine('const want = Scan.want(fields, FIELD_INDEX, PLAIN_TOKENS);');
        w.writeLine('const last = want[Want.last]!;');
        w.writeLine('const ctx: ParseContext = contextOf(options);');
        const read = compressed !== undefined ? `textOfCompressed(text, ${q(compressed)}, ctx.file, ${q(spec.id)})` : 'text';
        w.writeLine(`const s: Scan = new Scan(${read}, ctx.file, ${q(spec.id)}, options?.bigint === true);`);
        w.writeLine('s.wholeLine();');
        printLocals(w, pick.locals);
        w.write('tokens: ').block(() => printTokens(w, names, pick.tokens));
        w.writeLine('const o = {} as Record<string, unknown>;');
        for (const n of pick.fieldNames) w.writeLine(`if (want[Token.${n}] === 1 && v_${n} !== undefined) o.${n} = v_${n};`);
        w.writeLine(`return o as Pick<${type}, K>;`);
      },
    });
  }
  for (const f of plan.fns) {
    file.addFunction({
      name: f.name,
      parameters: f.params.map((p) => ({ name: p.name, type: p.type })),
      returnType: f.returnType,
      statements: (w) => printBody(w, names, f.body),
    });
  }
  // Declared after the functions that use them (read only when a parser runs).
  for (const b of builders) {
    file.addFunction({
      name: b.name,
      docs: [`The constructor behind ${b.name}New: the fields in the order of the type.`],
      parameters: [{ name: 'this', type: b.type }, ...b.fields.map((f) => ({ name: `v_${f.name}`, type: `${b.type}[${q(f.name)}]` }))],
      returnType: 'void',
      statements: (w) => {
        for (const f of b.fields) w.writeLine(f.optional ? `if (v_${f.name} !== undefined) this.${f.name} = v_${f.name};` : `this.${f.name} = v_${f.name};`);
      },
    });
    file.addStatements(`${b.name}.prototype = Object.prototype;`);
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `Makes a plain ${b.type} (prototype Object.prototype) without the optional fields that are undefined: a constructor, so that V8 keeps every field inside the object.`,
      ],
      declarations: [{ name: `${b.name}New`, initializer: `${b.name} as unknown as new (...values: Parameters<typeof ${b.name}>) => ${b.type}` }],
    });
  }
  for (const t of keyTables) {
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: ['Keys of a keyed layout in the order files print them.'],
      declarations: [{ name: `${t.name}_ORDER`, type: 'readonly string[]', initializer: `[${t.keys.map((k) => q(k)).join(', ')}]` }],
    });
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: ['The same keys numbered, for the switch that reads their values.'],
      declarations: [{ name: t.name, initializer: `new Map<string, number>(${t.name}_ORDER.map((k, i) => [k, i]))` }],
    });
    if (t.bytes) {
      file.addVariableStatement({
        declarationKind: VariableDeclarationKind.Const,
        docs: ['Their bytes, for Scan.keyIs.'],
        declarations: [{ name: `${t.name}_BYTES`, initializer: `Scan.keyBytes(${t.name}_ORDER)` }],
      });
    }
    if (t.numbers) {
      file.addVariableStatement({
        declarationKind: VariableDeclarationKind.Const,
        docs: ['For each key whose value is an unsigned number alone on its line: the factor to bytes (0: another kind of value), for Scan.keyedNumber.'],
        declarations: [{ name: `${t.name}_FACTOR`, initializer: `[${t.numbers.map((n) => n.factor).join(', ')}]` }],
      });
      file.addVariableStatement({
        declarationKind: VariableDeclarationKind.Const,
        docs: ['And the unit printed after it (empty: none).'],
        declarations: [{ name: `${t.name}_SUFFIX`, initializer: `[${t.numbers.map((n) => q(n.suffix)).join(', ')}]` }],
      });
    }
  }
  // ts-morph puts these after the other imports.
  if (usesVariants) {
    file.addImportDeclaration({
      moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/core/errors.js`,
      isTypeOnly: true,
      namedImports: ['ProcfsError'],
    });
    file.addImportDeclaration({
      moduleSpecifier: `${'../'.repeat(spec.id.split('/').length)}../runtime/core/scan.js`,
      isTypeOnly: true,
      namedImports: ['Miss'],
    });
  }
}
