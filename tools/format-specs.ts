/**
 * `npm run format:specs`: writes every spec under specs/ (or the files
 * given) the one way specs are written (generator/format.ts).
 * `--check`: changes nothing, lists the files written otherwise and
 * exits 1 when there are any (`npm test` runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSpec } from '../generator/format.js';
import { findSpecFiles } from '../generator/generate.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

function main(args: string[]): number {
  const check = args.includes('--check');
  const given = args.filter((a) => a !== '--check');
  const files = given.length > 0 ? given.map((f) => resolve(f)) : findSpecFiles(join(repo, 'specs'));
  const differ: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let formatted: string;
    try {
      formatted = formatSpec(text);
    } catch (err) {
      process.stderr.write(`${relative(repo, file)}: ${(err as Error).message}\n`);
      return 2;
    }
    if (formatted === text) continue;
    differ.push(relative(repo, file));
    if (!check) writeFileSync(file, formatted);
  }
  if (check) {
    if (differ.length > 0) {
      process.stderr.write(`specs not in the one spec style (run \`npm run format:specs\`):\n  ${differ.join('\n  ')}\n`);
      return 1;
    }
    process.stdout.write(`specs are formatted (${files.length} files)\n`);
    return 0;
  }
  process.stdout.write(`formatted ${differ.length} of ${files.length} specs\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
