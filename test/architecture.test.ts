/**
 * What the import rules (.dependency-cruiser.cjs, `npm run layers`) cannot
 * check: the package entry only re-exports, and hand-written files stay
 * short enough to hold one job (docs/architecture.md).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');

/** Most lines of a hand-written source file. */
const MAX_LINES = 600;

/** Hand-written files allowed to be longer, and why. */
const LONGER: Record<string, string> = {};

describe('architecture', () => {
  it('runtime/index.ts holds only export statements', () => {
    const file = 'runtime/index.ts';
    const src = ts.createSourceFile(file, readFileSync(join(repo, file), 'utf8'), ts.ScriptTarget.Latest);
    const others = src.statements.filter((s) => !ts.isExportDeclaration(s)).map((s) => s.getText(src).split('\n')[0]);
    expect(others).toEqual([]);
    expect(src.statements.length).toBeGreaterThan(5);
  });

  it(`no hand-written source file is over ${MAX_LINES} lines`, () => {
    const files = execFileSync('git', ['ls-files', '*.ts', '*.c', '*.h', '*.sh', '*.cjs'], { cwd: repo, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '' && !f.startsWith('generated/'));
    expect(files.length).toBeGreaterThan(100);
    const long = files
      .map((f) => ({ f, lines: readFileSync(join(repo, f), 'utf8').split('\n').length - 1 }))
      .filter(({ f, lines }) => lines > MAX_LINES && LONGER[f] === undefined)
      .map(({ f, lines }) => `${f}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
