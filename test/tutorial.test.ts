/**
 * docs/adding-a-spec.md is true. Its commands (the `$ ` lines of its sh
 * blocks) are run in order in a copy of the repository from before the spec
 * it adds (that spec, its fixture folder and what was generated from them
 * taken out, as a clone had it), each must succeed and print exactly what
 * the page shows under it, the files it shows (a block after `<!-- file:
 * PATH -->`) are written there and must be the committed ones, and at the
 * end the copy's generated/, fixture folder and coverage page must be the
 * committed ones: the page takes every step the addition took.
 *
 * Two commands are not run as written: the capture of the live file copies
 * the committed capture instead (this machine's file may differ), and
 * `npm test` is the suite this test is part of.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from './support/cli.js';

const PAGE = 'docs/adding-a-spec.md';

type Step = { kind: 'run'; command: string; expected?: string; line: number } | { kind: 'file'; path: string; text: string; line: number };

/** The page's steps in order: commands with the output shown under them, and files shown whole. */
function stepsOf(markdown: string): Step[] {
  const lines = markdown.split('\n');
  const steps: Step[] = [];
  let file: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- file: (\S+) -->$/.exec(lines[i]!);
    if (marker !== null) {
      file = marker[1];
      continue;
    }
    const fence = /^```(\w*)$/.exec(lines[i]!);
    if (fence === null) {
      if (lines[i]!.trim() !== '') file = undefined;
      continue;
    }
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    const body = lines.slice(start, end);
    if (file !== undefined) steps.push({ kind: 'file', path: file, text: `${body.join('\n')}\n`, line: start });
    else if (fence[1] === 'sh') {
      let run: { command: string; output: string[]; line: number } | undefined;
      const done = () => {
        if (run !== undefined)
          steps.push({ kind: 'run', command: run.command, line: run.line, ...(run.output.length > 0 ? { expected: `${run.output.join('\n')}\n` } : {}) });
      };
      body.forEach((l, k) => {
        if (l.startsWith('$ ')) {
          done();
          run = { command: l.slice(2), output: [], line: start + k + 1 };
        } else if (run === undefined) throw new Error(`${PAGE}:${start + k + 1}: output before any command`);
        else run.output.push(l);
      });
      done();
    }
    file = undefined;
    i = end;
  }
  return steps;
}

const steps = stepsOf(readFileSync(join(repo, PAGE), 'utf8'));
/** The spec the page adds, from the spec file it shows. */
const specFile = steps.find((s): s is Step & { kind: 'file' } => s.kind === 'file' && s.path.startsWith('specs/'))?.path;
const id = specFile?.replace(/^specs\//, '').replace(/\.yaml$/, '');

/** Commands the page shows that are not run here, and why. */
const NOT_RUN: Record<string, string> = { 'npm test': 'the suite this test is part of' };
/** `cat /proc/FILE > test/fixtures/…`: the capture of a live file. */
const CAPTURE = /^cat (\/(?:proc|sys)\/\S+) > (test\/fixtures\/\S+\.txt)$/;

const copy = mkdtempSync(join(tmpdir(), 'procspec-tutorial-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** The environment of a shell in the copy: none of the variables of an enclosing `npm test` or vitest (they name this repository), npm quiet and offline. */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST|INIT_CWD$|NODE_OPTIONS$|TEST$)/i.test(k))),
  npm_config_update_notifier: 'false',
  npm_config_offline: 'true',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  NO_COLOR: '1',
};

/** Runs a shell command in the copy: its status and what it wrote, stdout and stderr interleaved as on a terminal. */
function sh(command: string): { status: number | null; output: string } {
  const log = join(copy, '..', `${copy.split('/').pop()}.log`);
  const fd = openSync(log, 'w');
  try {
    const r = spawnSync('bash', ['-c', command], { cwd: copy, env, stdio: ['ignore', fd, fd] });
    if (r.error !== undefined) throw r.error;
    return { status: r.status, output: readFileSync(log, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(log, { force: true });
  }
}

/** Every file below `dir` (relative paths, sorted). */
function filesOf(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => !existsSync(join(dir, f, '.'))).sort() : [];
}

/** A list of exported names (`a, b, c`) without `names`. */
const exportsBut = (list: string, names: Set<string>): string =>
  list
    .split(', ')
    .filter((n) => !names.has(n))
    .join(', ');

/**
 * Takes the files generated from spec `id` out of the copy's generated/, and its entries out of the two files that
 * list every spec (index.ts, docs/README.md), as they were before the spec was added. A run of the generator for that
 * (some 10 s of CPU) would do the same; the page's `npm run generate` writes generated/ anew from the specs, so the
 * last test still shows that it makes every file the spec adds.
 */
function takeOutGenerated(id: string): void {
  const generated = join(copy, 'generated');
  for (const f of [`types/${id}.ts`, `parsers/${id}.ts`, `metadata/${id}.ts`, `docs/${id}.md`]) rmSync(join(generated, f));
  const indexFile = join(generated, 'index.ts');
  const lines = readFileSync(indexFile, 'utf8').split('\n');
  // The registry's entry names the spec's exports: its parse function, its pick and pieces when it has them, its metadata.
  const entry = lines.find((l) => l.trimStart().startsWith(`{ id: ${JSON.stringify(id)}, `));
  expect(entry, `generated/index.ts has no registry entry for ${id}`).toBeDefined();
  const names = new Set([...entry!.matchAll(/\b(?:parse|pick|pieces|model): (\w+)/g)].map((m) => m[1]!));
  const own = (l: string) =>
    [`/parsers/${id}.js'`, `/metadata/${id}.js'`, `/types/${id}.js'`, `${JSON.stringify(id)}:`, `{ id: ${JSON.stringify(id)}, `].some((s) => l.includes(s));
  const kept = lines
    .filter((l) => !own(l))
    .map((l) => {
      const list = /^export \{ (.*) \};$/.exec(l);
      if (list !== null) return `export { ${exportsBut(list[1]!, names)} };`;
      // The header counts the specs.
      return l.replace(/^(\/\/ .* every spec under specs\/ \()(\d+)\)/, (_m, head: string, n: string) => `${head}${Number(n) - 1})`);
    });
  writeFileSync(indexFile, kept.join('\n'));
  const readme = join(generated, 'docs', 'README.md');
  writeFileSync(
    readme,
    readFileSync(readme, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith(`| [${id}](`))
      .join('\n'),
  );
}

describe(`${PAGE}, replayed`, { timeout: 300_000 }, () => {
  beforeAll(() => {
    expect(id, `${PAGE} shows no spec file under specs/`).toBeDefined();
    // A copy as a clone after `npm ci` has it (no dist/), then without the spec the page adds and what was made from it.
    const tar = spawnSync(
      'sh',
      ['-c', `tar -C '${repo}' --exclude=./node_modules --exclude=./dist --exclude=./native/build --exclude=./.git -cf - . | tar -C '${copy}' -xf -`],
      { encoding: 'utf8' },
    );
    expect(tar.status, tar.stderr).toBe(0);
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
    rmSync(join(copy, specFile!));
    rmSync(join(copy, 'test', 'fixtures', id!), { recursive: true });
    takeOutGenerated(id!);
    const command = 'npx tsx tools/coverage.ts --write';
    const r = sh(command);
    expect(r.status, `${command}\n${r.output}`).toBe(0);
    expect(filesOf(join(copy, 'generated')).filter((f) => f.includes(`${id}.`))).toEqual([]);
    const named = filesOf(join(copy, 'generated')).filter((f) => readFileSync(join(copy, 'generated', f), 'utf8').includes(`${id}`));
    expect(named, `generated/ still names ${id}`).toEqual([]);
  }, 300_000);

  it('has steps, and runs every command but those it says why not', () => {
    const commands = steps.flatMap((s) => (s.kind === 'run' ? [s.command] : []));
    expect(commands.length).toBeGreaterThan(8);
    expect(commands.filter((c) => NOT_RUN[c] !== undefined)).toEqual(Object.keys(NOT_RUN));
  });

  for (const step of steps) {
    if (step.kind === 'file') {
      it(`${PAGE}:${step.line}: ${step.path}, as committed`, () => {
        expect(step.text).toBe(readFileSync(join(repo, step.path), 'utf8'));
        mkdirSync(dirname(join(copy, step.path)), { recursive: true });
        writeFileSync(join(copy, step.path), step.text);
      });
      continue;
    }
    const why = NOT_RUN[step.command];
    if (why !== undefined) {
      it.skip(`${PAGE}:${step.line}: $ ${step.command} (not run: ${why})`, () => {});
      continue;
    }
    it(`${PAGE}:${step.line}: $ ${step.command}`, () => {
      const capture = CAPTURE.exec(step.command);
      if (capture !== null) {
        // The committed capture stands for this machine's file.
        expect(existsSync(join(repo, capture[2]!)), `${capture[2]} is not committed`).toBe(true);
        cpSync(join(repo, capture[2]!), join(copy, capture[2]!));
        return;
      }
      const r = sh(step.command);
      expect(r.status, `$ ${step.command}\n${r.output}`).toBe(0);
      if (step.expected !== undefined) expect(r.output).toBe(step.expected);
    });
  }

  it('ends with the committed spec, fixture folder, generated/ and coverage page', () => {
    for (const dir of [join('test', 'fixtures', id!), 'generated']) {
      const files = filesOf(join(repo, dir));
      expect(filesOf(join(copy, dir)), dir).toEqual(files);
      for (const f of files) expect(readFileSync(join(copy, dir, f), 'utf8'), join(dir, f)).toBe(readFileSync(join(repo, dir, f), 'utf8'));
    }
    for (const f of [specFile!, 'docs/coverage.md']) expect(readFileSync(join(copy, f), 'utf8'), f).toBe(readFileSync(join(repo, f), 'utf8'));
  });
});
