/**
 * Rewrites a module's JavaScript (what tsx made of the TypeScript) so that
 * it counts its own work into the meter of meter.ts, by kind of syntax, not
 * by function: every loop body first adds one to the count, and every call
 * and `new` goes through the meter, which calls the function and adds what
 * it cost (see meter.ts: one for a function of an instrumented module, whose
 * own loops and calls count the rest; for a builtin, what it walks).
 *
 * Left as they are: calls in optional chains (`a?.b()`, `f?.()`; rewriting
 * them would evaluate their arguments where the chain stops), `super` calls,
 * `import()` and tagged templates. None of them is in the parsers' path.
 */
import ts from 'typescript';
import { MARK } from './meter.js';

/** Name the rewritten module imports the meter under. */
const METER = '__workMeter';

/** True for an expression read twice to no other effect: a name, `this`, a literal, or a property of one. */
function readOnly(e: ts.Expression): boolean {
  if (ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword || ts.isStringLiteral(e) || ts.isNumericLiteral(e)) return true;
  if (ts.isPropertyAccessExpression(e)) return !ts.isPrivateIdentifier(e.name) && !(e.flags & ts.NodeFlags.OptionalChain) && readOnly(e.expression);
  if (ts.isElementAccessExpression(e)) return !(e.flags & ts.NodeFlags.OptionalChain) && readOnly(e.expression) && readOnly(e.argumentExpression);
  return false;
}

/**
 * Names that can only mean a function declared at the top of this module:
 * declared once in the whole module (no other binding anywhere can shadow
 * them) and never assigned.
 */
function ownFunctions(root: ts.SourceFile): Set<string> {
  const declared = new Map<string, number>();
  const assigned = new Set<string>();
  const names = (b: ts.Node): void => {
    if (ts.isIdentifier(b)) declared.set(b.text, (declared.get(b.text) ?? 0) + 1);
    else b.forEachChild(names);
  };
  const targets = (e: ts.Node): void => {
    if (ts.isIdentifier(e)) assigned.add(e.text);
    else e.forEachChild(targets);
  };
  const walk = (node: ts.Node): void => {
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isBindingElement(node)) && !ts.isBindingElement(node.parent)) names(node.name);
    else if (
      (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isImportSpecifier(node) || ts.isNamespaceImport(node) || ts.isImportClause(node)) &&
      'name' in node &&
      node.name
    )
      names(node.name as ts.Node);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment)
      targets(node.left);
    if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    )
      targets(node.operand);
    if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) targets(node.initializer);
    node.forEachChild(walk);
  };
  walk(root);
  const own = new Set<string>();
  for (const st of root.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && declared.get(st.name.text) === 1 && !assigned.has(st.name.text)) own.add(st.name.text);
  }
  return own;
}

export function instrument(js: string, meterUrl: string, fileName = 'module.js'): string {
  const source = ts.createSourceFile(fileName, js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const result = ts.transform(source, [(context) => (root) => rewrite(root, context, meterUrl)]);
  const out = ts.createPrinter({ removeComments: false }).printFile(result.transformed[0]!);
  result.dispose();
  return out;
}

function rewrite(root: ts.SourceFile, context: ts.TransformationContext, meterUrl: string): ts.SourceFile {
  const f = context.factory;
  const meter = (name: string): ts.Expression => f.createPropertyAccessExpression(f.createIdentifier(METER), name);
  const tick = (): ts.Statement => f.createExpressionStatement(f.createPostfixIncrement(meter('n')));
  /** A loop body that counts one before it runs. */
  const counted = (body: ts.Statement): ts.Block => f.createBlock([tick(), ...(ts.isBlock(body) ? body.statements : [body])], true);
  const mark = <T extends ts.Node>(node: T): T => ts.addSyntheticLeadingComment(node, ts.SyntaxKind.MultiLineCommentTrivia, MARK, false);

  const own = ownFunctions(root);

  const visit = (node: ts.Node): ts.Node => {
    const n = ts.visitEachChild(node, visit, context);
    if (ts.isForStatement(n)) return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, counted(n.statement));
    if (ts.isForInStatement(n)) return f.updateForInStatement(n, n.initializer, n.expression, counted(n.statement));
    if (ts.isForOfStatement(n)) return f.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, counted(n.statement));
    if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, counted(n.statement));
    if (ts.isDoStatement(n)) return f.updateDoStatement(n, counted(n.statement), n.expression);
    // A function's mark: a directive opening its body (a string that does nothing), or a comment before the expression of an arrow.
    if (ts.isBlock(n) && ts.isFunctionLike(node.parent)) return f.updateBlock(n, [f.createExpressionStatement(f.createStringLiteral(MARK)), ...n.statements]);
    if (ts.isArrowFunction(n) && !ts.isBlock(n.body)) mark(n.body);
    if (ts.isClassLike(n)) {
      const at = n.name ?? n.heritageClauses?.[0] ?? n.members[0];
      if (at) ts.addSyntheticTrailingComment(at, ts.SyntaxKind.MultiLineCommentTrivia, MARK, false);
    }
    if (ts.isNewExpression(n)) return f.createCallExpression(meter('construct'), undefined, [n.expression, ...(n.arguments ?? [])]);
    if (ts.isCallExpression(n) && !(n.flags & ts.NodeFlags.OptionalChain)) {
      let callee: ts.Expression = n.expression;
      while (ts.isParenthesizedExpression(callee)) callee = callee.expression;
      if (callee.kind === ts.SyntaxKind.SuperKeyword || callee.kind === ts.SyntaxKind.ImportKeyword) return n;
      // A function of this module, known by its name: counted here, without the meter's look-up of what it is.
      if (ts.isIdentifier(callee) && own.has(callee.text)) return f.createParenthesizedExpression(f.createComma(f.createPostfixIncrement(meter('n')), n));
      let self: ts.Expression = f.createVoidZero();
      if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
        if (callee.expression.kind === ts.SyntaxKind.SuperKeyword || (ts.isPropertyAccessExpression(callee) && ts.isPrivateIdentifier(callee.name))) return n;
        // The receiver is read twice (for the function, and as `this`) when reading it has no effect; else the meter reads the method.
        if (!readOnly(callee.expression)) {
          const key = ts.isPropertyAccessExpression(callee) ? f.createStringLiteral(callee.name.text) : callee.argumentExpression;
          return f.createCallExpression(meter('method'), undefined, [callee.expression, key, ...n.arguments]);
        }
        self = callee.expression;
      }
      if (n.arguments.length <= 3 && !n.arguments.some(ts.isSpreadElement))
        return f.createCallExpression(meter(`c${n.arguments.length}`), undefined, [callee, self, ...n.arguments]);
      return f.createCallExpression(meter('apply'), undefined, [callee, self, f.createArrayLiteralExpression(n.arguments)]);
    }
    return n;
  };

  const body = ts.visitNodes(root.statements, visit, ts.isStatement);
  const use = f.createImportDeclaration(
    undefined,
    f.createImportClause(false, undefined, f.createNamedImports([f.createImportSpecifier(false, f.createIdentifier('meter'), f.createIdentifier(METER))])),
    f.createStringLiteral(meterUrl),
  );
  return f.updateSourceFile(root, [use, ...body]);
}
