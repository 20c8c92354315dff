/**
 * The statements of one generated file, gathered before ts-morph sees them.
 * ts-morph parses a file again after every insertion, so emitting a
 * parser's functions and constants one call at a time made the generator
 * spend most of its time parsing: here they are kept in order and written
 * with one call, the imports first (where ts-morph puts an import whatever
 * the order it was added in).
 */
import {
  type EnumDeclarationStructure,
  type ExportDeclarationStructure,
  type FunctionDeclarationStructure,
  type ImportDeclarationStructure,
  type InterfaceDeclarationStructure,
  type OptionalKind,
  type SourceFile,
  type StatementStructures,
  StructureKind,
  type TypeAliasDeclarationStructure,
  type VariableStatementStructure,
  type WriterFunction,
} from 'ts-morph';

export class Statements {
  private readonly imports: ImportDeclarationStructure[] = [];
  private readonly rest: (string | WriterFunction | StatementStructures)[] = [];

  addImportDeclaration(s: OptionalKind<ImportDeclarationStructure>): void {
    this.imports.push({ ...s, kind: StructureKind.ImportDeclaration });
  }

  addFunction(s: OptionalKind<FunctionDeclarationStructure>): void {
    this.rest.push({ ...s, kind: StructureKind.Function });
  }

  addVariableStatement(s: OptionalKind<VariableStatementStructure>): void {
    this.rest.push({ ...s, kind: StructureKind.VariableStatement });
  }

  addTypeAlias(s: OptionalKind<TypeAliasDeclarationStructure>): void {
    this.rest.push({ ...s, kind: StructureKind.TypeAlias });
  }

  addEnum(s: OptionalKind<EnumDeclarationStructure>): void {
    this.rest.push({ ...s, kind: StructureKind.Enum });
  }

  addInterface(s: OptionalKind<InterfaceDeclarationStructure>): void {
    this.rest.push({ ...s, kind: StructureKind.Interface });
  }

  addExportDeclaration(s: OptionalKind<ExportDeclarationStructure>): void {
    this.rest.push({ ...s, kind: StructureKind.ExportDeclaration });
  }

  /**
   * A constant whose initializer spans lines (a model, an object of
   * functions), written as text: ts-morph indents every line after the
   * first of a declaration's initializer one level more, which only its
   * formatter (the slowest part of a run) undid.
   */
  addConstant(c: { isExported?: boolean; doc: string; name: string; type?: string; initializer: string }): void {
    const type = c.type === undefined ? '' : `: ${c.type}`;
    this.rest.push(`/** ${c.doc} */\n${c.isExported === true ? 'export ' : ''}const ${c.name}${type} = ${c.initializer};`);
  }

  /** Statements given as their text, or written by a function. */
  addStatements(text: string | WriterFunction): void {
    this.rest.push(text);
  }

  /** Writes the statements into `file` with one insertion, the imports first, then a blank line after them. */
  writeTo(file: SourceFile): void {
    file.addStatements([...this.imports, ...this.rest]);
    const last = file.getImportDeclarations().at(-1);
    if (last !== undefined && this.rest.length > 0 && !file.getFullText().startsWith('\n\n', last.getEnd())) file.insertText(last.getEnd(), '\n');
  }
}
