/**
 * `procspec docs [SPEC]`: the generated documentation, as markdown: the
 * index of every spec, or the page of one (its fields, their types, units,
 * counter or gauge, and the kernels that print them), named as every command
 * names a spec (cli/resolve-spec.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registry, writers } from '../runtime/index.js';
import { resolveSpec } from './resolve-spec.js';
import { UsageError } from './usage.js';

/** generated/docs, from the sources (cli/) or from the built package (dist/cli/). */
function docsFolder(): string | undefined {
  for (const rel of ['../generated/docs/', '../../generated/docs/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}README.md`)) return dir;
  }
  return undefined;
}

export function docsCommand(spec: string | undefined): number {
  const dir = docsFolder();
  if (dir === undefined) {
    process.stderr.write('procspec docs: the generated docs folder is not installed with this copy\n');
    return 1;
  }
  if (spec === undefined) {
    process.stdout.write(readFileSync(`${dir}README.md`, 'utf8'));
    return 0;
  }
  let id: string;
  try {
    id = resolveSpec(spec, [...registry, ...writers]).entry.id;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`procspec docs: ${err.message}\n`);
    return 2;
  }
  process.stdout.write(readFileSync(`${dir}${id}.md`, 'utf8'));
  return 0;
}
