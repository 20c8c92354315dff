/**
 * A full GC between scrapes leaves the exporter's compiled code alone. V8 drops an object shape
 * that no live object has at a full GC (a shape reached only through weak links, as a class's
 * built instances and object literals' are), and deoptimizes all code compiled against it. Between
 * two scrapes nothing of a collection used to be alive, so each full GC sent the scanner's methods,
 * the parsers and the walks back to the interpreter (34-86 functions here, some 700 after 7,000
 * scrapes), to be compiled again over the following scrapes. Scan.kept and the collection that
 * Collections holds keep those shapes.
 *
 * Counted, not timed: V8's own trace (--trace-deopt) of a child node that scrapes until its code
 * is optimized, forces full GCs between scrapes, and prints how many functions were sent back.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_SOURCES, distIsFresh, repo } from '../support/cli.js';

// The built copy when it is fresh (`npm test` builds it first), else the sources through tsx, whose loader adds a few
// deoptimizations of node's own message port code to the count.
const built = distIsFresh();
const modules = built ? join(repo, 'dist') : repo;
const ext = built ? 'js' : 'ts';
const SCRIPT = `
import { ProcFs } from ${JSON.stringify(join(modules, 'runtime', `index.${ext}`))};
import { Exporter } from ${JSON.stringify(join(modules, 'exporter', `exporter.${ext}`))};
const ex = new Exporter(new ProcFs({ bigint: true }), { disableDefaults: true, enable: ['stat', 'meminfo', 'vmstat', 'net_dev', 'net_snmp', 'loadavg'] });
for (let i = 0; i < 3000; i++) await ex.scrape();
// A first full GC, not counted: it takes the shapes of loading (node's module loader, URLs) with the code made for them.
globalThis.gc();
for (let i = 0; i < 1500; i++) await ex.scrape();
console.log('MARK warm');
for (let k = 0; k < 3; k++) {
  await new Promise((r) => setImmediate(r));
  globalThis.gc();
  await ex.scrape();
}
console.log('MARK done');
ex.close();
`;

describe('full GCs between scrapes', () => {
  it('deoptimize none of the code the scrapes were compiled to', { timeout: 120_000 }, () => {
    const loader = built ? [] : [CLI_SOURCES[1], CLI_SOURCES[2]];
    const r = spawnSync(CLI_SOURCES[0], ['--expose-gc', '--trace-deopt', '--no-memory-reducer', ...loader, '--input-type=module', '-e', SCRIPT], {
      cwd: repo,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.stderr.replace(/^.*ExperimentalWarning.*$/gm, '').trim()).toBe('');
    expect(r.status).toBe(0);
    const after = r.stdout.split('MARK warm')[1] ?? '';
    expect(after).toContain('MARK done');
    // Functions marked for deoptimization because an object their code named died in the GC.
    const dropped = after.split('\n').filter((l) => l.includes('reason: weak objects'));
    // A few may go (node's own, and code compiled for a shape since replaced): 4 with the built copy; before the
    // shapes were held, 34-86 did.
    expect(dropped.length, dropped.slice(0, 20).join('\n')).toBeLessThanOrEqual(20);
  });
});
