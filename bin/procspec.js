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

/**
 * V8 flags `procspec serve` runs under. Between scrapes the exporter idles for seconds, and with
 * V8's defaults that idle time is spent shrinking the heap (the memory reducer) and ageing
 * compiled bytecode away (bytecode flushing), so the next scrape first rebuilds both: at a
 * scrape every 4 s that tripled the CPU per scrape (docs/exporter.md, "Measured"). Without the
 * memory reducer the heap grew to several times what is live before a full GC; a growth of
 * at most half of it keeps a third less resident for the same CPU. A scrape allocates little
 * next to what an idle second allocates nothing, so V8 shrank the young generation between
 * scrapes at Prometheus's pace, and then each scrape faulted its pages in again and every second
 * or third one paid a scavenge: semi-spaces of a fixed 16 MiB (V8's largest by default) cost
 * 20-30% less CPU a scrape 1 s apart for some 15 MiB more resident. The flags only take effect
 * on node's command line, not when set from inside the process, so serve is started again as
 * a child process with them. A command line that already names any of them, in any form, is
 * left as it is: that is the way to run serve under V8's defaults.
 */
const SERVE_V8_FLAGS = ['--no-memory-reducer', '--no-flush-bytecode', '--heap-growing-percent=50', '--min-semi-space-size=16', '--max-semi-space-size=16'];
const namesServeFlag = (arg) =>
  /^--(no-)?(memory-reducer|flush-bytecode|heap-growing-percent(=.*)?|min-semi-space-size(=.*)?|max-semi-space-size(=.*)?)$/.test(arg.replaceAll('_', '-'));

// The child of serveUnderFlags: it stops, as on SIGTERM, when its parent's channel closes.
if (process.env.PROCSPEC_SERVE_PARENT !== undefined && process.channel !== undefined) {
  delete process.env.PROCSPEC_SERVE_PARENT;
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

if (command === 'serve' && !process.execArgv.some(namesServeFlag) && !process.argv.includes('--help') && !process.argv.includes('-h')) {
  await serveUnderFlags();
}

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
  // The CLI bundled by the build (tools/bundle-cli.mjs): it starts in about half the time of dist/cli/main.js's modules.
  ({ main } = await import('../dist/bin/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/bin/main.js')) throw err;
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
  const r = spawnSync(process.execPath, [...process.execArgv, '--import', tsx, at('../cli/run.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.error !== undefined) throw r.error;
  if (r.signal !== null) process.kill(process.pid, r.signal);
  return r.status ?? 1;
}

/**
 * Runs this command again in a child node with SERVE_V8_FLAGS and ends as the child ends, with
 * its exit status or signal. The signals a supervisor sends are passed on; the child is given
 * an IPC channel, and it stops when that channel closes, so it never outlives this process,
 * even one killed with SIGKILL.
 */
async function serveUnderFlags() {
  const { spawn } = await import('node:child_process');
  // Its own process group, so a terminal's ^C reaches it once, passed on from here.
  const child = spawn(process.execPath, [...process.execArgv, ...SERVE_V8_FLAGS, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
    env: { ...process.env, PROCSPEC_SERVE_PARENT: String(process.pid) },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  const [code, signal] = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  });
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}
