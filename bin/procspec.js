#!/usr/bin/env node
// The procspec command, run from the built copy in dist/ (built by `npm start` and `npm test`,
// by `prepack` in the published package, or by `npm run build`): plain Node, no tsx.
//
// In a checkout of the sources (cli/ and generator/ beside bin/, tsx installed by `npm ci`) a
// command runs from the sources through tsx when dist/ is not built, and the authoring commands
// (new-spec), which load the generator, always do: the generator is TypeScript and is not in
// the published package, where they say where to run them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const AUTHORING = new Set(['new-spec']);
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
const at = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const checkout = existsSync(at('../cli/run.ts')) && existsSync(at('../generator/generate.ts'));

if (command !== undefined && AUTHORING.has(command)) {
  if (!checkout) {
    process.stderr.write(
      `procspec ${command}: this command drafts and checks specs with procspec's generator, which is not installed with the package: ` +
        `run it in a clone of the procspec repository, after \`npm ci\` there (npx procspec ${command} ...)\n`,
    );
    process.exit(1);
  }
  process.exit(fromSources(`procspec ${command}: runs from the sources with tsx, a development dependency: run \`npm ci\` in ${at('..').replace(/\/$/, '')}`));
}

let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
  if (checkout) process.exit(fromSources('procspec: dist/ is not built: run `npm run build` in the procspec folder'));
  process.stderr.write('procspec: dist/ is not built: run `npm run build` in the procspec folder\n');
  process.exit(1);
}

process.exitCode = await main(process.argv);

/** Runs the command from the sources with tsx: its exit status, or 1 after `noTsx` when tsx is not installed. */
function fromSources(noTsx) {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write(`${noTsx}\n`);
    return 1;
  }
  const r = spawnSync(process.execPath, ['--import', tsx, at('../cli/run.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.error !== undefined) throw r.error;
  if (r.signal !== null) process.kill(process.pid, r.signal);
  return r.status ?? 1;
}
