/** procspec's public API: the generated parsers and a ProcFs bound to them. */
import { registry, writers, type SpecTypes, type WriterTypes } from '../generated/index.js';
import { ProcFs as BaseProcFs, type ProcFsOptions } from './procfs.js';

export * from '../generated/index.js';
export { ProcfsError, type ProcfsErrorCode } from './errors.js';
export { DEFAULT_CONTEXT, contextOf, type ParseContext } from './context.js';
export { toJson } from './json.js';
export { specForPath, resolvePath, type PathParams } from './paths.js';
export { readFileSync, readFileAsync } from './read.js';
export { systemFacts, kernelRelease, compareKernel, type SystemFacts, type KernelRelease } from './system.js';
export type { SpecModel } from './model.js';
export type { ProcFsOptions } from './procfs.js';

/** Reads and parses /proc files (or a copy under another root) with every spec of procspec. */
export class ProcFs extends BaseProcFs<SpecTypes, WriterTypes> {
  constructor(options: ProcFsOptions = {}) {
    super(registry, options, writers);
  }
}
