/**
 * For spec authors: `npx tsx tools/try-spec.ts specs/proc/x.yaml FILE...`
 * checks one spec, generates its parser into .try-PID-N/ (never into generated/),
 * and prints what it makes of each FILE as JSON (bigints as decimal strings),
 * or the parse error.
 *
 * As a module, `loadSpecParser` gives the parser of any checked spec the
 * same way (`procspec new-spec` uses it to parse a sample with its draft).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkSpec } from '../generator/check.js';
import { generate } from '../generator/generate.js';
import { loadSpecFile } from '../generator/load.js';
import { specIdOf } from '../generator/names.js';
import { SpecError } from '../generator/spec-error.js';
import { contextOf, type ParseContext } from '../runtime/core/context.js';
import { toJson } from '../runtime/core/json.js';
import type { SpecModel } from '../runtime/model/model.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A generated parser: the text of a file -> its value; throws ProcfsError when the text does not fit the spec. */
export type SpecParser = (text: string, ctx: ParseContext) => unknown;

/** Parsers loaded so far by this process: each gets its own scratch folder (an imported module is cached by its path). */
let loaded = 0;

/**
 * Generates the parser of a checked spec into a scratch folder at the top of
 * the repository (.try-PID-N/, where the generated imports of runtime/
 * resolve), imports it, and removes the folder. The parser is TypeScript:
 * the process must run under tsx.
 */
export async function loadSpecParser(spec: SpecModel): Promise<SpecParser> {
  const dir = join(repo, `.try-${process.pid}-${loaded++}`);
  rmSync(dir, { recursive: true, force: true });
  try {
    for (const [p, text] of generate([spec])) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    const mod = (await import(pathToFileURL(join(dir, 'parsers', `${spec.id}.ts`)).href)) as Record<string, SpecParser>;
    return mod[spec.parseName]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The command: check SPEC, then parse each FILE with it. Exit code 0, 1 when a file does not parse, 2 for a bad spec or usage. */
async function main(args: string[]): Promise<number> {
  const [specFile, ...files] = args;
  if (!specFile) {
    process.stderr.write('usage: tsx tools/try-spec.ts SPEC.yaml [FILE...]\n');
    return 2;
  }
  const abs = resolve(specFile);
  let spec: SpecModel;
  try {
    spec = checkSpec(loadSpecFile(abs, relative(repo, abs)), specIdOf(relative(join(repo, 'specs'), abs)));
  } catch (err) {
    if (err instanceof SpecError) {
      process.stderr.write(`spec error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const parse = await loadSpecParser(spec);
  let failed = 0;
  for (const f of files) {
    try {
      const v = parse(readFileSync(f, 'utf8'), contextOf({ file: f }));
      process.stdout.write(`${f}:\n${toJson(v)}\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`${f}: ${String(err)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exit(await main(process.argv.slice(2)));
}
