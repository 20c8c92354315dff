/**
 * The coverage table of docs/coverage.md, computed from the specs and the fixtures:
 * one row per spec with its paths, whether it is read once, sampled or
 * written, and the kernel versions its fixtures come from. `npx tsx
 * tools/coverage.ts --write` puts it between the page's coverage markers;
 * test/coverage.test.ts fails when the table is stale.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registry, writers } from '../generated/index.js';
import { isPerProcess } from '../runtime/model/paths.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const START = '<!-- coverage:start (npx tsx tools/coverage.ts --write) -->';
export const END = '<!-- coverage:end -->';
/** The page that holds the table, from the repository's root. */
export const COVERAGE_PAGE = 'docs/coverage.md';

/** Kernel versions named by a spec's fixtures (`4.19-x86_64-….txt` -> 4.19), oldest first. */
function fixtureKernels(id: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(repo, 'test', 'fixtures', id));
  } catch {
    return [];
  }
  const versions = new Set(
    names
      .filter((n) => n.endsWith('.txt'))
      .map((n) => /^([0-9]+\.[0-9]+(?:\.[0-9]+)?)/.exec(n)?.[1])
      .filter((v): v is string => v !== undefined),
  );
  return [...versions].sort((a, b) => {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  });
}

const code = (s: string): string => `\`${s.replace(/\|/g, '\\|')}\``;

export function coverageTable(): string {
  const rows = [
    ...registry.map((e) => ({
      id: e.id,
      paths: e.model.paths,
      access: e.model.sampling === 'once' ? (isPerProcess(e.model) ? 'read once per process' : 'read once') : 'sampled',
    })),
    ...writers.map((e) => ({ id: e.id, paths: e.model.paths, access: 'write-only' })),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  const lines = [
    `${rows.length} specs. Every spec is also checked against the live /proc of the machine running the tests (where the file exists there) and, in CI, against the corpus of files from other machines.`,
    '',
    '| file | spec | kernel versions of its fixtures | access |',
    '|---|---|---|---|',
  ];
  for (const r of rows) {
    const kernels = fixtureKernels(r.id);
    lines.push(
      `| ${r.paths.map(code).join('<br>')} | [${r.id}](../generated/docs/${r.id}.md) | ${kernels.length > 0 ? kernels.join(', ') : 'live only'} | ${r.access} |`,
    );
  }
  return lines.join('\n');
}

/** The page with its coverage section replaced. */
export function withCoverage(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${COVERAGE_PAGE} has no coverage markers`);
  return `${readme.slice(0, a + START.length)}\n${coverageTable()}\n${readme.slice(b)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = join(repo, COVERAGE_PAGE);
  const next = withCoverage(readFileSync(file, 'utf8'));
  if (process.argv.includes('--write')) writeFileSync(file, next);
  else process.stdout.write(`${coverageTable()}\n`);
}
