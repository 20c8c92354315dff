/**
 * `procspec new-spec`: drafts from real /proc files of several shapes (test/new-spec-samples/,
 * see PROVENANCE.md) must pass the project's own loader and checker, parse
 * their sample back (the command's --check), and have the shape the sample has.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { checkSpec } from '../generator/check.js';
import { formatSpec } from '../generator/format.js';
import { loadSpecText } from '../generator/load.js';
import type { SpecModel } from '../runtime/model/model.js';
import { type NewSpecOptions, newSpecCommand } from '../cli/new-spec.js';
import { CLI_SOURCES, type CliRun, repo, runCliAsync } from './support/cli.js';

const samples = join(repo, 'test', 'new-spec-samples');

/** The command as test/cli.test.ts runs it; asynchronous, so that the cases of this file run side by side. */
const run = (...args: string[]) => runCliAsync(args, {}, CLI_SOURCES);

/**
 * The command's own function with its output caught, for the drafts of many samples: a spawn through tsx costs
 * some 2.5 s of CPU, and the spawned runs below cover the command line itself.
 */
async function inProcess(sample: string, opts: NewSpecOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await newSpecCommand(sample, opts, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

type Obj = Record<string, unknown>;

/** Every `description` in a parsed spec, at any depth. */
function descriptions(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(descriptions);
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v as Obj).flatMap(([k, x]) => (k === 'description' && typeof x === 'string' ? [x] : descriptions(x)));
}

/** Drafts SAMPLE as the spec `id` at `path`, and checks what every draft must be: accepted by the checker, parsed back, marked as a draft. */
async function draft(sample: string, path: string, id: string): Promise<{ yaml: Obj; layout: Obj; model: SpecModel; stderr: string }> {
  const r = await inProcess(join(samples, sample), { path, id });
  expect(r.stderr).toMatch(/the draft parses the sample back/);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/this is a draft: give every field a name and a description of your own/);
  const loaded = loadSpecText(`specs/${id}.yaml`, r.stdout);
  const model = checkSpec(loaded, id);
  // The draft is in the one spec style (a name its kernel key gives is left out): read as the loader resolves it.
  expect(formatSpec(r.stdout)).toBe(r.stdout);
  const yaml = loaded.data as Obj;
  expect(yaml.paths).toEqual([path]);
  const texts = descriptions(yaml);
  expect(texts.length).toBeGreaterThan(1);
  for (const d of texts) expect(d).toMatch(/^TODO: describe \S/);
  return { yaml, layout: yaml.layout as Obj, model, stderr: r.stderr };
}

// Each case starts the command, which loads the generator and may generate a parser: several seconds on a busy machine.
describe.concurrent('procspec new-spec', { timeout: 180_000 }, () => {
  it('keyed lines with a unit word: /proc/irq/N/spurious', async () => {
    const { layout, stderr } = await draft('irq-24-spurious.txt', '/proc/irq/[irq]/spurious', 'proc/irq/spurious');
    expect(stderr).toMatch(/recognised keyed lines \(separator space, 3 keys\)/);
    const keyed = layout.keyed as { separator: string; fields: Obj[] };
    expect(keyed.separator).toBe('space');
    expect(keyed.fields.map((f) => f.key)).toEqual(['count', 'unhandled', 'last_unhandled']);
    expect(keyed.fields[2]).toMatchObject({ name: 'lastUnhandled', type: 'integer', unit: 'ms', suffix: 'ms' });
  });

  it('a table with a header line, hex columns: /proc/net/stat/rt_cache', async () => {
    const { layout, model } = await draft('net-stat-rt_cache.txt', '/proc/net/stat/rt_cache', 'proc/net/stat/rt_cache');
    const table = layout.table as { header: { tokens: Obj[] }; tokens: Obj[] };
    expect(table.header.tokens.slice(0, 3)).toEqual([{ literal: 'entries' }, { literal: 'in_hit' }, { literal: 'in_slow_tot' }]);
    expect(table.tokens).toHaveLength(17);
    expect(table.tokens[1]).toMatchObject({ name: 'inHit', raw: 'in_hit', type: 'integer', hex: true });
    expect(model.layout.kind === 'table' && model.layout.header !== undefined).toBe(true);
  });

  it('a table without a header line: /proc/net/dev_mcast', async () => {
    const { layout, stderr } = await draft('net-dev_mcast.txt', '/proc/net/dev_mcast', 'proc/net/dev_mcast');
    expect(stderr).toMatch(/a table without a header line \(5 columns\)/);
    const table = layout.table as Obj & { tokens: Obj[] };
    expect(table.header).toBeUndefined();
    expect(table.tokens.map((t) => [t.type, t.hex ?? false])).toEqual([
      ['integer', false],
      ['string', false],
      ['integer', false],
      ['integer', false],
      ['integer', true],
    ]);
  });

  it('a single line of positional values: /proc/net/psched', async () => {
    const { layout, stderr } = await draft('net-psched.txt', '/proc/net/psched', 'proc/net/psched');
    expect(stderr).toMatch(/a single line \(4 positional tokens\)/);
    const line = layout.line as { tokens: Obj[] };
    expect(line.tokens.map((t) => t.name)).toEqual(['field1', 'field2', 'field3', 'field4']);
    for (const t of line.tokens) expect(t).toMatchObject({ type: 'integer', hex: true, description: expect.stringMatching(/^TODO: describe token [1-4]$/) });
  });

  it('key=value tokens: /proc/bus/input/handlers', async () => {
    const { layout, stderr } = await draft('bus-input-handlers.txt', '/proc/bus/input/handlers', 'proc/bus/input/handlers');
    expect(stderr).toMatch(/3 key=value tokens/);
    const table = layout.table as { tokens: Obj[]; pairs: { separator: string; fields: Obj[] } };
    expect(table.tokens).toEqual([{ literal: 'N:' }]);
    expect(table.pairs.separator).toBe('=');
    expect(table.pairs.fields).toEqual([
      { name: 'number', raw: 'Number', type: 'integer', description: 'TODO: describe Number' },
      { name: 'name', raw: 'Name', type: 'string', description: 'TODO: describe Name' },
      { name: 'minor', raw: 'Minor', type: 'integer', optional: true, description: 'TODO: describe Minor' },
    ]);
  });

  it('blocks separated by blank lines: /proc/crypto', async () => {
    const { layout, stderr } = await draft('crypto.txt', '/proc/crypto', 'drafts/crypto');
    expect(stderr).toMatch(/blocks separated by blank lines, each keyed lines \(separator colon/);
    const blocks = layout.blocks as { blank: boolean; body: { keyed: { fields: Obj[] } } };
    expect(blocks.blank).toBe(true);
    const fields = blocks.body.keyed.fields;
    expect(fields.find((f) => f.key === 'name')).toMatchObject({ name: 'name', type: 'string' });
    expect(fields.find((f) => f.key === 'name')!.optional).toBeUndefined();
    expect(fields.find((f) => f.key === 'min keysize')).toMatchObject({ name: 'minKeysize', type: 'integer', optional: true });
  });

  it('a value alone on its line is named after the file, with the unit its name ends in: /proc/[pid]/timerslack_ns', async () => {
    const { layout } = await draft('self-timerslack_ns.txt', '/proc/[pid]/timerslack_ns', 'proc/pid/timerslack_ns');
    expect((layout.line as { tokens: Obj[] }).tokens).toEqual([
      { name: 'timerslackNs', type: 'integer', unit: 'ns', description: 'TODO: describe timerslack_ns' },
    ]);
  });

  it('keyed lines with both separators: /proc/[pid]/ksm_stat', async () => {
    const { layout } = await draft('self-ksm_stat.txt', '/proc/[pid]/ksm_stat', 'proc/pid/ksm_stat');
    const keyed = layout.keyed as { separator: string; fields: Obj[] };
    expect(keyed.separator).toBe('auto');
    expect(keyed.fields.find((f) => f.key === 'ksm_merge_any')).toMatchObject({ type: 'string' });
    expect(keyed.fields.find((f) => f.key === 'ksm_rmap_items')).toMatchObject({ name: 'ksmRmapItems', type: 'integer' });
  });

  it('the path defaults to /proc/<file name> for a copy; --no-check skips the parse', async () => {
    const r = await run('new-spec', '--no-check', join(samples, 'net-psched.txt'));
    expect(r.status).toBe(0);
    expect((parseYaml(r.stdout) as Obj).paths).toEqual(['/proc/net-psched.txt']);
    expect(r.stderr).toMatch(/recognised a single line \(4 positional tokens\)\.\n/);
    expect(r.stderr).not.toMatch(/parses the sample back/);
  });

  // In the test's process, as the drafts above: the spawned runs here cover the command line and its exit statuses.
  it('the path of a live file of a process defaults to its [pid] pattern, and gives the spec id', async () => {
    const r = await inProcess('/proc/self/timerslack_ns');
    expect(r.status).toBe(0);
    expect((parseYaml(r.stdout) as Obj).paths).toEqual(['/proc/[pid]/timerslack_ns']);
    expect(r.stderr).toMatch(/save it as specs\/proc\/pid\/timerslack_ns\.yaml/);
  });

  it('random binary bytes fit no shape: exit 1 with a message, nothing on stdout', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'procspec-new-spec-'));
    writeFileSync(join(dir, 'blob'), randomBytes(4096));
    const r = await inProcess(join(dir, 'blob'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^procspec new-spec: no shape of the spec language fits .*blob: the sample (holds NUL bytes|is not valid UTF-8|holds the control character)/,
    );
  });

  it('a file that cannot be read is exit 1', async () => {
    const r = await run('new-spec', '/nonexistent/sample');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/nonexistent\/sample: not found/);
  });

  it('a missing argument is exit 2', async () => {
    const r = await run('new-spec');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'sample'/);
  });

  it('a path no spec can have is exit 2', async () => {
    const r = await inProcess(join(samples, 'net-psched.txt'), { path: 'net/psched' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--path net\/psched: a spec's path starts with \/proc\/ or \/sys\//);
  });
});

/**
 * `procspec new-spec` through the command's bin (bin/procspec.js), which
 * runs authoring commands from the sources with tsx in a checkout (and the
 * others while dist/ is not built), and says where to run them in a package
 * installed without the generator.
 */
describe.concurrent('the procspec bin runs new-spec', { timeout: 180_000 }, () => {
  const tmp = mkdtempSync(join(os.tmpdir(), 'procspec-bin-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** A copy of the sources as a fresh clone has them (no dist/, no native build), with node_modules when `npm ci` has run. */
  function clone(name: string, installed: boolean): string {
    const dir = join(tmp, name);
    mkdirSync(dir);
    const copy = spawnSync(
      'sh',
      ['-c', `tar -C '${repo}' --exclude=./node_modules --exclude=./dist --exclude=./native/build --exclude=./.git -cf - . | tar -C '${dir}' -xf -`],
      { encoding: 'utf8' },
    );
    expect(copy.status, copy.stderr).toBe(0);
    if (installed) symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  }

  const bin = (dir: string, ...args: string[]) => spawnSync(process.execPath, [join(dir, 'bin', 'procspec.js'), ...args], { cwd: dir, encoding: 'utf8' });

  it('from a fresh clone after npm ci, with no dist/ built: drafts from the sources', () => {
    const dir = clone('fresh', true);
    const r = bin(dir, 'new-spec', join(samples, 'net-psched.txt'), '--path', '/proc/net/psched', '--id', 'proc/net/psched');
    expect(r.stderr).toMatch(/recognised a single line \(4 positional tokens\); the draft parses the sample back/);
    expect(r.status).toBe(0);
    expect((parseYaml(r.stdout) as Obj).paths).toEqual(['/proc/net/psched']);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    // Its usage errors and exit statuses are the command's own.
    const usage = bin(dir, 'new-spec');
    expect([usage.status, usage.stderr]).toEqual([2, expect.stringMatching(/missing required argument 'sample'/)]);
    // The other commands too run from the sources while dist/ is not built.
    const docs = bin(dir, 'docs', 'meminfo');
    expect(docs.status, docs.stderr).toBe(0);
    expect(docs.stdout).toMatch(/from specs\/proc\/meminfo\.yaml/);
  });

  it('from a clone without npm ci: says to run it', () => {
    const dir = clone('bare', false);
    const r = bin(dir, 'new-spec', join(samples, 'net-psched.txt'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`procspec new-spec: runs from the sources with tsx, a development dependency: run \`npm ci\` in ${dir}\n`);
  });

  it('installed without the generator (the bin and nothing of the sources): says where to run it', () => {
    const dir = join(tmp, 'installed');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    copyFileSync(join(repo, 'bin', 'procspec.js'), join(dir, 'bin', 'procspec.js'));
    const r = bin(dir, 'new-spec', join(samples, 'net-psched.txt'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^procspec new-spec: this command drafts and checks specs with procspec's generator, which is not installed with the package: run it in a clone of the procspec repository, after `npm ci` there/,
    );
  });
});
