/**
 * The spec language's ways of writing a thing once (generator/resolve.ts):
 * names from kernel names, defaults, fragments, extends; their errors, at
 * the file, line and column that cause them; reserved words as field
 * names. The spec formatter has its own test (spec-format.test.ts).
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { generate } from '../generator/generate.js';
import { loadSpecText, readSpecText, type SpecLookup } from '../generator/load.js';
import { nameOfKernelName } from '../generator/names.js';
import { SpecError } from '../generator/spec-error.js';
import type { FieldModel, LayoutModel, SpecModel } from '../runtime/model/model.js';
import { loadSpecParser } from '../tools/try-spec.js';
import { thrown } from './support/thrown.js';

/** Specs by id, as files under specs/ would hold them: a lookup for `extends` and `from`, and a loader. */
function library(texts: Record<string, string>) {
  const lookup: SpecLookup = (id) => (texts[id] === undefined ? undefined : readSpecText(`specs/${id}.yaml`, texts[id]));
  const load = (id: string): SpecModel => checkSpec(loadSpecText(`specs/${id}.yaml`, texts[id]!, lookup), id);
  const error = (id: string): SpecError => thrown(() => load(id), SpecError);
  return { lookup, load, error };
}

const keyed = (fields: string, extra = ''): string =>
  `description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  keyed:\n    separator: colon\n${extra}    fields:\n${fields}`;

/** The fields of a keyed layout, by name. */
function fieldsOf(layout: LayoutModel): Record<string, FieldModel> {
  if (layout.kind !== 'keyed') throw new Error(`not keyed: ${layout.kind}`);
  return Object.fromEntries(layout.entries.map((e) => [e.field.name, e.field]));
}

describe('a field without "name" is named by its kernel name', () => {
  it('the plain camelCase of the key, line or raw name', () => {
    const cases: [string, string][] = [
      ['MemTotal', 'memTotal'],
      ['Active(anon)', 'activeAnon'],
      ['nr_free_pages', 'nrFreePages'],
      ['HugePages_Total', 'hugePagesTotal'],
      ['Ip6ReasmOKs', 'ip6ReasmOKs'],
      ['AVX512_elapsed_ms', 'avx512ElapsedMs'],
      ['XMLHttp', 'xmlHttp'],
      ['TCPHPHits', 'tcphpHits'],
      ['#subsys_name', 'subsysName'],
      ['per-node stats', 'perNodeStats'],
      ['ifIndex', 'ifIndex'],
    ];
    for (const [kernel, name] of cases) expect(nameOfKernelName(kernel), kernel).toBe(name);
  });
  it('in keyed entries, tokens, pairs and columns; a written name wins', () => {
    const spec = checkSpec(
      loadSpecText(
        'specs/proc/test.yaml',
        keyed(`      - {key: MemTotal, type: integer, description: x}
      - {key: Other_Key, name: renamed, type: integer, description: x}
      - key: Row
        type: record
        description: x
        tokens:
          - {raw: tx_queue, type: integer, description: x}
          - {name: plain, type: integer, description: x}
        pairs:
          separator: "="
          fields:
            - {raw: SomeKey, type: integer, description: x}
`),
      ),
      'proc/test',
    );
    const f = fieldsOf(spec.layout);
    expect(Object.keys(f)).toEqual(['memTotal', 'renamed', 'row']);
    const row = f.row!.value;
    if (row.kind !== 'record') throw new Error('not a record');
    expect(row.record.tokens.map((t) => (t.kind === 'field' ? [t.field.name, t.field.raw] : []))).toEqual([
      ['txQueue', 'tx_queue'],
      ['plain', 'plain'],
    ]);
    expect(row.record.pairs?.fields.map((x) => [x.name, x.raw])).toEqual([['someKey', 'SomeKey']]);
  });
  it('refuses a kernel name that gives no safe name, at the key, asking for a "name"', () => {
    const e = thrown(
      () =>
        checkSpec(
          loadSpecText('specs/proc/test.yaml', keyed('      - {key: A, type: integer, description: x}\n      - {key: 1min, type: integer, description: x}\n')),
          'proc/test',
        ),
      SpecError,
    );
    expect([e.line, e.column, e.key]).toEqual([9, 15, 'layout.keyed.fields.1.key']);
    expect(e.problem).toBe('the key "1min" gives the name "1min", which is not a safe camelCase name: write a "name"');
  });
  it('says which key gave a duplicate name', () => {
    const e = thrown(
      () =>
        checkSpec(
          loadSpecText('specs/proc/test.yaml', keyed('      - {key: a_b, type: integer, description: x}\n      - {key: A-b, type: integer, description: x}\n')),
          'proc/test',
        ),
      SpecError,
    );
    expect(e.problem).toBe('duplicate name "aB" (the name the key "A-b" gives)');
  });
  it('a token with neither a name nor a raw name is refused', () => {
    const e = thrown(
      () =>
        checkSpec(
          loadSpecText(
            'specs/proc/test.yaml',
            'description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  line:\n    tokens:\n      - {type: integer, description: x}\n',
          ),
          'proc/test',
        ),
      SpecError,
    );
    expect([e.line, e.key]).toEqual([7, 'layout.line.tokens.0']);
    expect(e.problem).toMatch(/missing required key "name"/);
  });
});

describe('a reserved word of JavaScript is a field name', () => {
  const words = ['interface', 'default', 'new', 'class', 'delete', 'in', 'function', 'this', 'let', 'yield', 'await', 'enum', 'static'];
  const text = `description: t
paths: [/proc/test]
sampling: sampled
layout:
  keyed:
    separator: colon
    fields:
${words.map((w) => `      - {key: ${w}, type: integer, description: x}`).join('\n')}
      - key: pair
        name: if
        type: pair
        separator: /
        description: x
        first: {name: return, type: string, description: x}
        second: {name: var, type: string, optional: true, description: x}
      - key: cpu
        name: for
        indexed: {name: case, description: x}
        type: record
        description: x
        tokens:
          - {name: switch, type: integer, description: x}
          - {name: catch, type: string, optional: true, description: x}
        pairs:
          separator: "="
          fields:
            - {raw: do, type: integer, optional: true, description: x}
      - key: list
        name: const
        type: list
        of: integer
        description: x
`;
  it('is accepted, and the generated parser compiles and reads it', async () => {
    const spec = checkSpec(loadSpecText('specs/proc/test.yaml', text), 'proc/test');
    for (const [path, code] of generate([spec])) {
      if (!path.endsWith('.ts')) continue;
      const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      expect(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')) ?? [], path).toEqual([]);
    }
    const parse = await loadSpecParser(spec);
    const value = parse(
      `${words.map((w, i) => `${w}: ${i}`).join('\n')}\npair: 7/x\ncpu0: 1 a do=2\ncpu1: 3\nlist: 1 2 3\n`,
      (await import('../runtime/core/context.js')).contextOf({ file: 'test' }),
    ) as Record<string, unknown>;
    expect(value).toMatchObject(Object.fromEntries(words.map((w, i) => [w, i])));
    expect(value.if).toEqual({ return: '7', var: 'x' });
    expect(value.for).toEqual([
      { case: 0, switch: 1, catch: 'a', do: 2 },
      { case: 1, switch: 3 },
    ]);
    expect(value.const).toEqual([1, 2, 3]);
  });
  it('while the members of Object.prototype and "extra" stay refused', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'extra']) {
      const e = thrown(
        () => checkSpec(loadSpecText('specs/proc/test.yaml', keyed(`      - {key: A, name: ${name}, type: integer, description: x}\n`)), 'proc/test'),
        SpecError,
      );
      expect(e.problem, name).toMatch(/not a safe camelCase name/);
    }
  });
});

describe('defaults of a list of fields', () => {
  const defaults = '    defaults: {type: integer, unit: kB, suffix: kB}\n';
  it('complete each field that does not write its own type, key by key', () => {
    const spec = checkSpec(
      loadSpecText(
        'specs/proc/test.yaml',
        keyed(
          `      - {key: MemTotal, description: x}
      - {key: Bytes, unit: bytes, since: "4.0", description: x}
      - {key: Count, type: integer, description: x}
      - {key: Name, type: string, description: x}
`,
          defaults,
        ),
      ),
      'proc/test',
    );
    const f = fieldsOf(spec.layout);
    expect(f.memTotal!.value).toMatchObject({ kind: 'integer', unit: 'kB', suffix: 'kB' });
    expect(f.bytes!.value).toMatchObject({ kind: 'integer', unit: 'bytes', suffix: 'kB' });
    expect(f.bytes!.since).toBe('4.0');
    // A field that says its own type takes nothing from the defaults.
    expect(f.count!.value).toEqual({ kind: 'integer', signed: false, hex: false, sentinels: [] });
    expect(f.name!.value).toEqual({ kind: 'string', escaped: false });
  });
  it('is the same model as the fields written out', () => {
    const short = checkSpec(loadSpecText('specs/proc/test.yaml', keyed('      - {key: MemTotal, description: x}\n', defaults)), 'proc/test');
    const long = checkSpec(
      loadSpecText('specs/proc/test.yaml', keyed('      - {key: MemTotal, name: memTotal, type: integer, unit: kB, suffix: kB, description: x}\n')),
      'proc/test',
    );
    expect(short).toEqual(long);
  });
  it('apply in columns and pairs, not to a section line', () => {
    const columns = checkSpec(
      loadSpecText(
        'specs/proc/test.yaml',
        keyed(`      - key: Tcp
        type: record
        description: x
        columns:
          defaults: {type: integer, measure: counter}
          fields:
            - {raw: InSegs, description: x}
            - {raw: MaxConn, type: integer, signed: true, description: x}
`),
      ),
      'proc/test',
    );
    const tcp = fieldsOf(columns.layout).tcp!.value;
    if (tcp.kind !== 'record') throw new Error('not a record');
    expect(tcp.record.columns?.fields.map((c) => [c.name, c.value.kind, c.measure])).toEqual([
      ['inSegs', 'integer', 'counter'],
      ['maxConn', 'integer', undefined],
    ]);
    const pairs = checkSpec(
      loadSpecText(
        'specs/proc/test.yaml',
        'description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  line:\n    pairs:\n      separator: " "\n      defaults: {type: integer, unit: pages}\n      fields:\n        - {raw: inuse, description: x}\n',
      ),
      'proc/test',
    );
    expect(pairs.layout.kind === 'line' && pairs.layout.record.pairs?.fields[0]?.value).toMatchObject({ kind: 'integer', unit: 'pages' });
    const section = checkSpec(
      loadSpecText(
        'specs/proc/test.yaml',
        keyed(
          `      - {key: nr, description: x}
      - line: per-node stats
        description: x
        section:
          layout:
            keyed:
              separator: space
              fields:
                - {key: nr, type: integer, description: x}
`,
          '    defaults: {type: integer}\n',
        ),
      ),
      'proc/test',
    );
    expect(fieldsOf(section.layout).perNodeStats!.value.kind).toBe('string');
  });
  it('a problem a default makes is reported at the field that takes it', () => {
    const e = thrown(
      () =>
        checkSpec(
          loadSpecText(
            'specs/proc/test.yaml',
            keyed(
              '      - {key: A, type: integer, unit: kB, description: x}\n      - {key: B, description: x}\n',
              '    defaults: {type: integer, narrow: true}\n',
            ),
          ),
          'proc/test',
        ),
      SpecError,
    );
    expect([e.line, e.column, e.key]).toEqual([10, 9, 'layout.keyed.fields.1.narrow']);
    expect(e.problem).toMatch(/narrow already/);
  });
  it('a default that is no key of a field is refused where it is written', () => {
    const e = thrown(
      () =>
        checkSpec(loadSpecText('specs/proc/test.yaml', keyed('      - {key: A, description: x}\n', '    defaults: {type: integer, name: a}\n')), 'proc/test'),
      SpecError,
    );
    expect([e.line, e.key, e.problem]).toEqual([7, 'layout.keyed.defaults.name', 'unknown key "name"']);
  });
});

const snmp = `description: system-wide counters
paths: [/proc/net/snmp6]
sampling: sampled
measure: counter
fragments:
  ip6:
    - {key: Ip6InReceives, description: received}
    - {include: icmp6}
  icmp6:
    - {key: Icmp6InMsgs, description: messages}
    - {key: Icmp6Bad, type: string, unit: kB, description: bad}
layout:
  keyed:
    separator: space
    defaults: {type: integer}
    fields:
      - {include: ip6}
      - {key: Udp6InDatagrams, description: datagrams}
`;

describe('fragments', () => {
  const iface = (fields: string): string =>
    `description: per interface\npaths: [/proc/net/dev_snmp6/x]\nsampling: sampled\nlayout:\n  keyed:\n    separator: space\n    defaults: {type: integer}\n    fields:\n${fields}`;
  it('a list of fields includes one of its spec, or of another, and fragments include fragments', () => {
    const lib = library({
      'proc/net/snmp6': snmp.replace('    - {key: Icmp6Bad, type: string, unit: kB, description: bad}\n', ''),
      'proc/net/iface': iface('      - {key: ifIndex, description: index}\n      - {include: ip6, from: proc/net/snmp6}\n'),
    });
    expect(Object.keys(fieldsOf(lib.load('proc/net/snmp6').layout))).toEqual(['ip6InReceives', 'icmp6InMsgs', 'udp6InDatagrams']);
    const f = fieldsOf(lib.load('proc/net/iface').layout);
    expect(Object.keys(f)).toEqual(['ifIndex', 'ip6InReceives', 'icmp6InMsgs']);
    // The included fields take the defaults of the list they are in.
    expect(f.icmp6InMsgs!.value.kind).toBe('integer');
  });
  it('a problem in an included field is reported where the fragment writes it', () => {
    const lib = library({ 'proc/net/snmp6': snmp, 'proc/net/iface': iface('      - {include: icmp6, from: proc/net/snmp6}\n') });
    const e = lib.error('proc/net/iface');
    expect([e.file, e.line, e.column, e.key]).toEqual(['specs/proc/net/snmp6.yaml', 11, 43, 'fragments.icmp6.1.unit']);
    expect(e.problem).toMatch(/a unit needs a number, not string/);
  });
  it('a field both included and written is refused, naming both places', () => {
    const lib = library({
      'proc/net/snmp6': snmp.replace('    - {key: Icmp6Bad, type: string, unit: kB, description: bad}\n', ''),
      'proc/net/iface': iface('      - {include: ip6, from: proc/net/snmp6}\n      - {key: Icmp6InMsgs, description: again}\n'),
    });
    const e = lib.error('proc/net/iface');
    expect([e.file, e.line, e.column, e.key]).toEqual(['specs/proc/net/iface.yaml', 10, 9, 'layout.keyed.fields.1']);
    expect(e.problem).toBe(
      'the key "Icmp6InMsgs" is in fragment "icmp6" at specs/proc/net/snmp6.yaml:10:7 and written at specs/proc/net/iface.yaml:10:9: a field is written once',
    );
  });
  it('refuses an unknown fragment, an unknown spec, a cycle, and "from" without the specs folder', () => {
    const lib = library({
      'proc/net/snmp6': snmp,
      'proc/a': iface('      - {include: ip7, from: proc/net/snmp6}\n'),
      'proc/b': iface('      - {include: ip6, from: proc/net/nope}\n'),
      'proc/c': `${iface('      - {include: one}\n')}fragments:\n  one:\n    - {include: two}\n  two:\n    - {key: A, description: x}\n    - {include: one}\n`,
    });
    let e = lib.error('proc/a');
    expect([e.line, e.column, e.key]).toEqual([9, 19, 'layout.keyed.fields.0.include']);
    expect(e.problem).toBe('no fragment "ip7" in specs/proc/net/snmp6.yaml (its fragments: ip6, icmp6)');
    e = lib.error('proc/b');
    expect([e.line, e.key]).toEqual([9, 'layout.keyed.fields.0.from']);
    expect(e.problem).toMatch(/"from" names "proc\/net\/nope", and there is no spec of that id/);
    e = lib.error('proc/c');
    expect([e.line, e.key]).toEqual([15, 'fragments.two.1.include']);
    expect(e.problem).toBe('fragment "one" includes itself: specs/proc/c.yaml#one -> specs/proc/c.yaml#two -> specs/proc/c.yaml#one');
    e = thrown(() => loadSpecText('specs/proc/a.yaml', iface('      - {include: ip6, from: proc/net/snmp6}\n')), SpecError);
    expect(e.problem).toMatch(/without the folder of specs/);
  });
  it('an include takes no other key than "from"', () => {
    const e = thrown(() => loadSpecText('specs/proc/a.yaml', iface('      - {include: ip6, description: x}\n')), SpecError);
    expect(e.line).toBe(9);
    expect(e.problem).toMatch(/unknown key|missing required key/);
  });
});

const tcp = `description: TCP over IPv4
paths: [/proc/net/tcp]
sampling: sampled
layout:
  table:
    skip: 1
    tokens:
      - {raw: sl, name: slot, type: integer, terminator: ":", description: row}
      - raw: local_address
        name: local
        type: pair
        separator: ":"
        description: local address and port
        first: {name: address, type: inet, order: host, description: Local IPv4 address}
        second: {name: port, type: integer, hex: true, description: port}
      - {raw: rem_address, name: remote, type: string, description: remote}
      - {name: uid, type: integer, description: user}
`;

describe('a spec that extends another', () => {
  const tcp6 = (rest = ''): string => `extends: proc/net/tcp\ndescription: TCP over IPv6\npaths: [/proc/net/tcp6]\n${rest}`;
  it('takes its layout and keys, with its own description and paths and the fields it overrides', () => {
    const lib = library({
      'proc/net/tcp': tcp,
      'proc/net/tcp6': tcp6(
        'override:\n  local: {raw: local6}\n  local.address: {description: Local IPv6 address}\n  remote: {raw: remote_address}\n  local.port: {hex: false}\n',
      ),
    });
    const base = lib.load('proc/net/tcp');
    const derived = lib.load('proc/net/tcp6');
    expect([derived.typeName, derived.parseName, derived.description, derived.paths, derived.sampling]).toEqual([
      'ProcNetTcp6',
      'parseProcNetTcp6',
      'TCP over IPv6',
      ['/proc/net/tcp6'],
      'sampled',
    ]);
    // Everything else is the base's: the same layout but for the two changes.
    const expected = structuredClone(base.layout) as Extract<LayoutModel, { kind: 'table' }>;
    const tokens = (expected.rows as { record: { tokens: { kind: string; field: FieldModel }[] } }).record.tokens;
    const local = tokens[1]!.field.value as Extract<FieldModel['value'], { kind: 'pair' }>;
    // A field and the fields inside it may both change, in either order.
    tokens[1]!.field.raw = 'local6';
    local.first.description = 'Local IPv6 address';
    (local.second.value as { hex: boolean }).hex = false;
    tokens[2]!.field.raw = 'remote_address';
    expect(derived.layout).toEqual(expected);
    // Its generated types and parser have its own names.
    const out = generate([derived]);
    expect(out.get('types/proc/net/tcp6.ts')).toMatch(/export interface ProcNetTcp6Row \{/);
    expect(out.get('parsers/proc/net/tcp6.ts')).toMatch(/export function parseProcNetTcp6\(/);
  });
  it('a problem in what it takes is reported in the base, a problem in an override at the override', () => {
    let lib = library({ 'proc/net/tcp': tcp.replace('description: user}', 'unit: furlongs, description: user}'), 'proc/net/tcp6': tcp6() });
    let e = lib.error('proc/net/tcp6');
    expect([e.file, e.line, e.key]).toEqual(['specs/proc/net/tcp.yaml', 17, 'layout.table.tokens.3.unit']);
    lib = library({ 'proc/net/tcp': tcp, 'proc/net/tcp6': tcp6('override:\n  uid:\n    unit: kB\n    type: string\n') });
    e = lib.error('proc/net/tcp6');
    expect([e.file, e.line, e.column, e.key]).toEqual(['specs/proc/net/tcp6.yaml', 6, 11, 'override.uid.unit']);
    expect(e.problem).toMatch(/a unit needs a number, not string/);
    lib = library({ 'proc/net/tcp': tcp, 'proc/net/tcp6': tcp6('override:\n  uid: {unit: furlongs}\n') });
    e = lib.error('proc/net/tcp6');
    expect([e.file, e.line, e.key]).toEqual(['specs/proc/net/tcp6.yaml', 5, 'override.uid.unit']);
    expect(e.problem).toMatch(/expected one of/);
  });
  it('refuses an unknown base, a cycle, a layout of its own, an override of no field, and an override without a base', () => {
    const lib = library({
      'proc/net/tcp': tcp,
      'proc/x': 'extends: proc/nope\ndescription: x\npaths: [/proc/x]\n',
      'proc/a': 'extends: proc/b\ndescription: a\npaths: [/proc/a]\n',
      'proc/b': 'extends: proc/a\ndescription: b\npaths: [/proc/b]\n',
      'proc/self': 'extends: proc/self\ndescription: s\npaths: [/proc/self]\n',
      'proc/net/tcp6': tcp6('layout:\n  line: {tokens: [{literal: x}]}\n'),
      'proc/net/tcp7': tcp6('override:\n  local.adress: {description: x}\n'),
      'proc/y': `${tcp}override:\n  uid: {description: x}\n`,
    });
    let e = lib.error('proc/x');
    expect([e.file, e.line, e.column, e.key]).toEqual(['specs/proc/x.yaml', 1, 10, 'extends']);
    expect(e.problem).toBe('"extends" names "proc/nope", and there is no spec of that id (specs/proc/nope.yaml)');
    e = lib.error('proc/a');
    expect(e.problem).toBe('"extends" makes a cycle: specs/proc/a.yaml -> specs/proc/b.yaml -> specs/proc/a.yaml');
    expect(lib.error('proc/self').problem).toBe('"extends" makes a cycle: specs/proc/self.yaml -> specs/proc/self.yaml');
    e = lib.error('proc/net/tcp6');
    expect([e.line, e.key]).toEqual([5, 'layout']);
    expect(e.problem).toMatch(/takes its layout: change its fields with "override"/);
    e = lib.error('proc/net/tcp7');
    expect([e.line, e.column, e.key]).toEqual([5, 17, 'override.local.adress']);
    expect(e.problem).toBe('"local.adress" names no field of proc/net/tcp (its fields: slot, local, local.address, local.port, remote, uid)');
    e = lib.error('proc/y');
    expect([e.line, e.key]).toEqual([19, 'override']);
  });
});

describe('spec errors', () => {
  it('say the file, line and column in their message', () => {
    const e = thrown(() => loadSpecText('specs/proc/test.yaml', keyed('      - {key: A, type: integer, unit: furlongs, description: x}\n')), SpecError);
    expect(e.message).toBe(
      `specs/proc/test.yaml:8:39: layout.keyed.fields.0.unit: expected one of ${JSON.stringify(['bytes', 'kB', 'pages', 'sectors', 'ticks', 'jiffies', 'ns', 'us', 'ms', 'cs', 's', 'percent'])}`,
    );
  });
});
