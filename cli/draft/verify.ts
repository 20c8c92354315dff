/**
 * A draft checked the way the generator checks specs (the YAML against the
 * schema, then the semantic checks), and parsed back: the parser generated
 * from it must read the sample it was drafted from. This module loads the
 * generator: the command imports it only when it drafts.
 */
import { checkSpec } from '../../generator/check.js';
import { loadSpecText } from '../../generator/load.js';
import { contextOf } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import type { SpecModel } from '../../runtime/model/model.js';
import { loadSpecParser } from '../../tools/try-spec.js';

export { SpecError } from '../../generator/spec-error.js';

/** The checked model of the draft's YAML, as `specs/<id>.yaml`; throws SpecError when the draft breaks a rule. */
export function checkDraft(yaml: string, id: string): SpecModel {
  return checkSpec(loadSpecText(`specs/${id}.yaml`, yaml), id);
}

/** Parses `text` (the sample, named `file` in errors) with the parser generated from `spec`: the error, or undefined when it parses. */
export async function parseBack(spec: SpecModel, text: string, file: string): Promise<ProcfsError | undefined> {
  const parse = await loadSpecParser(spec);
  try {
    parse(text, contextOf({ file }));
    return undefined;
  } catch (err) {
    if (err instanceof ProcfsError) return err;
    throw err;
  }
}
