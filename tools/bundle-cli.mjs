/**
 * The last step of `npm run build`: the built CLI (dist/cli/main.js and what
 * it imports) bundled into dist/bin/, which bin/procspec.js runs.
 *
 * Why: the CLI loads every generated parser and model, some 700 modules, and
 * Node's ESM loader pays for each one (resolving, reading, linking): a start
 * of `procspec parse` took 0.62 s from the modules against 0.36 s from the
 * bundle on a 2-core machine. The commands loaded on demand (serve, new-spec)
 * stay chunks of their own (splitting), loaded only when run; one file with
 * them inlined started slower than the modules (0.94 s). The package's
 * dependencies stay imports. dist/bin/ is as deep as dist/cli/, so the paths
 * the code finds from its own URL (the package root for prebuilds/, the
 * generated docs, package.json) are the same from either. The library
 * (the package's exports) is the modules of dist/, as before.
 *
 * Plain Node (no tsx): prepack runs it where only the build's tools are.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const repo = join(import.meta.dirname, '..');
const out = join(repo, 'dist', 'bin');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [join(repo, 'dist', 'cli', 'main.js')],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
