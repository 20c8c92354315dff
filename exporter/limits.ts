/**
 * What a scrape serves of each collector's series: label filters (keep a
 * series whose label matches an include pattern, drop one that matches an
 * exclude pattern, as node_exporter's `--collector.netdev.device-include`),
 * then series budgets, per collector and in total. A collector past its
 * budget is left out of the scrape whole (a partial set of series would
 * read as wrong values) and says so: success 0 and
 * `procspec_scrape_collector_series_dropped`. Patterns are anchored and
 * limited to what RE2 (Go's regexp, Prometheus's) accepts.
 */
import type { FamilyDef } from './names.js';
import type { Sink } from './walks.js';

/** A filter, a budget or a pattern that is not valid: a usage error (exit 2) or a 400. */
export class LimitError extends Error {
  override readonly name = 'LimitError';
}

/** One label filter on one collector's series. */
export interface LabelRule {
  /** The collector's name (`net_dev`). */
  readonly collector: string;
  readonly label: string;
  /** Keep only the series whose label matches (include), or drop those that match (exclude). */
  readonly include: boolean;
  /** The pattern as given. */
  readonly source: string;
  /** The pattern anchored at both ends. */
  readonly pattern: RegExp;
}

/** The budgets of a scrape, in series (samples). */
export interface Budgets {
  /** Most series one collector may give; more and it is left out of the scrape. Default 10,000. */
  readonly perCollector: number;
  /** Budgets of single collectors, by name, instead of `perCollector`. */
  readonly collectors: ReadonlyMap<string, number>;
  /** Most series of all collectors together; a collector that would pass it is left out. Default 50,000. */
  readonly total: number;
}

export const DEFAULT_BUDGETS: Budgets = { perCollector: 10_000, collectors: new Map(), total: 50_000 };

/** The self metric of series left out by a budget. */
export const SERIES_DROPPED: FamilyDef = {
  name: 'procspec_scrape_collector_series_dropped',
  base: 'procspec_scrape_collector_series_dropped',
  type: 'gauge',
  unit: '',
  help: 'Series of a collector left out of this scrape because they passed its budget or the total budget (0 when served).',
};

/** Go's flags at the start of a pattern that JavaScript has as flags. */
const FLAGS: Readonly<Record<string, string>> = { i: 'i', s: 's' };

/**
 * A pattern compiled as Prometheus and node_exporter compile theirs:
 * anchored at both ends, RE2 syntax. Refused, with the reason: what RE2
 * does not have (backreferences, lookahead, lookbehind) and what does not
 * compile. Go's `(?P<name>...)` and leading `(?i)`, `(?s)` are taken.
 */
export function compilePattern(source: string, what: string): RegExp {
  let src = source;
  let flags = 'u';
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(src);
  if (lead !== null) {
    for (const f of lead[1]!) {
      if (FLAGS[f] === undefined) throw new LimitError(`${what}: the flag (?${f}) is not supported (only (?i) and (?s) at the start)`);
      if (!flags.includes(FLAGS[f]!)) flags += FLAGS[f];
    }
    src = src.slice(lead[0].length);
  }
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n !== undefined && /[1-9]/.test(n)) throw new LimitError(`${what}: backreferences (\\${n}) are not in RE2 syntax`);
      if (n === 'k' && src[i + 2] === '<') throw new LimitError(`${what}: backreferences (\\k<name>) are not in RE2 syntax`);
      i++;
    } else if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2, i + 4);
      if (rest[0] === '=' || rest[0] === '!' || rest === '<=' || rest === '<!')
        throw new LimitError(`${what}: lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not in RE2 syntax`);
    }
  }
  src = src.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(`^(?:${src})$`, flags);
  } catch (err) {
    throw new LimitError(`${what}: not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
}

/** A rule from its parts; `what` names where it was given (a flag, a URL parameter) for the error. */
export function labelRule(collector: string, label: string, include: boolean, source: string, what: string): LabelRule {
  return { collector, label, include, source, pattern: compilePattern(source, what) };
}

/**
 * A URL parameter's rule, `COLLECTOR:LABEL=REGEX` (`include[]=net_dev:device=eth.*`);
 * undefined when the value has no `:` (then it names a collector).
 */
export function parseRuleParam(key: 'include[]' | 'exclude[]', value: string): LabelRule | undefined {
  const colon = value.indexOf(':');
  if (colon < 0) return undefined;
  const eq = value.indexOf('=', colon);
  const collector = value.slice(0, colon);
  const label = eq < 0 ? '' : value.slice(colon + 1, eq);
  if (eq < 0 || collector === '' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label))
    throw new LimitError(`${key}=${value.slice(0, 100)}: expected COLLECTOR:LABEL=REGEX (such as net_dev:device=eth.*)`);
  return labelRule(collector, label, key === 'include[]', value.slice(eq + 1), `${key} ${collector}:${label}`);
}

/** Label values of a sample's label text (`a="x",b="y\"z"`), unescaped. */
export function labelValues(labels: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
    out.set(
      m[1]!,
      m[2]!.replace(/\\(.)/g, (_, x: string) => (x === 'n' ? '\n' : x)),
    );
  return out;
}

/** Whether a series passes the rules: every include of a label it has matches, no exclude matches. A series without the label passes. */
function passes(labels: string, rules: readonly LabelRule[]): boolean {
  const values = labelValues(labels);
  for (const r of rules) {
    const v = values.get(r.label);
    if (v !== undefined && r.pattern.test(v) !== r.include) return false;
  }
  return true;
}

/** Drops the series of a collector's sink that the rules leave out. */
export function filterSink(sink: Sink, rules: readonly LabelRule[]): void {
  if (rules.length === 0) return;
  sink.filter((s) => passes(s.labels, rules));
}

/**
 * The filters, then the budgets, applied to the sinks of a collection (in
 * the order of the selection): each collector's series filtered by its
 * rules; one past its own budget, or that would take the total past
 * the total budget, is emptied. The result says, per collector left out,
 * how many series it had and why.
 */
export function applyLimits(
  names: readonly string[],
  sinks: readonly Sink[],
  rules: readonly LabelRule[],
  budgets: Budgets,
): Map<string, { dropped: number; why: string }> {
  const out = new Map<string, { dropped: number; why: string }>();
  let total = 0;
  names.forEach((name, i) => {
    const sink = sinks[i]!;
    filterSink(
      sink,
      rules.filter((r) => r.collector === name),
    );
    const n = sink.series;
    const own = budgets.collectors.get(name) ?? budgets.perCollector;
    let why: string | undefined;
    if (n > own) why = `${n} series, more than its budget of ${own} (--collector.${name}.max-series)`;
    else if (total + n > budgets.total) why = `${n} series would take the scrape past its budget of ${budgets.total} (--web.max-series)`;
    if (why === undefined) total += n;
    else {
      sink.clear();
      out.set(name, { dropped: n, why });
    }
  });
  return out;
}

/** What a rule or a budget names: a collector with its label names. */
export interface RuleTarget {
  readonly name: string;
  readonly labels: ReadonlySet<string>;
}

/**
 * Rules whose collector (a name or a spec id) is resolved by `find`, and
 * whose label is one the collector's series carry; LimitError otherwise.
 */
export function resolveRules(rules: readonly LabelRule[], find: (name: string) => RuleTarget): LabelRule[] {
  return rules.map((r) => {
    const c = find(r.collector);
    if (!c.labels.has(r.label))
      throw new LimitError(
        `collector ${c.name} has no label ${JSON.stringify(r.label)}${c.labels.size === 0 ? ' (its series have none)' : ` (its labels: ${[...c.labels].sort().join(', ')})`}`,
      );
    return { ...r, collector: c.name };
  });
}

/** The filters and budgets given as flags. */
export interface LimitFlags {
  filters: LabelRule[];
  budgets: { perCollector?: number; total?: number; collectors: Map<string, number> };
}

const RULE_FLAG = /^--collector\.(.+)\.([a-zA-Z_][a-zA-Z0-9_]*)-(include|exclude)$/;
const BUDGET_FLAG = /^--collector\.(.+)\.max-series$/;

/** Whether a flag is one of the filters and budgets (each takes a value). */
export function isLimitFlag(flag: string): boolean {
  return flag === '--collector.max-series' || flag === '--web.max-series' || RULE_FLAG.test(flag) || BUDGET_FLAG.test(flag);
}

/**
 * One filter or budget flag into `into`: `--collector.NAME.LABEL-include REGEX`,
 * `--collector.NAME.LABEL-exclude REGEX`, `--collector.NAME.max-series N`,
 * `--collector.max-series N` (every collector), `--web.max-series N` (the
 * scrape). LimitError for a bad value; the collector and label are checked
 * when the exporter starts.
 */
export function limitFlag(into: LimitFlags, flag: string, value: string): void {
  const count = (): number => {
    if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new LimitError(`${flag} ${JSON.stringify(value)}: a number of series, 1 or more`);
    return Number(value);
  };
  if (flag === '--collector.max-series') into.budgets.perCollector = count();
  else if (flag === '--web.max-series') into.budgets.total = count();
  else {
    const rule = RULE_FLAG.exec(flag);
    if (rule !== null) into.filters.push(labelRule(rule[1]!, rule[2]!, rule[3] === 'include', value, flag));
    else into.budgets.collectors.set(BUDGET_FLAG.exec(flag)![1]!, count());
  }
}
