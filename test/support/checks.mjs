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

/**
 * name: the command; after: the checks it needs done first; low: run at a lower priority (nice 10), so that the build,
 * which vitest waits for, and then vitest have the cores first.
 */
const CHECKS = [
  { name: 'lint', command: ['biome', 'check', '.'], low: true },
  { name: 'spec format', command: ['tsx', 'tools/format-specs.ts', '--check'], low: true },
  { name: 'generated/ fresh', command: ['tsx', 'generator/main.ts', '--check'], low: true },
  // dist/ as `npm run build` makes it (the modules and the bundled CLI that bin/procspec.js runs), and the type check
  // of everything (tsc -p tsconfig.json --noEmit), from one TypeScript program: build-and-types.mjs.
  { name: 'build', shared: 'tsc' },
  { name: 'types', shared: 'tsc' },
  // bench/ imports dist/: a fresh clone has its files only after the build.
  { name: 'layers', command: ['npm', 'run', '-s', 'layers'], after: ['build'], low: true },
];

/** Processes that report several checks: the command, and the names of the checks it reports on fd 3. */
const SHARED = { tsc: { command: ['node', 'test/support/build-and-types.mjs'], checks: ['build', 'types'] } };

const env = { ...process.env, PATH: `${join(repo, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
const done = new Map();

/** Prints the result of a check and its output. */
function print(name, command, ok, text) {
  process.stdout.write(`${ok ? 'ok' : 'FAILED'}: ${name} (${command.join(' ')})\n`);
  if (text.trim() !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Runs one check: its exit status, with its output printed whole when it ends. */
function run(check) {
  return new Promise((resolve) => {
    const command = check.low ? ['nice', '-n', '10', ...check.command] : check.command;
    const child = spawn(command[0], command.slice(1), { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (status, signal) => {
      print(`${check.name}${signal ? ` killed by ${signal}` : ''}`, check.command, status === 0, Buffer.concat(out).toString('utf8'));
      resolve(status === 0);
    });
  });
}

const sharedRuns = new Map();

/**
 * Runs a process of SHARED once: for each of its checks, a promise of whether it passed, printed as the process
 * reports it (a JSON line on fd 3); a check it has not reported when it ends failed, with what it wrote.
 */
function runShared(name) {
  if (!sharedRuns.has(name)) {
    const { command, checks } = SHARED[name];
    const settle = new Map();
    const results = new Map(checks.map((c) => [c, new Promise((resolve) => settle.set(c, resolve))]));
    const child = spawn(command[0], command.slice(1), { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    let pending = '';
    child.stdio[3].setEncoding('utf8').on('data', (s) => {
      pending += s;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        const { check, ok, output } = JSON.parse(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        print(check, command, ok, output);
        settle.get(check)?.(ok);
        settle.delete(check);
      }
    });
    child.on('close', (status, signal) => {
      for (const [check, resolve] of settle) {
        print(check, command, false, `${Buffer.concat(out).toString('utf8')}exited ${status ?? signal} before it reported ${check}\n`);
        resolve(false);
      }
      settle.clear();
    });
    sharedRuns.set(name, results);
  }
  return sharedRuns.get(name);
}

function start(check) {
  if (!done.has(check.name)) {
    const needs = (check.after ?? []).map((name) => start(CHECKS.find((c) => c.name === name)));
    done.set(
      check.name,
      Promise.all(needs).then((oks) => {
        if (check.shared !== undefined) return runShared(check.shared).get(check.name);
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
