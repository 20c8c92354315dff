/**
 * Hostile data aimed at known weak spots: keys that name Object.prototype's
 * members, and process names built to break stat and status parsers (the
 * kernel prints a task name as it is in stat, so it may hold spaces, both
 * parentheses and even a newline; in status it escapes only the newline and
 * the backslash).
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { parseProcPidStat } from '../../generated/parsers/proc/pid/stat.js';
import { parseProcPidStatus } from '../../generated/parsers/proc/pid/status.js';
import { contextOf } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { HOSTILE_KEYS } from './mutate.js';
import { prototypeUntouched } from './oracle.js';
import { RUNS, SEED } from './run.js';
import { seedsFor } from './seeds.js';

const ctx = contextOf({ file: '<hostile>' });

/** Objects in a parsed value whose prototype is not that of a plain object, an array or null. */
function oddPrototypes(v: unknown, path = '$', out: string[] = []): string[] {
  if (v === null || typeof v !== 'object') return out;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) out.push(path);
  for (const [k, x] of Object.entries(v)) oddPrototypes(x, `${path}.${k}`, out);
  return out;
}

describe('keys named after Object.prototype members never reach a prototype', () => {
  for (const entry of registry) {
    it(entry.id, () => {
      const seeds = seedsFor(registry, entry).slice(0, 3);
      for (const seed of seeds) {
        const lines = seed.text.split('\n');
        for (const key of HOSTILE_KEYS) {
          for (const line of [`${key}: 1`, `${key}:\t7 kB`, `${key} 1`, `${key}=1`, `${key} ${key} ${key}`]) {
            for (const at of [0, 1, lines.length - 1]) {
              const text = [...lines.slice(0, at), line, ...lines.slice(at)].join('\n');
              let value: unknown;
              try {
                value = entry.parse(text, ctx);
              } catch (err) {
                if (!(err instanceof ProcfsError) || err.code !== 'parse') throw err;
                continue;
              }
              expect(oddPrototypes(value), `${seed.from} with ${JSON.stringify(line)}`).toEqual([]);
            }
          }
        }
      }
      expect(prototypeUntouched()).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('a hostile key is kept as an own property of a null-prototype extra (nothing the kernel printed is lost)', () => {
    const text = `${readFileSync('/proc/meminfo', 'utf8')}__proto__: 5 kB\nconstructor: 6\n`;
    const r = registry.find((e) => e.id === 'proc/meminfo')!.parse(text, ctx) as { extra?: Record<string, unknown> };
    expect(Object.getPrototypeOf(r.extra)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(r.extra, '__proto__')?.value).toBe(5 * 1024);
    expect(r.extra!.constructor).toBe(6);
  });
});

/** Task names as the kernel may hold them: up to 15 bytes of anything but NUL, biased to the characters parsers trip on. */
const taskName = fc
  .array(
    fc.oneof(
      fc.constantFrom(')', '(', ' ', '\n', '\t', '\\', 'R', 'S', '1', '-', ':'),
      fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme-ascii' }).filter((c) => c !== '\0'),
    ),
    { minLength: 1, maxLength: 15 },
  )
  .map((cs) => cs.join(''));

describe(`adversarial task names (seed ${SEED}, ${RUNS} cases)`, () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const status = readFileSync('/proc/self/status', 'utf8');
  it('stat: the name comes back exactly, and the fields after it are not shifted', () => {
    const self = parseProcPidStat(stat, ctx);
    fc.assert(
      fc.property(taskName, (name) => {
        const text = `${stat.slice(0, stat.indexOf('(') + 1)}${name}${stat.slice(stat.lastIndexOf(')'))}`;
        const r = parseProcPidStat(text, ctx);
        expect(r.comm).toBe(name);
        expect([r.pid, r.state, r.ppid, r.starttime]).toEqual([self.pid, self.state, self.ppid, self.starttime]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
  it('status: the name comes back exactly from its escaped form', () => {
    fc.assert(
      fc.property(taskName, (name) => {
        const escaped = name.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
        const text = status.replace(/^Name:\t.*$/m, `Name:\t${escaped.replace(/\$/g, '$$$$')}`);
        expect(parseProcPidStatus(text, ctx).name).toBe(name);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
