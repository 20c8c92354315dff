#!/usr/bin/env node
// The build and the type check of `npm test` (checks.mjs) from one TypeScript program instead of two tsc runs.
//
// `npm run build` runs `tsc -p tsconfig.build.json` (runtime/, generated/, cli/ and what they import) and the type
// check `tsc -p tsconfig.json --noEmit` (everything): the second checked again every file the first had checked,
// some 20 s of CPU of the suite's 2 cores. Both configurations have the same compiler options but noEmit, so here one
// program of tsconfig.json's files, compiled with tsconfig.build.json's options, emits the files of the build's
// program into dist/ (the same files, byte for byte), then the bundle is made as `npm run build` makes it, and only
// then are the other files checked, at a lower priority: the tests wait for dist/, not for the type check.
//
// Results go to fd 3, one JSON line per check ({ check: 'build' | 'types', ok, output }), the build's first. When
// the two configurations or the build script differ from what this assumes, it runs `npm run -s build` and
// `tsc -p tsconfig.json --noEmit` as they are.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';

const repo = join(import.meta.dirname, '..', '..');
const BUILD_SCRIPT = `node -e "require('node:fs').rmSync('dist', { recursive: true, force: true })" && tsc -p tsconfig.build.json && node tools/bundle-cli.mjs`;

const report = (check, ok, output) => writeSync(3, `${JSON.stringify({ check, ok, output })}\n`);

/** Runs a command of the repository: whether it exited 0, and its output. */
function run(command, args) {
  const r = spawnSync(command, args, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });
  return [r.status === 0, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}`];
}

function parsed(file) {
  const config = ts.getParsedCommandLineOfConfigFile(join(repo, file), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (config.errors.length > 0) throw new Error(ts.formatDiagnostics(config.errors, formatHost));
  return config;
}

const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => repo, getNewLine: () => '\n' };
const format = (diagnostics) => ts.formatDiagnostics(diagnostics, formatHost);

/** The compiler options of a configuration, but noEmit and the path of its file. */
const optionsOf = ({ options }) => JSON.stringify({ ...options, noEmit: undefined, configFilePath: undefined });

const all = parsed('tsconfig.json');
const build = parsed('tsconfig.build.json');
const scripts = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts;
if (optionsOf(all) !== optionsOf(build) || build.options.noEmit || scripts.build !== BUILD_SCRIPT) {
  report('build', ...run('npm', ['run', '-s', 'build']));
  report('types', ...run('tsc', ['-p', 'tsconfig.json', '--noEmit']));
  process.exit(0);
}

// Parsed once for every program.
const host = ts.createCompilerHost(build.options);
const parsedFiles = new Map();
const getSourceFile = host.getSourceFile;
host.getSourceFile = (name, ...rest) => {
  if (!parsedFiles.has(name)) parsedFiles.set(name, getSourceFile.call(host, name, ...rest));
  return parsedFiles.get(name);
};
const ownFiles = (p) => p.getSourceFiles().filter((f) => !p.isSourceFileFromExternalLibrary(f) && !p.isSourceFileDefaultLibrary(f));
/** Its diagnostics as `tsc --noEmit` gives them (those of the declarations too: tsconfig.json has declaration on). */
const diagnosticsOf = (p, files) => [
  ...p.getConfigFileParsingDiagnostics(),
  ...p.getOptionsDiagnostics(),
  ...p.getGlobalDiagnostics(),
  ...files.flatMap((f) => ts.getPreEmitDiagnostics(p, f).filter((d) => d.file === f)),
];

// bench/ imports dist/ (the built package, as a user has it): its files are checked once dist/ is built, in a program
// of their own, and everything else in one with the build's files.
const inBench = (f) => !relative(join(repo, 'bench'), f).startsWith('..');
const program = ts.createProgram({ rootNames: all.fileNames.filter((f) => !inBench(f)), options: build.options, host });
// The files `tsc -p tsconfig.build.json` compiles: its roots and what they import.
const built = new Set(ownFiles(ts.createProgram({ rootNames: build.fileNames, options: build.options, host })).map((f) => f.fileName));
const missing = [...built].filter((f) => program.getSourceFile(f) === undefined);
if (missing.length > 0) throw new Error(`files of the build that tsconfig.json's program lacks: ${missing.map((f) => relative(repo, f)).join(', ')}`);

rmSync(join(repo, 'dist'), { recursive: true, force: true });
const buildFiles = ownFiles(program).filter((f) => built.has(f.fileName));
const buildDiagnostics = diagnosticsOf(program, buildFiles);
for (const f of buildFiles) buildDiagnostics.push(...program.emit(f).diagnostics);
let buildOk = buildDiagnostics.length === 0;
let buildOutput = format(ts.sortAndDeduplicateDiagnostics(buildDiagnostics));
if (buildOk) {
  const [ok, output] = run(process.execPath, ['tools/bundle-cli.mjs']);
  buildOk = ok;
  buildOutput += output;
}
report('build', buildOk, buildOutput);

// The rest of the type check, beside the tests, which need the cores more.
setPriority(10);
const benchProgram = ts.createProgram({ rootNames: all.fileNames.filter(inBench), options: all.options, host });
const typeDiagnostics = [
  ...diagnosticsOf(program, ownFiles(program)),
  ...diagnosticsOf(
    benchProgram,
    ownFiles(benchProgram).filter((f) => inBench(f.fileName)),
  ),
];
report('types', typeDiagnostics.length === 0, format(ts.sortAndDeduplicateDiagnostics(typeDiagnostics)));
