/**
 * Spec files -> plain objects checked against the JSON Schema of the spec
 * language. Errors name the spec file, the YAML line and the key path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { SpecError } from './spec-error.js';

const schemaPath = fileURLToPath(new URL('./spec.schema.json', import.meta.url));
const schema: unknown = JSON.parse(readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema as object);

/** Largest spec file accepted, in bytes. */
export const MAX_SPEC_BYTES = 256 * 1024;
/** Most YAML aliases a spec may use (an alias bomb expands without bound). */
const MAX_ALIAS_COUNT = 16;

/** A spec as written, with a way to find the YAML line of any key path. */
export interface LoadedSpec {
  file: string;
  data: unknown;
  lineOf(path: readonly (string | number)[]): number;
}

export function loadSpecText(file: string, text: string): LoadedSpec {
  if (Buffer.byteLength(text) > MAX_SPEC_BYTES) {
    throw new SpecError(file, 1, '', `spec is larger than ${MAX_SPEC_BYTES} bytes`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lineCounter.linePos(e.pos[0]).line;
    throw new SpecError(file, line, '', `YAML syntax: ${e.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new SpecError(file, 1, '', `YAML could not be expanded: ${(err as Error).message}`);
  }
  const lineOf = (path: readonly (string | number)[]): number => nodeLine(doc, lineCounter, path);
  if (!validate(data)) {
    throw schemaError(file, validate.errors ?? [], lineOf);
  }
  return { file, data, lineOf };
}

export function loadSpecFile(file: string, displayName = file): LoadedSpec {
  return loadSpecText(displayName, readFileSync(file, 'utf8'));
}

function nodeLine(doc: Document, lc: LineCounter, path: readonly (string | number)[]): number {
  // Walk down as far as the path exists; report the deepest node found.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    if (n === 0 && doc.contents && isNode(doc.contents) && doc.contents.range) {
      return lc.linePos(doc.contents.range[0]).line;
    }
  }
  return 1;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^[0-9]+$/.test(p) ? Number(p) : p));
}

function schemaError(file: string, errors: ErrorObject[], lineOf: LoadedSpec['lineOf']): SpecError {
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
  let key = path.join('.');
  let problem: string;
  const p = best.params as Record<string, unknown>;
  switch (best.keyword) {
    case 'additionalProperties':
      key = [...path, String(p.additionalProperty)].join('.');
      problem = `unknown key "${String(p.additionalProperty)}"`;
      return new SpecError(file, lineOf([...path, String(p.additionalProperty)]), key, problem);
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
  return new SpecError(file, lineOf(path), key, problem);
}
