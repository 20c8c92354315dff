/**
 * How a spec's fields are named as Prometheus metrics: snake_case words, the
 * spec's path as the prefix (`procspec_meminfo_`, `procspec_net_dev_`), the
 * base unit as a suffix (`_bytes`, `_seconds`, `_ratio`), `_total` on
 * counters; and the HELP text, the field's description with the kernel's own
 * name. Pure functions of the model: docs/exporter.md states the rules.
 */
import type { FieldModel, SpecModel, Unit } from '../runtime/model/model.js';

export type MetricType = 'counter' | 'gauge';

/** The unit a metric is exported in: the base unit of the spec's unit, none for a plain count. */
export type BaseUnit = '' | 'bytes' | 'seconds' | 'ratio';

/** One metric family as the model defines it. */
export interface FamilyDef {
  /** The name samples carry in the text format: a counter's ends in `_total`. */
  readonly name: string;
  /** The family's name in OpenMetrics: a counter's without `_total`. */
  readonly base: string;
  readonly type: MetricType;
  readonly unit: BaseUnit;
  readonly help: string;
}

const BASE: Record<Unit, BaseUnit> = {
  bytes: 'bytes',
  kB: 'bytes',
  pages: 'bytes',
  sectors: 'bytes',
  ticks: 'seconds',
  jiffies: 'seconds',
  ns: 'seconds',
  us: 'seconds',
  ms: 'seconds',
  cs: 'seconds',
  s: 'seconds',
  percent: 'ratio',
};

/** A family named in full by the exporter itself (its own metrics, not a spec's): `_total` added to a counter's samples. */
export function ownFamily(base: string, type: MetricType, unit: BaseUnit, help: string): FamilyDef {
  return { name: type === 'counter' ? `${base}_total` : base, base, type, unit, help };
}

/** The base unit of a kernel unit (the runtime has already scaled bytes and seconds; a percentage is divided by 100 on the way out). */
export function baseUnit(unit: Unit | undefined): BaseUnit {
  return unit === undefined ? '' : BASE[unit];
}

/** Words promtool reads as abbreviated units (`_s_`, `_sec_`, `_kb_`) when they stand alone in a name. */
const ABBREVIATIONS = new Set(['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd']);

/**
 * snake_case of a camelCase field name or a kernel key: `memTotal` ->
 * `mem_total`, `TCPHPHits` -> `tcphp_hits`, `InType3` -> `in_type3`,
 * `nr_free_pages` as it is. A one-letter word, or one that reads as an
 * abbreviated unit, is joined to the next word (`sReclaimable` ->
 * `sreclaimable`, `secPageTables` -> `secpage_tables`).
 */
export function snake(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if ((ABBREVIATIONS.has(w) || /^[a-z]$/.test(w)) && i + 1 < words.length) words[i + 1] = w + words[i + 1]!;
    else out.push(w);
  }
  return out.join('_');
}

/** A label name from a field name or a path parameter: snake_case, never starting with a digit or `__`. */
export function labelName(text: string): string {
  const s = snake(text) || 'label';
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

/** The prefix of a spec's metrics: its id without `proc/`, in snake_case words (`net/dev` -> `net_dev`, `sys/fs/file-nr` -> `sys_fs_file_nr`). */
export function specStem(id: string): string {
  return snake(id.replace(/^proc\//, ''));
}

/** Last words the Prometheus conventions keep for counters (`_total`) and histograms and summaries (`_count`, `_sum`, `_bucket`). */
const RESERVED_LAST = new Set(['total', 'count', 'sum', 'bucket']);

/**
 * The name of a field's family from its path (spec stem, then the names of
 * the fields it is nested in, then its own): snake_case words, the base
 * unit appended unless the name ends in it already, `_total` on a counter.
 * A counter field that is itself a total (pressure's `total`, stat's
 * `intr.total`) does not say `total` twice: `procspec_pressure_seconds_total`.
 * A gauge whose name would end in `_total`, `_count`, `_sum` or `_bucket`
 * has that word first instead: meminfo's `HugePages_Total` is
 * `procspec_meminfo_total_huge_pages`; a gauge named by that word alone
 * ends in `_value` (net/raw's `bucket`: `procspec_net_raw_bucket_value`).
 */
export function familyName(parts: readonly string[], type: MetricType, unit: BaseUnit): { name: string; base: string } {
  const [stem = '', ...rest] = parts.map(snake);
  const words = rest
    .join('_')
    .split('_')
    .filter((w) => w !== '');
  // A field named as its file (memory.current's `current`, uptime's `uptime`) does not say that word twice.
  if (words.length > 0 && words[0] === stem.slice(stem.lastIndexOf('_') + 1)) words.shift();
  const last = words[words.length - 1];
  if (type === 'counter' && last === 'total') words.pop();
  else if (type === 'gauge' && unit === '' && last !== undefined && RESERVED_LAST.has(last)) {
    if (words.length > 1) words.unshift(words.pop()!);
    else words.push('value');
  }
  let name = ['procspec', stem, ...words].filter((w) => w !== '').join('_');
  if (unit !== '' && !name.endsWith(`_${unit}`)) name += `_${unit}`;
  return type === 'counter' ? { name: `${name}_total`, base: name } : { name, base: name };
}

/** The path of a spec's file as its help names it (the first pattern of /proc, else the first). */
export function specFile(model: Pick<SpecModel, 'paths'>): string {
  return model.paths.find((p) => p.startsWith('/proc/') && !p.includes('[pid]')) ?? model.paths[0] ?? '';
}

/** A sentence of a description: its first letter kept, a final full stop added. */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * The HELP of a family: what the field means (the spec's description), and
 * where it comes from: the file, the kernel's names of the field and the
 * records it is in, and the unit the kernel prints it in when that is not
 * the exported one (`Usable RAM, ... at boot. /proc/meminfo MemTotal, in kB.`).
 */
export function helpText(description: string, file: string, raws: readonly string[], kernelUnit: Unit | undefined): string {
  const unit = kernelUnit !== undefined && kernelUnit !== 'bytes' && kernelUnit !== 's' ? `, in ${kernelUnit}` : '';
  const where = raws.filter((r) => r !== '').join(' ');
  return `${sentence(description)} ${file}${where === '' ? '' : ` ${where}`}${unit}.`;
}

/** The kernel's name of a field (its key, column or token name). */
export function rawName(f: Pick<FieldModel, 'raw' | 'name'>): string {
  return f.raw || f.name;
}
