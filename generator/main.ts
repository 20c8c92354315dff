/**
 * `npm run generate`: regenerates generated/ from specs/, with the keyed
 * fields that a producer's file under producers/ leaves out made optional
 * (passes/presence.ts).
 * `--check`: generates in memory and fails when generated/ differs (stale,
 * edited by hand, a file missing or left over).
 * `--min-kernel X`: generates for kernels X and later (see min-kernel.ts);
 * the committed generated/ targets every kernel.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, type Output } from './generate.js';
import { forMinKernel } from './min-kernel.js';
import { loadProjectSpecs, staleFiles } from './project.js';
import { SpecError } from './spec-error.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(repo, 'generated');

function main(): number {
  const check = process.argv.includes('--check');
  let output: Output;
  try {
    const specs = loadProjectSpecs(repo);
    const at = process.argv.indexOf('--min-kernel');
    if (at >= 0) specs.read = forMinKernel(specs.read, process.argv[at + 1] ?? '');
    output = generate(specs);
  } catch (err) {
    if (err instanceof SpecError) {
      process.stderr.write(`spec error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof Error && err.message.startsWith('--min-kernel')) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (check) {
    const problems = staleFiles(output, outDir);
    if (problems.length > 0) {
      process.stderr.write(`generated/ is stale (run \`npm run generate\`):\n  ${problems.join('\n  ')}\n`);
      return 1;
    }
    process.stdout.write(`generated/ is fresh (${output.size} files)\n`);
    return 0;
  }
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, text] of output) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), text);
  }
  process.stdout.write(`wrote ${output.size} files to generated/\n`);
  return 0;
}

process.exitCode = main();
