#!/usr/bin/env node
// The procspec command, run from the built copy in dist/ (built by `npm start` and `npm test`,
// by `prepack` in the published package, or by `npm run build`): plain Node, no tsx.
//
// Authoring commands (new-spec) load the generator, which is TypeScript and is not in the
// published package: in a checkout of the sources (generator/ beside bin/, tsx installed by
// `npm ci`) they run from the sources through tsx, dist/ built or not; in an installed package
// they say where to run them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const AUTHORING = new Set(['new-spec']);
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));

if (command !== undefined && AUTHORING.has(command)) process.exit(fromSources(command));

let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
  process.stderr.write('procspec: dist/ is not built: run `npm run build` in the procspec folder\n');
  process.exit(1);
}

process.exitCode = await main(process.argv);

/** Runs `procspec COMMAND ...` from the sources with tsx; its exit status, or 1 with a message when there are no sources here. */
function fromSources(name) {
  const at = (rel) => fileURLToPath(new URL(rel, import.meta.url));
  if (!existsSync(at('../generator/generate.ts')) || !existsSync(at('../cli/run.ts'))) {
    process.stderr.write(
      `procspec ${name}: this command drafts and checks specs with procspec's generator, which is not installed with the package: ` +
        `run it in a clone of the procspec repository, after \`npm ci\` there (npx procspec ${name} ...)\n`,
    );
    return 1;
  }
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write(`procspec ${name}: runs from the sources with tsx, a development dependency: run \`npm ci\` in ${at('..').replace(/\/$/, '')}\n`);
    return 1;
  }
  const r = spawnSync(process.execPath, ['--import', tsx, at('../cli/run.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.error !== undefined) throw r.error;
  if (r.signal !== null) process.kill(process.pid, r.signal);
  return r.status ?? 1;
}
