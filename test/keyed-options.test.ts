/**
 * `options` on a keyed entry: the value after the key, a list of strings,
 * decoded into a record of its key=value items beside the list (mountstats'
 * opts, caps and sec), and the generator's checks of where it may go.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import { parseProcPidMountstats } from '../generated/parsers/proc/pid/mountstats.js';
import { FIXTURES } from './support/fixtures.js';
import { thrown } from './support/thrown.js';

describe('options on a keyed entry', () => {
  it('decodes mountstats opts, caps and sec into records, the lists kept as printed', () => {
    const mounts = parseProcPidMountstats(readFileSync(join(FIXTURES, 'proc/pid/mountstats/written-5.4-x86_64-nfs.txt'), 'utf8'));
    const nfs = mounts.find((m) => m.opts?.includes('vers=4.1'));
    expect(nfs!.opts).toContain('vers=4.1');
    expect(nfs!.options).toMatchObject({ rw: true, vers: '4.1', hard: true, proto: 'tcp', sec: 'krb5p' });
    expect(nfs!.capabilities).toEqual({ caps: '0x3ffbfff', wtmult: '512', dtsize: '32768', bsize: '0', namlen: '255' });
    expect(nfs!.security).toEqual({ flavor: '6', pseudoflavor: '390005' });
    // A mount that is not NFS prints none of these keys, and has neither the lists nor their records.
    const text = 'device proc mounted on /proc with fstype proc\n';
    expect(parseProcPidMountstats(text)[0]).not.toHaveProperty('options');
  });

  it('keeps the decoding in the model, and refuses it on a repeated key and on a value that is not a list of strings', () => {
    const spec = (fields: string): string =>
      `description: t\npaths: [/proc/x]\nsampling: sampled\nlayout:\n  keyed:\n    separator: colon\n    fields:\n${fields}`;
    const opts = '      - key: opts\n        type: list\n        of: string\n        separator: ","\n        description: d\n';
    const m = checkSpec(
      loadSpecText(
        'specs/proc/x.yaml',
        spec(`${opts}        options: {name: decoded, separator: "=", description: d, fields: [{raw: size, type: integer, description: d}]}\n`),
      ),
      'proc/x',
    );
    const e = m.layout.kind === 'keyed' ? m.layout.entries[0]! : undefined;
    expect(e?.field.decode).toMatchObject({ kind: 'options', name: 'decoded', separator: '=' });
    const error = (text: string): SpecError => thrown(() => checkSpec(loadSpecText('specs/proc/x.yaml', text), 'proc/x'), SpecError);
    expect(error(spec(`${opts}        repeat: true\n        options: {name: decoded, separator: "=", description: d}\n`)).message).toMatch(
      /"options" decodes the value of a plain key/,
    );
    expect(error(spec('      - {key: n, type: integer, description: d, options: {name: decoded, separator: "=", description: d}}\n')).message).toMatch(
      /"options" decodes a list of strings with a separator/,
    );
  });
});
