/**
 * Spec files -> plain objects checked against the JSON Schema of the spec
 * language, then resolved (resolve.ts: `extends`, fragments, defaults,
 * names from kernel names) into complete specs, checked against the
 * schema once more. Errors name the spec file, the YAML line and column,
 * and the key path.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { type Location, locate, type Path, recordOrigins } from './origin.js';
import { resolveSpec, type SpecLookup, type WrittenSpec } from './resolve.js';
import { SpecError } from './spec-error.js';

export type { SpecLookup, WrittenSpec } from './resolve.js';

const schemaPath = fileURLToPath(new URL('./spec.schema.json', import.meta.url));
const schema: unknown = JSON.parse(readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema as object);

/** Largest spec file accepted, in bytes. */
export const MAX_SPEC_BYTES = 256 * 1024;
/** Most YAML aliases a spec may use (an alias bomb expands without bound). */
const MAX_ALIAS_COUNT = 16;
/** A spec id as `extends` and `from` write it: the path of a spec under specs/ without .yaml. */
const SPEC_ID = /^[a-z0-9][a-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/** A complete spec (bases, fragments and defaults resolved), with a way to find where any part of it is written. */
export interface LoadedSpec {
  /** The spec's own file. */
  file: string;
  data: unknown;
  /** Where the value at a key path was written (the file may be a spec it extends or includes from). */
  locate(path: Path): Location;
  /** The YAML line of `locate(path)`. */
  lineOf(path: Path): number;
}

/** The spec as written, checked against the schema: nothing taken from other specs yet. */
export function readSpecText(file: string, text: string): WrittenSpec {
  if (Buffer.byteLength(text) > MAX_SPEC_BYTES) {
    throw new SpecError(file, 1, '', `spec is larger than ${MAX_SPEC_BYTES} bytes`, 1);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(e.pos[0]);
    throw new SpecError(file, line, '', `YAML syntax: ${e.message.split('\n')[0]}`, col);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new SpecError(file, 1, '', `YAML could not be expanded: ${(err as Error).message}`, 1);
  }
  recordOrigins(doc, lineCounter, file, data);
  if (!validate(data)) throw schemaError(validate.errors ?? [], (path) => locate(data, path, file));
  return { file, data: data as Record<string, unknown> };
}

/**
 * A spec's text -> the complete spec. `lookup` finds the specs it names in
 * `extends` and `from` (without it, a spec that names another is refused).
 */
export function loadSpecText(file: string, text: string, lookup?: SpecLookup): LoadedSpec {
  return resolveWritten(readSpecText(file, text), lookup);
}

function resolveWritten(written: WrittenSpec, lookup: SpecLookup | undefined): LoadedSpec {
  const data = resolveSpec(written, lookup);
  const where = (path: Path): Location => locate(data, path, written.file);
  // What was taken from elsewhere and changed by `override` or `defaults` is checked in its place.
  if (!validate(data)) throw schemaError(validate.errors ?? [], where);
  return { file: written.file, data, locate: where, lineOf: (path) => where(path).line };
}

/**
 * Finds specs by id under `specsDir`, each read once; `displayDir` is the
 * folder's name in errors (`specs`).
 */
export function specFolderLookup(specsDir: string, displayDir = specsDir): SpecLookup {
  const cache = new Map<string, WrittenSpec | undefined>();
  return (id) => {
    if (!SPEC_ID.test(id) || id.split('/').includes('..')) return undefined;
    if (!cache.has(id)) {
      let text: string | undefined;
      try {
        text = readFileSync(join(specsDir, `${id}.yaml`), 'utf8');
      } catch {
        text = undefined;
      }
      cache.set(id, text === undefined ? undefined : readSpecText(join(displayDir, `${id}.yaml`), text));
    }
    return cache.get(id);
  };
}

/** The folder named `specs` that holds `file`, if any: where the specs it names are. */
function specsDirOf(file: string): string | undefined {
  for (let d = dirname(resolve(file)); d !== dirname(d); d = dirname(d)) {
    if (basename(d) === 'specs') return d;
  }
  return undefined;
}

/**
 * A spec file -> the complete spec, named `displayName` in errors. The
 * specs it names are looked up with `lookup`, or else in the folder named
 * `specs` that holds the file.
 */
export function loadSpecFile(file: string, displayName = file, lookup?: SpecLookup): LoadedSpec {
  let find = lookup;
  if (!find) {
    const dir = specsDirOf(file);
    if (dir) {
      const inDir = relative(dir, resolve(file));
      const shown = displayName.endsWith(inDir) ? displayName.slice(0, displayName.length - inDir.length).replace(/[\\/]$/, '') : dir;
      find = specFolderLookup(dir, shown === '' ? '.' : shown.split(sep).join('/'));
    }
  }
  return resolveWritten(readSpecText(displayName, readFileSync(file, 'utf8')), find);
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^[0-9]+$/.test(p) ? Number(p) : p));
}

function schemaError(errors: ErrorObject[], where: (path: Path) => Location): SpecError {
  // A oneOf reports every branch's errors. A branch whose required key is
  // missing is the wrong branch: drop its errors, then prefer the deepest.
  const wrongBranch = errors
    .filter((e) => e.keyword === 'required' && /\/oneOf\/[0-9]+\/required$/.test(e.schemaPath))
    .map((e) => `${e.instancePath}|${e.schemaPath.replace(/required$/, '')}`);
  const isWrong = (e: ErrorObject): boolean =>
    wrongBranch.some((w) => {
      const [path, schema] = w.split('|') as [string, string];
      return e.instancePath.startsWith(path) && e.schemaPath.startsWith(schema);
    });
  let candidates = errors.filter((e) => e.keyword !== 'oneOf' && !isWrong(e));
  if (candidates.length === 0) candidates = errors.filter((e) => e.keyword !== 'oneOf');
  if (candidates.length === 0) candidates = errors;
  const best = [...candidates].sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!;
  const path = pointerToPath(best.instancePath);
  let problem: string;
  const p = best.params as Record<string, unknown>;
  switch (best.keyword) {
    case 'additionalProperties':
      return errorAt(where([...path, String(p.additionalProperty)]), `unknown key "${String(p.additionalProperty)}"`);
    case 'required':
      problem = `missing required key "${String(p.missingProperty)}"`;
      break;
    case 'enum':
      problem = `expected one of ${JSON.stringify(p.allowedValues)}`;
      break;
    case 'type':
      problem = `expected ${String(p.type)}`;
      break;
    case 'pattern':
      problem = `does not match the expected form ${String(p.pattern)}`;
      break;
    default:
      problem = `expected a value that ${best.message ?? 'matches the schema'}`;
  }
  return errorAt(where(path), problem);
}

function errorAt(at: Location, problem: string): SpecError {
  return new SpecError(at.file, at.line, at.path.join('.'), problem, at.column);
}
