/**
 * The coverage table of docs/coverage.md, computed from the specs and the fixtures:
 * one row per spec with its paths, whether it is read once, sampled or
 * written, and the kernel versions of its fixtures, captured from a machine
 * or written from a producer's source. `npx tsx
 * tools/coverage.ts --write` puts it between the page's coverage markers;
 * test/coverage.test.ts fails when the table is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registry, writers } from '../generated/index.js';
import { isPerProcess } from '../runtime/model/paths.js';
import { type Fixture, findFixtures, type Origin } from '../test/support/fixtures.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const START = '<!-- coverage:start (npx tsx tools/coverage.ts --write) -->';
export const END = '<!-- coverage:end -->';
/** The page that holds the table, from the repository's root. */
export const COVERAGE_PAGE = 'docs/coverage.md';

/** Versions in order: kernels oldest first (2.6.18 < 4.19 < 6.1), then a file's own format versions (v16 < v17). */
function byVersion(a: string, b: string): number {
  if (a.startsWith('v') !== b.startsWith('v')) return a.startsWith('v') ? 1 : -1;
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The versions a spec's fixtures of one origin name, oldest first: `2.6.32, 6.1`, `format v16`, or `–`. */
function versionsOf(fixtures: readonly Fixture[], origin: Origin): string {
  const versions = [...new Set(fixtures.filter((f) => f.origin === origin).map((f) => f.version))].sort(byVersion);
  return versions.length > 0 ? versions.map((v) => (v.startsWith('v') ? `format ${v}` : v)).join(', ') : '–';
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
  const fixtures = findFixtures(registry);
  const captured = fixtures.filter((f) => f.origin === 'captured').length;
  const without = rows.filter((r) => !fixtures.some((f) => f.spec.id === r.id)).length;
  const lines = [
    `${rows.length} specs and ${fixtures.length} fixtures (test/fixtures/): ${captured} captured from a machine, the bytes it printed; ${fixtures.length - captured} written from the printing code in the kernel's source (or another producer's): bytes no machine printed. Each fixture folder's PROVENANCE.md says how each file was made. The two fixture columns give the kernel versions of each kind; ${without} specs have no fixture.`,
    'Every spec is also checked against the live file of the machine running the tests (where it exists there), against files rendered from the spec, and, in CI, against the corpus of files from other machines.',
    '',
    '| file | spec | fixtures captured (kernel) | fixtures written from source (kernel) | access |',
    '|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const own = fixtures.filter((f) => f.spec.id === r.id);
    lines.push(
      `| ${r.paths.map(code).join('<br>')} | [${r.id}](../generated/docs/${r.id}.md) | ${versionsOf(own, 'captured')} | ${versionsOf(own, 'written')} | ${r.access} |`,
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
