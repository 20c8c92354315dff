/**
 * The exporter of one ProcFs: the collectors it has, those it was started
 * with (the default set, changed by `--collector.X` / `--no-collector.X`),
 * the choice of a scrape among them (`collect[]`, `exclude[]`), and its
 * collections.
 */
import { type ProcFs, registry } from '../runtime/index.js';
import { type Collector, Collections, type OwnCollector, type Scrape } from './collect.js';
import { type CollectorDef, collectorsOf, defaultCollectors, findCollector } from './collectors.js';
import { ProcessGroupsCollector, type ProcessGroupsOptions } from './groups/collector.js';
import { specStem } from './names.js';

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
  /** Process groups from a config (`--collector.process_groups.config`): the `process_groups` collector, on unless disabled. */
  processGroups?: ProcessGroupsOptions;
}

/** The collectors of procspec's registry, and the specs that are none with the reason. */
const ALL = collectorsOf(registry);

/** Every collector, in the order of the registry. */
export function allCollectors(): readonly CollectorDef[] {
  return ALL.collectors;
}

/** Why a name is not a collector: the spec's reason, or that no spec has it. */
function unknown(name: string): SelectionError {
  const id = registry.find((e) => e.id === name || specStem(e.id) === name)?.id;
  const why = id !== undefined ? ALL.not.get(id) : undefined;
  return new SelectionError(
    why !== undefined ? `${id} is not a collector: ${why}` : `no collector named ${JSON.stringify(name)} (procspec serve --help lists them)`,
  );
}

function find(name: string): CollectorDef {
  const c = findCollector(ALL.collectors, name);
  if (c === undefined) throw unknown(name);
  return c;
}

export class Exporter {
  /** The collectors this exporter may run, in registry order, then its own (process groups). */
  readonly enabled: readonly Collector[];
  readonly collections: Collections;
  /** Collectors that are not a spec's, made from the options. */
  private readonly own: OwnCollector[];

  constructor(
    readonly fs: ProcFs<boolean>,
    options: ExporterOptions = {},
  ) {
    this.own = options.processGroups ? [new ProcessGroupsCollector(fs, options.processGroups)] : [];
    const on = new Set<Collector>(options.disableDefaults === true ? [] : defaultCollectors(ALL.collectors, fs.root));
    for (const c of this.own) on.add(c);
    for (const n of options.enable ?? []) on.add(this.find(n));
    for (const n of options.disable ?? []) on.delete(this.find(n));
    this.enabled = [...ALL.collectors, ...this.own].filter((c) => on.has(c));
    this.collections = new Collections(fs);
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

  /** A scrape of the chosen collectors (all enabled by default) with reads given `deadlineMs`. */
  scrape(selection: readonly Collector[] = this.enabled, deadlineMs = 10_000): Promise<Scrape> {
    return this.collections.scrape(selection, deadlineMs);
  }
}
