#!/usr/bin/env node
// The checks `npm test` runs before vitest, side by side where nothing orders them: lint, the spec format,
// generated/ fresh, the build (dist/, which the CLI tests, bench/ and the layers check use), the layer rules and
// the type check of everything. Each check's output is printed when it ends, whole; the exit status is 1 when
// any check failed (every check still runs to its end, so that one run names every failure).
//
// `node checks.mjs COMMAND...` (npm test: `vitest run` and the arguments after `npm test --`) also runs COMMAND,
// with the terminal's stdout and stderr, as soon as the build has passed: the tests need dist/, not the other
// checks, which run on beside them (on a 2-core machine vitest's workers leave a core idle for part of the time
// while they wait on spawned commands). The exit status is then also 1 when COMMAND failed; when the build
// fails, COMMAND is not run.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

/** name: the command; after: the checks it needs done first. */
const CHECKS = [
  { name: 'lint', command: ['biome', 'check', '.'] },
  { name: 'spec format', command: ['tsx', 'tools/format-specs.ts', '--check'] },
  { name: 'generated/ fresh', command: ['tsx', 'generator/main.ts', '--check'] },
  // dist/ as `npm run build` makes it: the modules (tsc) and the bundled CLI that bin/procspec.js runs.
  { name: 'build', command: ['npm', 'run', '-s', 'build'] },
  // bench/ imports dist/: a fresh clone has its files only after the build.
  { name: 'layers', command: ['npm', 'run', '-s', 'layers'], after: ['build'] },
  { name: 'types', command: ['tsc', '-p', 'tsconfig.json', '--noEmit'], after: ['build'] },
];

const env = { ...process.env, PATH: `${join(repo, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
const done = new Map();

/** Runs one check: its exit status, with its output printed whole when it ends. */
function run(check) {
  return new Promise((resolve) => {
    const child = spawn(check.command[0], check.command.slice(1), { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (status, signal) => {
      const ok = status === 0;
      process.stdout.write(`${ok ? 'ok' : 'FAILED'}: ${check.name} (${check.command.join(' ')})${signal ? ` killed by ${signal}` : ''}\n`);
      const text = Buffer.concat(out).toString('utf8');
      if (text.trim() !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      resolve(ok);
    });
  });
}

function start(check) {
  if (!done.has(check.name)) {
    const needs = (check.after ?? []).map((name) => start(CHECKS.find((c) => c.name === name)));
    done.set(
      check.name,
      Promise.all(needs).then((oks) => {
        if (oks.every(Boolean)) return run(check);
        process.stdout.write(`not run: ${check.name} (needs ${check.after.join(', ')})\n`);
        return false;
      }),
    );
  }
  return done.get(check.name);
}

/** COMMAND, run once the build has passed: whether it exited 0. */
async function then(command) {
  if (!(await start(CHECKS.find((c) => c.name === 'build')))) {
    process.stdout.write(`not run: ${command.join(' ')} (needs build)\n`);
    return false;
  }
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: repo, env, stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`${command[0]}: ${err.message}\n`);
      resolve(false);
    });
    child.on('close', (status) => resolve(status === 0));
  });
}

const command = process.argv.slice(2);
const oks = await Promise.all([...CHECKS.map(start), ...(command.length > 0 ? [then(command)] : [])]);
process.exitCode = oks.every(Boolean) ? 0 : 1;
