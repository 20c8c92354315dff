/**
 * Runs each probe of samples/probes.ts once under the meter (run with
 * runMetered) and prints their counts, as JSON: {name: [count, unknown]}.
 */
import { meter } from './meter.js';
import * as probes from './samples/probes.js';

const text = `${'a'.repeat(1000)}x`;
const bytes = Buffer.from('b'.repeat(100), 'latin1');
const runs: Record<string, () => unknown> = {
  'this.text.indexOf, found': () => new probes.Text(text).find('x', 10),
  'this.text.indexOf, not found': () => new probes.Text(text).find('y', 10),
  'indexOf on a local': () => new probes.Text(text).findInLocal('x', 10),
  'indexOf held in a variable, by call()': () => probes.heldIndexOf(text, 'x', 10),
  'isAscii held in a variable': () => probes.heldIsAscii(bytes),
  'for loop of 50': () => probes.loop(50),
  'while loop of 50 calling a function': () => probes.whileCalling(50),
  latin1Slice: () => probes.latin1(bytes),
  'TextDecoder.decode': () => probes.decoded(bytes),
  strings: () => probes.strings(`${'abc,'.repeat(250)}x`),
  push: () => probes.pushes(),
  'a bound function': () => probes.bound(text),
};
const out: Record<string, [number, string[]]> = {};
for (const [name, run] of Object.entries(runs)) {
  meter.reset();
  run();
  out[name] = [meter.n, [...meter.unknown]];
}
process.stdout.write(`${JSON.stringify(out)}\n`);
