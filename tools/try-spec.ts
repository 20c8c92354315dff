/**
 * For spec authors: `npx tsx tools/try-spec.ts [--out DIR] SPEC.yaml [FILE...]`
 * checks one spec as `npm run generate` would, generates its parser, and
 * prints what it makes of each FILE as JSON (bigints as decimal strings), or
 * the parse error. Nothing is written into the repository: the parser is
 * generated into a temporary folder, removed when done, or into DIR with
 * --out, kept there to read. `--help` says so.
 *
 * As a module, `loadSpecParser` gives the parser of any checked spec the
 * same way (`procspec new-spec` uses it to parse a sample with its draft).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { specIdOf } from '../generator/names.js';
import { SpecError } from '../generator/spec-error.js';
import type { ParseContext, SpecModel } from '../runtime/index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

export const USAGE = `usage: npx tsx tools/try-spec.ts [--out DIR] [--id ID] SPEC.yaml [FILE...]

Checks the spec as \`npm run generate\` would, generates its parser, and prints
what it makes of each FILE (JSON; 64-bit values as decimal strings), or where
and why the FILE does not fit the spec. Try it on the live file and on copies
from other kernels before \`npm run generate\`.

Nothing is written into the repository: the parser is generated into a
temporary folder and removed, or with --out into DIR, kept there to read
(DIR/generated/types, parsers, metadata and docs, as \`npm run generate\` would
write them into generated/).

options:
  --out DIR   keep the generated files in DIR (a folder outside the repository)
  --id ID     the spec's id (default: its path below a specs/ folder, without .yaml)
  -h, --help  this text

exit status: 0 every FILE parsed, 1 a FILE could not be read or did not parse,
2 the spec breaks a rule of the spec language, or bad usage
`;

/** A generated parser: the text of a file -> its value; throws ProcfsError when the text does not fit the spec. */
export type SpecParser = (text: string | Uint8Array, ctx: ParseContext) => unknown;

/**
 * A folder laid out like the repository for generated code: DIR/generated/
 * for the files, beside DIR/runtime, a link to the repository's runtime/,
 * where the generated imports of the runtime resolve (to the same modules
 * this process uses: Node imports a linked file by its real path).
 */
function prepare(dir: string): void {
  const link = join(dir, 'runtime');
  const target = join(repo, 'runtime');
  const there = lstatSync(link, { throwIfNoEntry: false });
  if (there !== undefined) {
    if (!there.isSymbolicLink() || resolve(dir, readlinkSync(link)) !== target)
      throw new UsageError(`${dir} holds a runtime entry that is not a link to ${target}: name another folder`);
  } else symlinkSync(target, link, 'dir');
  rmSync(join(dir, 'generated'), { recursive: true, force: true });
}

/** A mistake of the command line: exit 2 with the message. */
class UsageError extends Error {}

/**
 * Generates the parser of a checked spec, imports it, and returns it. The
 * files go to a temporary folder, removed once the parser is loaded, or to
 * `keepIn` (outside the repository), kept. The parser is TypeScript: the
 * process must run under tsx.
 */
export async function loadSpecParser(spec: SpecModel, keepIn?: string): Promise<SpecParser> {
  const dir = keepIn ?? mkdtempSync(join(tmpdir(), 'procspec-try-'));
  try {
    if (keepIn !== undefined) mkdirSync(keepIn, { recursive: true });
    prepare(dir);
    // Loaded here: ts-morph takes a second to load, which --help and a mistaken command line need not wait for.
    const { generate } = await import('../generator/generate.js');
    for (const [p, text] of generate([spec])) {
      const file = join(dir, 'generated', p);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    const mod = (await import(pathToFileURL(join(dir, 'generated', 'parsers', `${spec.id}.ts`)).href)) as Record<string, SpecParser>;
    return mod[spec.parseName]!;
  } finally {
    if (keepIn === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether `path` is the repository or inside it. */
function inRepo(path: string): boolean {
  const rel = relative(repo, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The spec's id: --id, else its path below the last specs/ folder of its path, without .yaml. */
function idOf(file: string, given: string | undefined): string {
  if (given !== undefined) return given;
  const parts = file.split('/');
  const at = parts.lastIndexOf('specs');
  if (at < 0 || at === parts.length - 1)
    throw new UsageError(`${file} is not in a specs/ folder: give its id with --id (proc/meminfo for specs/proc/meminfo.yaml)`);
  return specIdOf(parts.slice(at + 1).join('/'));
}

/** The command: check SPEC, then parse each FILE with it. */
async function main(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (err) {
    process.stderr.write(`try-spec: ${(err as Error).message}\ntry-spec: see npx tsx tools/try-spec.ts --help\n`);
    return 2;
  }
  const { values: opts, positionals } = parsed;
  if (opts.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [specFile, ...files] = positionals;
  if (specFile === undefined) {
    process.stderr.write(`try-spec: name a spec file\n\n${USAGE}`);
    return 2;
  }
  const abs = resolve(specFile);
  let spec: SpecModel;
  let out: string | undefined;
  try {
    if (opts.out !== undefined) {
      out = resolve(opts.out);
      if (inRepo(out)) throw new UsageError(`--out ${opts.out} is inside the repository: name a folder outside it (try-spec never writes into the repository)`);
    }
    if (!existsSync(abs)) throw new UsageError(`no spec file ${specFile}`);
    const [{ checkSpec }, { loadSpecFile }] = await Promise.all([import('../generator/check.js'), import('../generator/load.js')]);
    spec = checkSpec(loadSpecFile(abs, inRepo(abs) ? relative(repo, abs) : abs), idOf(abs, opts.id));
  } catch (err) {
    if (err instanceof SpecError) {
      process.stderr.write(`try-spec: spec error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`try-spec: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let parse: SpecParser;
  try {
    parse = await loadSpecParser(spec, out);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`try-spec: ${err.message}\n`);
    return 2;
  }
  if (out !== undefined) process.stderr.write(`try-spec: the generated files of ${spec.id} are in ${join(out, 'generated')}\n`);
  if (files.length === 0) process.stderr.write(`try-spec: ${spec.id} is a valid spec; name files to parse with it\n`);
  const { contextOf, toJson } = await import('../runtime/index.js');
  let failed = 0;
  for (const f of files) {
    let text: string | Uint8Array;
    try {
      // A link spec parses a link's target (readlink), and the target text of a saved fixture as it is; a binary file is its bytes, and so is a compressed one.
      text =
        spec.link === true && lstatSync(f).isSymbolicLink()
          ? readlinkSync(f, 'utf8')
          : spec.layout.kind === 'binary' || spec.compressed !== undefined
            ? readFileSync(f)
            : readFileSync(f, 'utf8');
    } catch (err) {
      failed++;
      process.stdout.write(`${f}: cannot read it (${(err as Error).message})\n`);
      continue;
    }
    try {
      process.stdout.write(`${f}:\n${toJson(parse(text, contextOf({ file: f })))}\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`${f}: ${String(err)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, id: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exit(await main(process.argv.slice(2)));
}
