/**
 * For spec authors: `npx tsx tools/try-spec.ts specs/proc/x.yaml FILE...`
 * checks one spec, generates its parser into .try-PID/ (never into generated/),
 * and prints what it makes of each FILE as JSON (bigints as decimal strings),
 * or the parse error.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkSpec } from '../generator/check.js';
import { generate } from '../generator/generate.js';
import { loadSpecFile } from '../generator/load.js';
import { specIdOf } from '../generator/names.js';
import { SpecError } from '../generator/spec-error.js';
import { contextOf } from '../runtime/context.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const [specFile, ...files] = process.argv.slice(2);
if (!specFile) {
  process.stderr.write('usage: tsx tools/try-spec.ts SPEC.yaml [FILE...]\n');
  process.exit(2);
}
const abs = resolve(specFile);
let spec;
try {
  spec = checkSpec(loadSpecFile(abs, relative(repo, abs)), specIdOf(relative(join(repo, 'specs'), abs)));
} catch (err) {
  if (err instanceof SpecError) {
    process.stderr.write(`spec error: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const out = generate([spec]);
const dir = join(repo, `.try-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
for (const [p, text] of out) {
  mkdirSync(dirname(join(dir, p)), { recursive: true });
  writeFileSync(join(dir, p), text);
}
const mod = (await import(pathToFileURL(join(dir, 'parsers', `${spec.id}.ts`)).href)) as Record<string, (t: string, c: unknown) => unknown>;
const parse = mod[spec.parseName]!;
let failed = 0;
for (const f of files) {
  try {
    const v = parse(readFileSync(f, 'utf8'), contextOf({ file: f }));
    process.stdout.write(`${f}:\n${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x), 2)}\n`);
  } catch (err) {
    failed++;
    process.stdout.write(`${f}: ${String(err)}\n`);
  }
}
rmSync(dir, { recursive: true, force: true });
process.exit(failed > 0 ? 1 : 0);
