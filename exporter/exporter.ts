/**
 * The exporter of one ProcFs: the collectors it has, those it was started
 * with (the default set, changed by `--collector.X` / `--no-collector.X`),
 * the choice of a scrape among them (`collect[]`, `exclude[]`), and its
 * collections.
 */
import { type ProcFs, registry } from '../runtime/index.js';
import { type Collector, Collections, type OwnCollector, type Scrape } from './collect.js';
import { type CollectorDef, collectorsOf, defaultCollectors, findCollector, type Places } from './collectors.js';
import { cgroupTreeOf, DEFAULT_CGROUP_DEPTH } from './cgroups.js';
import { ProcessGroupsCollector, type ProcessGroupsOptions } from './groups/collector.js';
import { privilegeNotes } from './privileges.js';
import { ProcessCollector } from './own-process.js';
import { specStem } from './names.js';
import { type Budgets, DEFAULT_BUDGETS, type LabelRule, LimitError, resolveRules, type RuleTarget } from './limits.js';

/** A collector name that is unknown or not enabled: a usage error (exit 2) or a 400. */
export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

export interface ExporterOptions {
  /** Start from no collector instead of the default set (`--collector.disable-defaults`). */
  disableDefaults?: boolean;
  /** Collectors to add (`--collector.X`) and to remove (`--no-collector.X`), by name (`net_dev`) or spec id (`proc/net/dev`). */
  enable?: readonly string[];
  disable?: readonly string[];
  /** Levels of cgroup v2 groups below the root group that the cgroup collectors read (`--collector.cgroup.depth`); default 2. */
  cgroupDepth?: number;
  /** Label filters of every scrape (`--collector.NAME.LABEL-include REGEX`, `-exclude`): exporter/limits.ts. */
  filters?: readonly LabelRule[];
  /** Series budgets (`--collector.max-series`, `--collector.NAME.max-series`, `--web.max-series`); DEFAULT_BUDGETS otherwise. */
  budgets?: Partial<Budgets>;
  /** Process groups from a config (`--collector.process_groups.config`): the `process_groups` collector, on unless disabled. */
  processGroups?: ProcessGroupsOptions;
}

/** A collector as a rule names it: its name and the labels its series may carry (its file parameter, positions). */
function target(c: Collector): RuleTarget {
  if (!('families' in c)) return { name: c.name, labels: new Set() };
  const labels = new Set(c.families.labels);
  if (c.param !== undefined) labels.add(c.param.name);
  return { name: c.name, labels };
}

/** Rules resolved against collectors; a SelectionError says what is wrong. */
function resolved(rules: readonly LabelRule[], find: (name: string) => Collector): LabelRule[] {
  try {
    return resolveRules(rules, (n) => target(find(n)));
  } catch (err) {
    if (err instanceof LimitError) throw new SelectionError(err.message);
    throw err;
  }
}

let all: ReturnType<typeof collectorsOf> | undefined;
/** The collectors of procspec's registry, and the specs that are none with the reason: worked out when first asked for, not when a program that never serves loads this module. */
const ALL = (): ReturnType<typeof collectorsOf> => (all ??= collectorsOf(registry));

/** Every collector, in the order of the registry. */
export function allCollectors(): readonly CollectorDef[] {
  return ALL().collectors;
}

/** Why a name is not a collector: the spec's reason, or that no spec has it. */
function unknown(name: string): SelectionError {
  const id = registry.find((e) => e.id === name || specStem(e.id) === name)?.id;
  const why = id !== undefined ? ALL().not.get(id) : undefined;
  return new SelectionError(
    why !== undefined ? `${id} is not a collector: ${why}` : `no collector named ${JSON.stringify(name)} (procspec serve --help lists them)`,
  );
}

function find(name: string): CollectorDef {
  const c = findCollector(ALL().collectors, name);
  if (c === undefined) throw unknown(name);
  return c;
}

export class Exporter {
  /** The collectors this exporter may run, in registry order, then its own (its process, process groups). */
  readonly enabled: readonly Collector[];
  readonly collections: Collections;
  /** What the exporter says once at its start: why enabled collectors will serve nothing here (no cgroup2 mounted). */
  readonly notes: readonly string[];
  /** Collectors that are not a spec's, made from the options. */
  private readonly own: OwnCollector[];

  constructor(
    readonly fs: ProcFs<boolean>,
    options: ExporterOptions = {},
  ) {
    const depth = options.cgroupDepth ?? DEFAULT_CGROUP_DEPTH;
    if (!Number.isInteger(depth) || depth < 0) throw new SelectionError(`cgroup depth ${depth}: expected a whole number of levels, 0 or more`);
    const places: Places = { procRoot: fs.root, sysRoot: fs.sysRoot, cgroup: cgroupTreeOf(fs), cgroupDepth: depth };
    const self = new ProcessCollector();
    const groups = options.processGroups ? [new ProcessGroupsCollector(fs, options.processGroups)] : [];
    this.own = [self, ...groups];
    const on = new Set<Collector>(options.disableDefaults === true ? [] : [...defaultCollectors(ALL().collectors, places), self]);
    for (const c of groups) on.add(c);
    for (const n of options.enable ?? []) on.add(this.find(n));
    for (const n of options.disable ?? []) on.delete(this.find(n));
    this.enabled = [...ALL().collectors, ...this.own].filter((c) => on.has(c));
    const b = options.budgets ?? {};
    const budgets: Budgets = {
      perCollector: b.perCollector ?? DEFAULT_BUDGETS.perCollector,
      total: b.total ?? DEFAULT_BUDGETS.total,
      collectors: new Map([...(b.collectors ?? new Map<string, number>())].map(([n, v]) => [this.find(n).name, v])),
    };
    this.collections = new Collections(
      fs,
      resolved(options.filters ?? [], (n) => this.find(n)),
      budgets,
      places,
    );
    const specs = this.enabled.filter((c): c is CollectorDef => 'families' in c);
    const idle = specs.filter((c) => c.place.kind === 'cgroup');
    this.notes = [
      ...('why' in places.cgroup && idle.length > 0 ? [`${idle.map((c) => c.name).join(', ')}: no series, ${places.cgroup.why}`] : []),
      ...privilegeNotes(specs, places),
    ];
  }

  /**
   * The collectors a scrape asks for: `collect` (all enabled when empty)
   * less `exclude`. Throws SelectionError for a name that is no collector
   * or one not enabled.
   */
  select(collect: readonly string[] = [], exclude: readonly string[] = []): Collector[] {
    const enabled = new Set(this.enabled);
    const check = (n: string): Collector => {
      const c = this.find(n);
      if (!enabled.has(c)) throw new SelectionError(`collector ${c.name} is not enabled (start procspec serve with --collector.${c.name})`);
      return c;
    };
    const wanted = collect.length > 0 ? new Set(collect.map(check)) : enabled;
    const dropped = new Set(exclude.map(check));
    return this.enabled.filter((c) => wanted.has(c) && !dropped.has(c));
  }

  /** A collector by name: a spec's, or one of this exporter's own. */
  private find(name: string): Collector {
    const own = this.own.find((c) => c.name === name);
    if (own !== undefined) return own;
    if (name === 'process_groups') throw new SelectionError('the process_groups collector needs its config: --collector.process_groups.config FILE');
    return find(name);
  }

  /** Closes the files kept open between scrapes. */
  close(): void {
    this.collections.close();
    for (const c of this.own) c.close();
  }

  /** A scrape's own label filters (URL parameters) checked against the enabled collectors; SelectionError for a wrong one. */
  rules(rules: readonly LabelRule[]): LabelRule[] {
    return resolved(rules, (n) => this.select([n])[0]!);
  }

  /** A scrape of the chosen collectors (all enabled by default) with reads given `deadlineMs`, and the scrape's own label filters (checked by `rules`). */
  scrape(selection: readonly Collector[] = this.enabled, deadlineMs = 10_000, rules: readonly LabelRule[] = []): Promise<Scrape> {
    return this.collections.scrape(selection, deadlineMs, rules);
  }
}
