/** The generator: precise errors for malformed specs, refusal of injection, deterministic output. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { generate, loadSpecs } from '../generator/generate.js';
import { forMinKernel } from '../generator/min-kernel.js';
import { loadProjectSpecs, staleFiles } from '../generator/project.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import { thrown } from './support/thrown.js';
import { parseProcTimerList } from '../generated/parsers/proc/timer_list.js';
import { ProcfsError } from '../runtime/core/errors.js';

const base = (field: string): string => `description: test spec
paths: [/proc/test]
sampling: sampled
layout:
  keyed:
    separator: colon
    fields:
${field}`;

const errorOf = (text: string): SpecError => thrown(() => checkSpec(loadSpecText('specs/proc/test.yaml', text), 'proc/test'), SpecError);

describe('spec errors name the file, the YAML line and the key', () => {
  it('unknown key', () => {
    const e = errorOf(base('      - { key: A, name: a, type: integer, description: x, colour: red }\n'));
    expect(e.file).toBe('specs/proc/test.yaml');
    expect(e.line).toBe(8);
    expect(e.key).toBe('layout.keyed.fields.0.colour');
    expect(e.problem).toMatch(/unknown key "colour"/);
  });
  it('wrong enum value for a unit, on its own line', () => {
    const e = errorOf(base('      - key: A\n        name: a\n        type: integer\n        unit: furlongs\n        description: x\n'));
    expect(e.line).toBe(11);
    expect(e.key).toBe('layout.keyed.fields.0.unit');
    expect(e.problem).toMatch(/expected one of/);
  });
  it('a unit on a non-number', () => {
    const e = errorOf(base('      - key: A\n        name: a\n        type: string\n        unit: kB\n        description: x\n'));
    expect(e.line).toBe(11);
    expect(e.problem).toMatch(/a unit needs a number, not string/);
  });
  it('duplicate names and duplicate keys', () => {
    expect(
      errorOf(base('      - { key: A, name: a, type: integer, description: x }\n      - { key: B, name: a, type: integer, description: y }\n')).problem,
    ).toMatch(/duplicate name "a"/);
    const dup = errorOf(base('      - { key: A, name: a, type: integer, description: x }\n      - { key: A, name: b, type: integer, description: y }\n'));
    expect(dup.problem).toMatch(/duplicate key "A"/);
    expect(dup.line).toBe(9);
  });
  it('keys a file could not print: ":" inside a colon-ended key, white space at an edge', () => {
    expect(errorOf(base('      - { key: "A:B", name: a, type: integer, description: x }\n')).problem).toMatch(/cannot contain ":"/);
    expect(errorOf(base('      - { key: "A ", name: a, type: integer, description: x }\n')).problem).toMatch(/no white space at either end/);
  });
  it('wide and narrow integers: a byte unit or a counter is wide, unless marked narrow; narrow where nothing is wide is refused', () => {
    const wide = (field: string, top = ''): boolean | undefined => {
      const spec = checkSpec(loadSpecText('specs/proc/test.yaml', base(field).replace('sampling: sampled\n', `sampling: sampled\n${top}`)), 'proc/test');
      const f = spec.layout.kind === 'keyed' ? spec.layout.entries[0]!.field.value : undefined;
      return f?.kind === 'integer' ? f.wide === true : undefined;
    };
    expect(wide('      - { key: A, name: a, type: integer, unit: kB, description: x }\n')).toBe(true);
    expect(wide('      - { key: A, name: a, type: integer, measure: counter, description: x }\n')).toBe(true);
    expect(wide('      - { key: A, name: a, type: integer, description: x }\n', 'measure: counter\n')).toBe(true);
    expect(wide('      - { key: A, name: a, type: integer, description: x }\n')).toBe(false);
    expect(wide('      - { key: A, name: a, type: integer, measure: gauge, description: x }\n', 'measure: counter\n')).toBe(false);
    // A counter turned into seconds stays a number.
    expect(wide('      - { key: A, name: a, type: integer, unit: ticks, measure: counter, description: x }\n')).toBe(false);
    expect(wide('      - { key: A, name: a, type: integer, narrow: true, description: x }\n', 'measure: counter\n')).toBe(false);
    expect(wide('      - { key: A, name: a, type: integer, unit: kB, description: x }\n', 'narrow: true\n')).toBe(false);
    const already = errorOf(base('      - { key: A, name: a, type: integer, narrow: true, description: x }\n'));
    expect(already.key).toBe('layout.keyed.fields.0.narrow');
    expect(already.problem).toMatch(/narrow already/);
    expect(errorOf(base('      - { key: A, name: a, type: string, narrow: true, description: x }\n')).problem).toMatch(/narrow already/);
    const both = errorOf(
      base('      - { key: A, name: a, type: integer, unit: kB, narrow: true, description: x }\n').replace(
        'sampling: sampled\n',
        'sampling: sampled\nnarrow: true\n',
      ),
    );
    expect(both.problem).toMatch(/every field is narrow already/);
  });
  it('since after until', () => {
    const e = errorOf(base('      - { key: A, name: a, type: integer, description: x, since: "5.4", until: "4.19" }\n'));
    expect(e.problem).toMatch(/"until" 4.19 is not after "since" 5.4/);
  });
  it('a required token after an optional one', () => {
    const e = errorOf(`description: t
paths: [/proc/test]
sampling: sampled
layout:
  line:
    tokens:
      - { name: a, type: integer, description: x, optional: true }
      - { name: b, type: integer, description: y }
`);
    expect(e.line).toBe(8);
    expect(e.problem).toMatch(/required token cannot follow an optional one/);
  });
  it('optionalEnd: exactly one end mark, and nothing required after a terminator that may be missing', () => {
    const line = (tokens: string): SpecError => errorOf(`description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  line:\n    tokens:\n${tokens}`);
    expect(errorOf(base('      - { key: a, name: a, type: integer, optionalEnd: true, description: x }\n')).problem).toMatch(
      /"optionalEnd" makes a value's "suffix", or a token's "terminator", optional: this one has neither/,
    );
    expect(errorOf(base('      - { key: a, name: a, type: string, optionalEnd: true, description: x }\n')).key).toContain('optionalEnd');
    let e = line('      - { name: a, type: integer, suffix: kB, terminator: ",", optionalEnd: true, description: x }\n');
    expect(e.problem).toMatch(/one end mark optional: this token has a "suffix" and a "terminator"/);
    e = line('      - { name: a, type: integer, terminator: ",", optionalEnd: true, description: x }\n      - { name: b, type: integer, description: y }\n');
    expect([e.line, e.problem]).toEqual([7, expect.stringMatching(/the tokens after it must be optional/)]);
    e = line('      - { name: a, type: integer, terminator: ",", optionalEnd: true, description: x }\n      - { literal: z }\n');
    expect(e.problem).toMatch(/the tokens after it must be optional/);
    // Accepted: a suffix that may be missing, and a terminator with only optional tokens after it.
    const ok = `description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  line:\n    tokens:\n      - { name: a, type: integer, terminator: ",", optionalEnd: true, description: x }\n      - { name: b, type: float, suffix: s, optionalEnd: true, optional: true, description: y }\n`;
    const model = checkSpec(loadSpecText('specs/proc/test.yaml', ok), 'proc/test');
    expect(JSON.stringify(model.layout)).toMatch(/"terminatorOptional":true.*"suffixOptional":true/);
  });
  it('a missing required key', () => {
    const e = errorOf('description: t\npaths: [/proc/test]\nlayout:\n  line: { tokens: [{ literal: x }] }\n');
    expect(e.problem).toMatch(/missing required key "sampling"/);
  });
  it('YAML syntax errors and alias bombs', () => {
    expect(errorOf('description: [unclosed\n').problem).toMatch(/YAML syntax/);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    expect(errorOf(bomb).problem).toMatch(/could not be expanded|alias/i);
  });
  it('constructs of the newer shapes are checked where they are used', () => {
    const spec = (layout: string): string => `description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n${layout}`;
    expect(
      errorOf(
        spec('  line:\n    tokens:\n      - { name: a, type: string, verbatim: true, description: x }\n      - { name: b, type: integer, description: y }\n'),
      ).problem,
    ).toMatch(/"verbatim" keeps the white space/);
    const perColumn = errorOf(
      spec(`  table:
    header:
      tokens:
        - { name: cpus, type: integer, prefix: CPU, repeat: true, description: x }
    tokens:
      - { name: irq, type: string, terminator: ":", description: x }
      - { name: counts, type: integer, perColumn: cpu, description: x }
`),
    );
    expect(perColumn.key).toBe('layout.table.tokens.1.perColumn');
    expect(perColumn.line).toBe(11);
    expect(perColumn.problem).toMatch(/"cpu" is not one/);
    const kind = errorOf(
      spec(`  table:
    rows:
      - variant: a
        description: x
        tokens: [{ name: kind, type: integer, description: x }]
      - variant: b
        description: y
        tokens: [{ name: v, type: integer, description: x }]
`),
    );
    expect(kind.problem).toMatch(/field named "kind"/);
    expect(errorOf(spec(`  table:\n    tokens:\n      - { name: a, type: integer, width: 20, description: x }\n`)).problem).toMatch(
      /"width" reads a padded string column/,
    );
    expect(errorOf(spec(`  table:\n    tokens:\n      - { name: a, type: string, endsAt: "-", description: x }\n`)).problem).toMatch(
      /"endsAt" ends a "repeat" list/,
    );
    expect(
      errorOf(
        spec(`  table:\n    tokens:\n      - { name: a, type: string, repeat: true, description: x }\n      - { name: b, type: string, description: x }\n`),
      ).problem,
    ).toMatch(/must be the last token/);
    const start = errorOf(
      spec(`  blocks:
    startAtHeader: true
    header:
      tokens: [{ name: name, type: string, description: x }]
    body:
      keyed:
        separator: colon
        fields: [{ key: A, name: a, type: integer, description: x }]
`),
    );
    expect(start.key).toBe('layout.blocks.header.tokens.0');
    expect(start.problem).toMatch(/must be recognisable/);
    expect(errorOf(spec(`  items:\n    separator: nul\n    item: { name: a, type: list, of: integer, description: x }\n`)).problem).toMatch(
      /an item is a string, a number, or a pair/,
    );
    const mixed = errorOf(
      spec(`  keyed:
    separator: colon
    fields:
      - { key: Tcp, name: tcp, type: record, columns: { fields: [] }, description: x }
      - { key: Udp, name: udp, type: integer, description: x }
`),
    );
    expect(mixed.key).toBe('layout.keyed.fields.1');
    expect(mixed.problem).toMatch(/every entry needs "columns"/);
    expect(errorOf(spec(`  table:\n    tokens:\n      - { name: a, type: integer, escaped: true, description: x }\n`)).problem).toMatch(
      /"escaped" does not apply to type integer/,
    );
  });
  it('oversized specs', () => {
    expect(errorOf(`description: ${'x'.repeat(300 * 1024)}\n`).problem).toMatch(/larger than/);
  });
});

describe('a spec cannot inject code', () => {
  const hostile = [`a'); process.exit(1); //`, '__proto__', 'constructor', 'extra', 'a b', 'A'];
  for (const name of hostile) {
    it(`refuses the field name ${JSON.stringify(name)}`, () => {
      const e = errorOf(base(`      - { key: A, name: ${JSON.stringify(name)}, type: integer, description: x }\n`));
      expect(e.key).toBe('layout.keyed.fields.0.name');
      expect(e.problem).toMatch(/safe camelCase name/);
    });
  }
  it('refuses a hostile enum name', () => {
    const e = errorOf(
      base(
        `      - key: A\n        name: a\n        type: enum\n        description: x\n        values: [{ raw: R, name: "x\\"); process.exit(1); //", description: y }]\n`,
      ),
    );
    expect(e.problem).toMatch(/not a safe name/);
  });
  it('quotes hostile keys, raw names and descriptions as string literals', () => {
    const evil = `k"); process.exit(1); //`;
    const spec = checkSpec(
      loadSpecText('specs/proc/test.yaml', base(`      - { key: ${JSON.stringify(evil)}, name: a, type: integer, description: "*/ process.exit(1); /*" }\n`)),
      'proc/test',
    );
    const out = generate([spec]);
    const parser = out.get('parsers/proc/test.ts')!;
    expect(parser).toContain(`case ${JSON.stringify(evil)}:`);
    expect(parser).not.toMatch(/^\s*process\.exit/m);
    const types = out.get('types/proc/test.ts')!;
    expect(types).not.toContain('*/ process.exit');
  });
});

describe('generated code', () => {
  // One generation of every spec (it takes seconds), read by both cases.
  const repo = join(import.meta.dirname, '..');
  let made: ReturnType<typeof generate> | undefined;
  const everySpec = (): ReturnType<typeof generate> => (made ??= generate(loadProjectSpecs(repo)));
  it('is byte-identical to the committed generated/, which an earlier process wrote', () => {
    // generated/ was written by `npm run generate` in another process: equal bytes show the output depends on the
    // specs alone (not on hash seeds, timing or the order files are read in), and that generated/ is fresh.
    expect(staleFiles(everySpec(), join(repo, 'generated'))).toEqual([]);
  });
  it('starts every file with a header naming its spec and uses no eval', () => {
    for (const [path, text] of everySpec()) {
      expect(text.split('\n')[0], path).toMatch(/Code generated by procspec's generator from (specs\/\S+\.yaml|specs\/|every spec)/);
      if (path.endsWith('.ts')) {
        expect(text).not.toMatch(/\beval\(|new Function\(/);
      }
    }
  });
});

describe('a target kernel (npm run generate -- --min-kernel)', () => {
  const repo = join(import.meta.dirname, '..');
  const meminfo = loadSpecs(join(repo, 'specs'), repo).read.filter((s) => s.id === 'proc/meminfo' || s.id === 'proc/pid/stat');
  it('makes a field every kernel from the target on prints required, in the type and the parser', () => {
    const every = generate(meminfo);
    const from54 = generate(forMinKernel(meminfo, '5.4'));
    // MemAvailable came in 3.14: optional for every kernel, required from 5.4.
    expect(every.get('types/proc/meminfo.ts')).toMatch(/memAvailable\?: N;/);
    expect(from54.get('types/proc/meminfo.ts')).toMatch(/memAvailable: N;/);
    expect(from54.get('parsers/proc/meminfo.ts')).toContain('s.missing("the key \\"MemAvailable\\"")');
    // A field that depends on the configuration (CmaTotal, CONFIG_CMA) or came later (Unaccepted, 6.5) stays optional.
    expect(from54.get('types/proc/meminfo.ts')).toMatch(/cmaTotal\?: N;/);
    expect(from54.get('types/proc/meminfo.ts')).toMatch(/unaccepted\?: N;/);
    // pid/stat's tokens: those since 2.6.x become required, in order.
    expect(from54.get('types/proc/pid/stat.ts')).toMatch(/guestTime: number;/);
  });
  it('never makes a token required after one that stays optional', () => {
    const stat = structuredClone(meminfo.find((s) => s.id === 'proc/pid/stat')!);
    const tokens = (stat.layout as { record: { tokens: { kind: string; field?: { name: string; optional: boolean; since?: string } }[] } }).record.tokens;
    const fields = tokens.flatMap((t) => (t.field ? [t.field] : []));
    const guest = fields.findIndex((f) => f.name === 'guestTime');
    // A token before guest_time that no target makes required (optional, with no kernel version).
    const before = fields[guest - 1]!;
    before.optional = true;
    delete before.since;
    const [from54] = forMinKernel([stat], '5.4');
    const after = (from54!.layout as typeof stat.layout & { record: { tokens: typeof tokens } }).record.tokens.flatMap((t) => (t.field ? [t.field] : []));
    expect(after[guest - 1]!.optional).toBe(true);
    expect(after[guest]!.optional).toBe(true);
  });
  it('refuses a version that is not one', () => {
    expect(() => forMinKernel(meminfo, 'latest')).toThrow(/--min-kernel latest/);
  });
});

describe('optionalEnd in a generated parser (timer_list)', () => {
  const cpu = (timer: string, hang: string): string => `cpu: 0
 clock 0:
  .base:       ffff88007fc0e7a0
  .index:      0
  .resolution: 1 nsecs
active timers:
 #0: ${timer}
 # expires at 2000-3000 nsecs [in 1000 to 2000 nsecs]
  .expires_next   : 2000 nsecs
  .max_hang_time  : ${hang}
  .nohz_mode      : 2
jiffies: 4294967296
`;
  const first = (text: string) => {
    const block = parseProcTimerList(text)[0];
    if (block?.kind !== 'cpu') throw new Error('no cpu block');
    const { expiry: _, ...timer } = block.clocks[0]!.clock.activeTimers.timers[0]!;
    return { timer, maxHangTime: block.maxHangTime };
  };

  it('reads .max_hang_time with its nsecs (3.10) and without (4.4)', () => {
    expect(first(cpu('<ffff88007fc0e8e0>, tick_sched_timer, S:01', '5000 nsecs')).maxHangTime).toBe(5e-6);
    expect(first(cpu('<ffff88007fc0e8e0>, tick_sched_timer, S:01', '5000')).maxHangTime).toBe(5e-6);
  });

  it('keeps the CONFIG_TIMER_STATS tail of a timer line as optional fields, absent when not printed', () => {
    expect(first(cpu('<ffff88007fc0e8e0>, tick_sched_timer, S:01', '0')).timer).toEqual({
      index: 0,
      timer: '<ffff88007fc0e8e0>',
      callback: 'tick_sched_timer',
      state: 1,
    });
    expect(first(cpu('<ffff88007fc0e8e0>, tick_sched_timer, S:01, <0000000000000000>, /-1', '0')).timer).toEqual({
      index: 0,
      timer: '<ffff88007fc0e8e0>',
      callback: 'tick_sched_timer',
      state: 1,
      startSite: '<0000000000000000>',
      startComm: '',
      startPid: -1,
    });
    // A task name may hold a slash and spaces: the pid follows the last slash.
    expect(first(cpu('<ffff8800b9a7be58>, hrtimer_wakeup, S:01, hrtimer_start_range_ns, rs:main Q/Reg/1025', '0')).timer).toMatchObject({
      startSite: 'hrtimer_start_range_ns',
      startComm: 'rs:main Q/Reg',
      startPid: 1025,
    });
  });

  it('refuses text no kernel prints, with a parse error', () => {
    for (const bad of ['<ffff88007fc0e8e0>, tick_sched_timer, S:01 junk', '<ffff88007fc0e8e0>, tick_sched_timer, S:01, site, comm']) {
      expect(() => parseProcTimerList(cpu(bad, '0')), bad).toThrow(ProcfsError);
    }
    expect(() => parseProcTimerList(cpu('<ffff88007fc0e8e0>, tick_sched_timer, S:01', '0 msecs'))).toThrow(ProcfsError);
  });
});
