/**
 * Checks of a token's decoding (`letters`, `bits`, `options`): the value
 * decoded further into a field of its own beside it, the value kept as
 * printed (docs/spec-language.md, Decoding).
 */
import type { DecodeModel, FieldModel } from '../../runtime/model/model.js';
import { isSafeFieldName } from '../names.js';
import type { CheckerBase, Obj, Path } from './base.js';

/** The keys of a token that ask for a decoding. */
export const DECODE_KEYS = ['letters', 'bits', 'options', 'names'] as const;

/** The token without its decoding keys (what the field checks see). */
export function withoutDecode(t: Obj): Obj {
  const out: Obj = { ...t };
  for (const k of DECODE_KEYS) delete out[k];
  return out;
}

/** Names of one decoding's booleans or keys: safe, and each once (a `names` decoding's are values, the kernel's own names). */
function names(c: CheckerBase, list: Obj[], p: Path, key: string, values = false): void {
  const seen = new Set<string>();
  list.forEach((v, i) => {
    const name = v.name as string;
    if (!values && !isSafeFieldName(name)) c.fail([...p, i, 'name'], `"${name}" is not a safe camelCase name`);
    if (seen.has(name)) c.fail([...p, i, 'name'], `duplicate name "${name}"`);
    seen.add(name);
    const k = String(v[key]);
    if (list.findIndex((x) => String(x[key]) === k) !== i) c.fail([...p, i, key], `duplicate ${key} "${k}"`);
  });
}

/**
 * The decoding token `t` asks for, checked against its field: letters of a
 * string, bits of an integer that is a number (not wide, no sentinels),
 * options of a list of strings or of a repeated string token, names of a
 * plain integer. Its name
 * joins the record's `names`.
 */
export function checkDecode(c: CheckerBase, t: Obj, p: Path, field: FieldModel, recordNames: Set<string>): DecodeModel | undefined {
  const asked = DECODE_KEYS.filter((k) => t[k] !== undefined);
  if (asked.length === 0) return undefined;
  if (asked.length > 1) c.fail([...p, asked[1]!], `a token has one decoding: "${asked[0]}" and "${asked[1]}" both given`);
  const kind = asked[0]!;
  const d = t[kind] as Obj;
  const at = [...p, kind];
  const v = field.value;
  const repeat = t.repeat === true;
  const name = c.name(d, at, recordNames);
  const values = (d.values as Obj[] | undefined) ?? [];
  switch (kind) {
    case 'letters': {
      if (v.kind !== 'string' || repeat || t.rest === true) c.fail(at, '"letters" decodes a one-word string token, one flag letter per position');
      names(c, values, [...at, 'values'], 'name');
      const out = values.map((x, i) => {
        const clear = (x.clear as string | undefined) ?? '-';
        if (clear === x.letter) c.fail([...at, 'values', i, 'clear'], `the letter for off is the one for on ("${clear}")`);
        return { letter: x.letter as string, clear, name: x.name as string, description: x.description as string };
      });
      return { kind, name, description: d.description as string, values: out };
    }
    case 'bits': {
      if (v.kind !== 'integer' || repeat) c.fail(at, '"bits" decodes an integer token');
      if (v.wide === true) c.fail(at, '"bits" decodes an integer that is a number: this one is wide (a counter or a byte count)');
      if (v.sentinels.length > 0) c.fail(at, '"bits" decodes an integer without sentinels');
      if (v.unit !== undefined) c.fail(at, `"bits" decodes a mask, not a quantity in ${v.unit}`);
      names(c, values, [...at, 'values'], 'bit');
      const out = values.map((x) => ({ bit: x.bit as number, name: x.name as string, description: x.description as string }));
      return { kind, name, description: d.description as string, values: out };
    }
    case 'names': {
      if (v.kind !== 'integer' || repeat) c.fail(at, '"names" decodes an integer token');
      if (v.sentinels.length > 0 || v.unit !== undefined || v.wide === true) c.fail(at, '"names" decodes a plain integer: not wide, no sentinels, no unit');
      names(c, values, [...at, 'values'], 'value', true);
      const out = values.map((x) => ({ value: x.value as number, name: x.name as string, description: x.description as string }));
      return { kind, name, description: d.description as string, values: out };
    }
    default: {
      const strings = (v.kind === 'list' && v.separator !== null && v.of.kind === 'string') || (v.kind === 'string' && repeat);
      if (!strings) c.fail(at, '"options" decodes a list of strings with a separator, or a repeated string token');
      const fields = ((d.fields as Obj[] | undefined) ?? []).map((x) => ({
        raw: x.raw as string,
        name: x.name as string,
        ...(x.type !== undefined ? { type: x.type as 'integer' | 'string' } : {}),
        description: x.description as string,
      }));
      names(c, fields as unknown as Obj[], [...at, 'fields'], 'raw');
      fields.forEach((f, i) => {
        if (f.raw.includes(d.separator as string))
          c.fail([...at, 'fields', i, 'raw'], `a key ends at the separator "${String(d.separator)}": it cannot hold it`);
      });
      return { kind: 'options', name, description: d.description as string, separator: d.separator as string, fields };
    }
  }
}
