/**
 * The presence pass: which keyed fields are required is decided by what the
 * producers print, not guessed. producers/<producer>/ holds, for each
 * producer of /proc procspec knows (Linux at several versions, gVisor,
 * lxcfs, FreeBSD's linprocfs), the files it prints, written from its source
 * code. A key that some producer's file of a spec does not print makes its
 * field optional, and the field records which producers leave it out (for
 * the doc comment and docs, see absenceNote, and for --min-kernel). A required key missing from a file stays a
 * parse error: no known producer prints such a file.
 *
 * Keys are read from the text the way a keyed layout reads them (the words
 * before the colon, or the first word), over the whole file: a key printed
 * in one block of a file counts as printed by that file.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FieldModel, KeySeparator, LayoutModel, SpecModel } from '../../runtime/model/model.js';
import { specForPath } from '../../runtime/model/paths.js';

/** One file a producer prints: its producer (the folder under producers/), its path as on the system, its text. */
export interface ProducerFile {
  producer: string;
  path: string;
  text: string;
}

/** Files of a producer folder that are notes about it, not files it prints. */
const NOTES = /^(PROVENANCE|README)(\.md)?$/;

/** Every file under `dir`/<producer>/ (links, such as proc/self, and notes left out), sorted by producer and path. */
export function loadProducerFiles(dir: string): ProducerFile[] {
  const out: ProducerFile[] = [];
  let producers: string[];
  try {
    producers = readdirSync(dir).sort();
  } catch {
    return out;
  }
  const walk = (producer: string, top: string, d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      // producers/<p>/variants/<v>/ is the producer `<p>/<v>`: the same one run with other options or at another version.
      if (st.isDirectory() && d === top && name === 'variants') {
        for (const v of readdirSync(p).sort()) walk(`${producer}/${v}`, join(p, v), join(p, v));
      } else if (st.isDirectory()) walk(producer, top, p);
      else if (st.isFile() && !NOTES.test(name)) out.push({ producer, path: `/${relative(top, p).split(sep).join('/')}`, text: readFileSync(p, 'latin1') });
    }
  };
  for (const producer of producers) {
    const top = join(dir, producer);
    if (lstatSync(top).isDirectory()) walk(producer, top, top);
  }
  return out;
}

/** The key of one line under a keyed layout's separator, or undefined for a line that has none. */
function keyOf(line: string, separator: KeySeparator): string | undefined {
  const colon = line.indexOf(':');
  if (separator === 'colon' || (separator === 'auto' && colon >= 0)) return colon >= 0 ? line.slice(0, colon).trim() : undefined;
  const word = /^\s*(\S+)/.exec(line);
  return word?.[1];
}

/** What a file prints, as a keyed layout of each separator sees it: its keys, and the column names after each key. */
class Printed {
  private readonly keys = new Map<KeySeparator, Set<string>>();
  private readonly lines: string[];
  private readonly trimmed: Set<string>;

  constructor(text: string) {
    this.lines = text.split('\n');
    this.trimmed = new Set(this.lines.map((l) => l.trim()));
  }

  has(key: string, separator: KeySeparator): boolean {
    let set = this.keys.get(separator);
    if (!set) {
      set = new Set();
      for (const l of this.lines) {
        const k = keyOf(l, separator);
        if (k !== undefined) set.add(k);
      }
      this.keys.set(separator, set);
    }
    return set.has(key) || this.trimmed.has(key);
  }

  /** Column names of a `columns` record: the words after `key:` on the first line that has the key. */
  columns(key: string): Set<string> {
    const line = this.lines.find((l) => l.startsWith(`${key}:`));
    return new Set(
      line === undefined
        ? []
        : line
            .slice(key.length + 1)
            .trim()
            .split(/\s+/),
    );
  }
}

/** A keyed field found in a layout, with the separator its key is read with; `variant`: the keyed fields of the variant it belongs to. */
interface Keyed {
  field: FieldModel;
  key: string;
  separator: KeySeparator;
  plain: boolean;
  variant?: Keyed[];
}

/** Keyed fields of a layout (for `columns` records, their columns are the field's). */
function keyedFields(l: LayoutModel, variant?: Keyed[]): Keyed[] {
  const out: Keyed[] = [];
  switch (l.kind) {
    case 'keyed':
      for (const e of l.entries) {
        // An indexed or repeated key is a list, empty when no line has it: never required.
        const plain = e.indexed === undefined && e.repeated !== true;
        out.push({ field: e.field, key: e.key, separator: l.separator, plain, ...(variant ? { variant } : {}) });
        if (e.section) out.push(...keyedFields(e.section.layout, variant));
      }
      break;
    case 'blocks':
      out.push(...keyedFields(l.body, variant));
      break;
    case 'variants':
      for (const v of l.variants) {
        const own: Keyed[] = [];
        own.push(...keyedFields(v.shape, own));
        out.push(...own);
      }
      break;
    default:
  }
  return out;
}

/**
 * Whether a file speaks for the variant `keys` belong to: it prints at least
 * half of the keys that tell the variant apart (`telling`). A variant's keys
 * are what tell it from the others (cpuinfo's x86 and s390x blocks): an x86
 * file says nothing about the keys of s390x's, while an old kernel's x86
 * file that lacks one key still speaks for the x86 variant.
 */
function speaksFor(seen: Printed, telling: Keyed[]): boolean {
  return telling.filter((k) => seen.has(k.key, k.separator)).length * 2 >= telling.length;
}

/**
 * The keys that tell a variant apart: its required plain keys that no other
 * part of the spec reads (a key shared with another variant, such as
 * sched_debug's tunables, which v0.09 prints in its header and later
 * versions in a block of their own, says nothing of which one a file
 * prints), or all its required plain keys when none is its own.
 */
function tellingKeys(variant: Keyed[], all: Keyed[]): Keyed[] {
  const required = variant.filter((k) => k.plain && !k.field.optional);
  const elsewhere = new Set(all.filter((k) => k.variant !== variant).map((k) => k.key));
  const own = required.filter((k) => !elsewhere.has(k.key));
  return own.length > 0 ? own : required;
}

/** A copy of `f` made optional, naming the producers that leave it out. */
function absentIn(f: FieldModel, producers: Set<string>): FieldModel {
  return { ...f, optional: true, absentIn: [...producers].sort() };
}

/**
 * The specs with every keyed field (and every column of a `columns` record)
 * that some producer's file leaves out made optional, recording which
 * producers leave it out. Specs no producer file matches are returned as
 * they are.
 */
export function applyPresence(specs: SpecModel[], files: readonly ProducerFile[]): SpecModel[] {
  const entries = specs.map((model) => ({ model }));
  const bySpec = new Map<string, ProducerFile[]>();
  for (const f of files) {
    const e = specForPath(entries, f.path);
    if (!e) continue;
    let list = bySpec.get(e.model.id);
    if (!list) bySpec.set(e.model.id, (list = []));
    list.push(f);
  }
  return specs.map((spec) => {
    // An empty file (a kernel thread's smaps, an empty table) prints no record, so it says nothing of their keys.
    const printed = (bySpec.get(spec.id) ?? []).filter((f) => f.text.trim() !== '').map((f) => ({ producer: f.producer, seen: new Printed(f.text) }));
    if (printed.length === 0) return spec;
    const replace = new Map<FieldModel, FieldModel>();
    const all = keyedFields(spec.layout);
    const telling = new Map<Keyed[], Keyed[]>();
    for (const { field, key, separator, plain, variant } of all) {
      let speaking = printed;
      if (variant) {
        if (!telling.has(variant)) telling.set(variant, tellingKeys(variant, all));
        speaking = printed.filter((p) => speaksFor(p.seen, telling.get(variant)!));
      }
      if (plain) {
        const missing = new Set(speaking.filter((p) => !p.seen.has(key, separator)).map((p) => p.producer));
        if (missing.size > 0) replace.set(field, absentIn(field, missing));
      }
      const v = field.value;
      if (v.kind !== 'record' || !v.record.columns) continue;
      for (const c of v.record.columns.fields) {
        // Only files that print the key say anything about its columns.
        const missing = new Set(speaking.filter((p) => p.seen.has(key, separator) && !p.seen.columns(key).has(c.raw)).map((p) => p.producer));
        if (missing.size > 0) replace.set(c, absentIn(c, missing));
      }
    }
    return replace.size === 0 ? spec : { ...spec, layout: rebuild(spec.layout, replace, new Map()) as LayoutModel };
  });
}

/**
 * A deep copy of `x` with the fields of `replace` swapped in. Models are
 * plain data; a part the spec shares (a YAML alias: /proc/stat's cpu and
 * cpuN lines) stays shared in the copy (`made`).
 */
function rebuild(x: unknown, replace: Map<FieldModel, FieldModel>, made: Map<object, unknown>): unknown {
  if (x === null || typeof x !== 'object') return x;
  const done = made.get(x);
  if (done !== undefined) return done;
  const from = (replace.get(x as FieldModel) ?? x) as Record<string, unknown>;
  const out: Record<string, unknown> | unknown[] = Array.isArray(from) ? [] : {};
  made.set(x, out);
  for (const [k, v] of Object.entries(from)) (out as Record<string, unknown>)[k] = rebuild(v, replace, made);
  return out;
}
