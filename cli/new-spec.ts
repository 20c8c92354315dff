/**
 * `procspec new-spec SAMPLE`: drafts a spec from a sample of a /proc file.
 * Recognises the sample's shape (keyed lines, a table, a single line,
 * blocks, key=value tokens), types each value from its text, checks the
 * draft as the generator would, parses the sample back with a parser
 * generated from it (unless --no-check), and prints the YAML. Names and
 * descriptions are the author's to write: the draft says TODO where they go.
 * Exit codes: 0 drafted, 1 the sample cannot be read or no shape fits it
 * (or the draft does not parse it back), 2 bad usage.
 */
import { basename } from 'node:path';
import { ProcfsError } from '../runtime/core/errors.js';
import { readBytesSync } from '../runtime/reading/read.js';
import { badId, badPath, defaultPathOf, specIdOfPath } from './draft/paths.js';
import { recognise } from './draft/recognise.js';
import { todo } from './draft/spec.js';
import { notTextReason } from './draft/text.js';
import { draftYaml } from './draft/yaml.js';

export interface NewSpecOptions {
  /** The /proc path the spec is for (default: the sample's own path under /proc, else /proc/<file name>). */
  path?: string;
  /** The spec id, its file under specs/ without .yaml (default: from the path). */
  id?: string;
  /** Parse the sample back with the draft's generated parser (default true). */
  check?: boolean;
}

/** Errors of loading the generator from a built copy (no schema file, no ts-morph, no tsx for the generated TypeScript). */
function missingSources(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNKNOWN_FILE_EXTENSION';
}

/** bin/procspec.js runs new-spec from the sources where they are; a copy without them (dist/ run by hand) says this. */
const SOURCES_NEEDED =
  "procspec new-spec: checking a draft needs procspec's generator, which is not in this copy: run `npx procspec new-spec ...` in a clone of the procspec repository, after `npm ci` there\n";

/** Where the command writes: the draft to `out`, messages to `err` (the process's stdout and stderr, or a test's strings). */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_OUTPUT: CommandOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function newSpecCommand(sample: string, opts: NewSpecOptions, io: CommandOutput = PROCESS_OUTPUT): Promise<number> {
  const path = opts.path ?? defaultPathOf(sample);
  const id = opts.id ?? specIdOfPath(path);
  const usage = badPath(path) ?? badId(id);
  if (usage !== undefined) {
    io.err(`procspec new-spec: ${usage}\n`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = readBytesSync(sample);
  } catch (err) {
    if (!(err instanceof ProcfsError)) throw err;
    io.err(`procspec new-spec: ${err.message}\n`);
    return 1;
  }
  const notText = notTextReason(bytes);
  const text = bytes.toString('utf8');
  const found = notText === undefined ? recognise(text, basename(path)) : { reason: notText };
  if ('reason' in found) {
    io.err(`procspec new-spec: no shape of the spec language fits ${sample}: ${found.reason}\n`);
    return 1;
  }
  const yaml = draftYaml({ description: todo(`what ${path} holds`), paths: [path], layout: found.layout }, [
    `Draft of specs/${id}.yaml, made by \`procspec new-spec\` from ${sample}.`,
    'Name every field, replace every TODO with a description, check the types and units, then delete this comment.',
  ]);

  let verify: typeof import('./draft/verify.js');
  try {
    verify = await import('./draft/verify.js');
  } catch (err) {
    if (!missingSources(err)) throw err;
    io.err(SOURCES_NEEDED);
    return 1;
  }
  let spec: ReturnType<typeof verify.checkDraft>;
  try {
    spec = verify.checkDraft(yaml, id);
  } catch (err) {
    if (!(err instanceof verify.SpecError)) throw err;
    io.err(`procspec new-spec: the draft for ${sample} breaks a rule of the spec language (a bug in new-spec): ${err.message}\n`);
    return 1;
  }
  if (opts.check !== false) {
    let failure: Awaited<ReturnType<typeof verify.parseBack>>;
    try {
      failure = await verify.parseBack(spec, text, sample);
    } catch (err) {
      if (!missingSources(err)) throw err;
      io.err(SOURCES_NEEDED);
      return 1;
    }
    if (failure !== undefined) {
      io.err(
        `procspec new-spec: the draft recognised ${found.shape}, but its parser does not read the sample back: ${failure.message}\n` +
          'procspec new-spec: run with --no-check to print the draft anyway, and fix it by hand\n',
      );
      return 1;
    }
  }
  io.out(yaml);
  io.err(
    `procspec new-spec: recognised ${found.shape}${opts.check !== false ? '; the draft parses the sample back' : ''}.\n` +
      `procspec new-spec: this is a draft: give every field a name and a description of your own (each TODO), check the types, units and sampling, ` +
      `save it as specs/${id}.yaml, try it with \`npx tsx tools/try-spec.ts specs/${id}.yaml ${sample}\`, then run \`npm run generate\`.\n`,
  );
  return 0;
}
