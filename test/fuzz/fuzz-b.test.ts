/** Second half of the fuzz pass (see run.ts); the halves run in parallel. */
import { fuzzSpecs } from './run.js';

fuzzSpecs(1, 2);
