/**
 * A collection: every selected collector's files read (async, all at once),
 * walked into samples, and the exporter's own metrics beside them. One
 * collection is in flight at a time: a scrape that asks for the same
 * collectors while one runs shares it; one that asks for others waits for
 * it to end. A read that has not finished by the deadline marks its
 * collector failed (the rest is served); it is not started again while it
 * is still pending, so a file that never answers holds one read, not one
 * per scrape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcFs, ProcfsError, type PathParams, type SpecTypes } from '../runtime/index.js';
import { type CollectorDef, type FileRead, filesOf, Listing, type Places } from './collectors.js';
import { cgroupTreeOf, DEFAULT_CGROUP_DEPTH } from './cgroups.js';
import { FamilyList, FamilySlots, labelPair, type Sample, Sink } from './walks.js';
import { type Format, renderBytes } from './exposition.js';
import { type FamilyDef, ownFamily } from './names.js';
import { applyLimits, type Budgets, DEFAULT_BUDGETS, type LabelRule, SERIES_DROPPED } from './limits.js';

/** A collector that reads for itself rather than a spec's files (process groups): it adds its samples to the sink and says why it failed, if it did. */
export interface OwnCollector {
  readonly name: string;
  readonly id: string;
  collect(sink: Sink, expired: Promise<unknown>): Promise<{ error?: string; timedOut?: boolean }>;
  close(): void;
}

/** A spec's collector or one of the exporter's own. */
export type Collector = CollectorDef | OwnCollector;

/** How one collector did in a collection. */
export interface CollectorResult {
  readonly name: string;
  readonly success: boolean;
  readonly seconds: number;
  /** Why it failed: the first error met (a file's, or the deadline). */
  readonly error?: string;
}

/** The outcome of a collection: its families in order, ready to print in either format. */
export class Scrape {
  private readonly bodies = new Map<string, Buffer>();
  constructor(
    readonly families: FamilyList,
    readonly results: readonly CollectorResult[],
  ) {}

  /** The body in a format as UTF-8 bytes, printed once per format and collection. */
  printed(format: Format): Buffer {
    const key = format.kind === 'text' ? 'text' : format.version;
    let body = this.bodies.get(key);
    if (body === undefined) this.bodies.set(key, (body = renderBytes(this.families, format)));
    return body;
  }

  /** The body in a format as UTF-8 bytes. */
  bytes(format: Format): Buffer {
    return this.printed(format);
  }

  /** The body in a format. */
  text(format: Format): string {
    return this.bytes(format).toString('utf8');
  }

  /** How many samples it holds. */
  get samples(): number {
    let n = 0;
    for (const s of this.families.lists) n += s.length;
    return n;
  }
}

const self = ownFamily;

/** The exporter's own families. */
export const SELF = {
  duration: self('procspec_scrape_collector_duration_seconds', 'gauge', 'seconds', 'Time a collector took to read and convert its files in this scrape.'),
  success: self(
    'procspec_scrape_collector_success',
    'gauge',
    '',
    'Whether every file of a collector was read and parsed in time in this scrape (1) or not (0).',
  ),
  parseErrors: self(
    'procspec_scrape_collector_parse_errors',
    'counter',
    '',
    'Files of a collector whose text did not have the shape its spec describes, since the exporter started.',
  ),
  timeouts: self('procspec_scrape_collector_timeouts', 'counter', '', 'Reads of a collector not finished by the scrape deadline, since the exporter started.'),
  build: self('procspec_build_info', 'gauge', '', 'The procspec exporter: its version and the Node.js that runs it (always 1).'),
} as const;

/** procspec's version, from the package.json above this module (source or dist/). */
function packageVersion(): string {
  for (const up of ['..', join('..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(import.meta.dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'procspec' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not this folder
    }
  }
  return 'unknown';
}

const BUILD_LABELS = `${labelPair('version', packageVersion())},${labelPair('nodejs', process.version)}`;

const TIMEOUT = Symbol('timeout');

/** Whether a read failed because its file is gone: a cgroup removed between its listing and the read. */
const vanished = (err: unknown): boolean => err instanceof ProcfsError && (err.errno === 'ENOENT' || err.errno === 'ENODEV');
/** Errors of a /sys attribute that this object has no value for (sysfs show functions return them). */
const LACKING = new Set(['EINVAL', 'EOPNOTSUPP', 'ENOTSUP', 'ENXIO', 'ENODATA']);
const lacking = (err: unknown): boolean => err instanceof ProcfsError && err.errno !== undefined && LACKING.has(err.errno);

export class Collections {
  private readonly fs: ProcFs<boolean>;
  /** Where the collectors' files are listed. */
  readonly places: Places;
  private inflight: { key: string; promise: Promise<Scrape> } | undefined;
  /** Reads still running, by collector and file label: a read past its deadline is joined, not started again. */
  private readonly pending = new Map<string, Promise<{ value: unknown } | { error: unknown }>>();
  private readonly parseErrors = new Map<string, number>();
  private readonly timeouts = new Map<string, number>();
  /** Collections run so far (scrapes that shared one count once). */
  collections = 0;
  /** Scrapes that joined a collection already in flight. */
  joined = 0;
  /** Folders listed (a procfs folder, a cgroup group) in the last collection. */
  foldersListed = 0;
  /**
   * What the last collection made (its files' values, reads, sinks and
   * timer), held until the next one ends. V8 drops the shape of an object at
   * a full GC that finds none of its kind alive, and with it the optimized
   * code made for that shape: between scrapes nothing of a collection was
   * left, and each full GC sent the parsers and walks back to be compiled
   * again over the scrapes after it (docs/exporter.md, "Measured").
   */
  held: readonly unknown[] = [];
  /** Each collector's family slots (its sinks' layout), and those of the exporter's own families. */
  private readonly slots = new Map<string, FamilySlots>();
  private readonly ownSlots = new FamilySlots();
  /** Per family, the collection that last printed it and where: a family two collectors give is printed once. */
  private readonly placed = new Map<FamilyDef, { stamp: number; at: number }>();

  /**
   * Reads with this ProcFs, in its mode (exact mode prints 64-bit counters
   * exactly), async: a file that does not answer misses the deadline without
   * stopping the server; on a live procfs its files are kept open and
   * re-read (ProcFsOptions.keepOpen), a cgroup's are read by path. Label
   * filters and series budgets of every scrape; its cgroup2 tree is looked
   * up here unless `places` gives it.
   */
  constructor(
    fs: ProcFs<boolean>,
    private readonly rules: readonly LabelRule[] = [],
    private readonly budgets: Budgets = DEFAULT_BUDGETS,
    places?: Places,
  ) {
    this.fs = fs;
    this.places = places ?? { procRoot: fs.root, sysRoot: fs.sysRoot, cgroup: cgroupTreeOf(fs), cgroupDepth: DEFAULT_CGROUP_DEPTH };
  }

  /** Reads started and not finished (a file past its deadline keeps one). */
  get pendingReads(): number {
    return this.pending.size;
  }

  /** Closes the descriptors kept for reads of this root. */
  close(): void {
    this.fs.dropCache();
  }

  /**
   * The scrape of these collectors, with reads given `deadlineMs`: the one
   * in flight when it asks for the same collectors, else a new one (after
   * the one in flight, if any, ends).
   */
  async scrape(selection: readonly Collector[], deadlineMs: number, rules: readonly LabelRule[] = []): Promise<Scrape> {
    const key = [selection.map((c) => c.name).join(','), ...rules.map((r) => `${r.include ? '+' : '-'}${r.collector}:${r.label}=${r.source}`)].join('\0');
    for (;;) {
      const now = this.inflight;
      if (now === undefined) break;
      if (now.key === key) {
        this.joined++;
        return now.promise;
      }
      await now.promise.catch(() => undefined);
    }
    const promise = this.run(selection, deadlineMs, rules);
    const mine = { key, promise };
    this.inflight = mine;
    const done = () => {
      if (this.inflight === mine) this.inflight = undefined;
    };
    promise.then(done, done);
    return promise;
  }

  private async run(selection: readonly Collector[], deadlineMs: number, rules: readonly LabelRule[]): Promise<Scrape> {
    this.collections++;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), Math.max(0, deadlineMs));
    });
    const held: unknown[] = [];
    try {
      const sinks = selection.map((c) => new Sink(this.slotsOf(c.name)));
      const listing = new Listing(this.places);
      held.push(sinks, listing);
      const collected = await Promise.all(
        selection.map((c, i) => ('collect' in c ? this.own(c, sinks[i]!, expired) : this.collect(c, listing, sinks[i]!, expired, held))),
      );
      this.foldersListed = listing.counts.folders;
      // Filters and budgets before anything is served: a collector past its budget is left out and fails.
      const over = applyLimits(
        selection.map((c) => c.name),
        sinks,
        [...this.rules, ...rules],
        this.budgets,
      );
      const results = collected.map((r): CollectorResult => {
        const o = over.get(r.name);
        return o === undefined ? r : { name: r.name, success: false, seconds: r.seconds, error: r.error ?? `left out: ${o.why}` };
      });
      const extra = new Sink(this.ownSlots);
      for (const r of results) {
        const l = labelPair('collector', r.name);
        extra.add(SELF.duration, l, r.seconds, 1);
        extra.add(SELF.success, l, r.success ? 1 : 0, 1);
        extra.add(SELF.parseErrors, l, this.parseErrors.get(r.name) ?? 0, 1);
        extra.add(SELF.timeouts, l, this.timeouts.get(r.name) ?? 0, 1);
        extra.add(SERIES_DROPPED, l, over.get(r.name)?.dropped ?? 0, 1);
      }
      extra.add(SELF.build, BUILD_LABELS, 1, 1);
      const scrape = new Scrape(this.merged([...sinks, extra]), results);
      held.push(extra, scrape);
      return scrape;
    } finally {
      clearTimeout(timer);
      held.push(timer);
      this.held = held;
    }
  }

  private slotsOf(name: string): FamilySlots {
    let s = this.slots.get(name);
    if (s === undefined) this.slots.set(name, (s = new FamilySlots()));
    return s;
  }

  /** The sinks' families in order; a family two sinks give is printed where it first came, with the last one's samples. */
  private merged(sinks: readonly Sink[]): FamilyList {
    const stamp = this.collections;
    let most = 0;
    for (const sink of sinks) most += sink.size;
    // Made at their size: grown entry by entry they were a tenth of what a scrape allocated.
    const defs = new Array<FamilyDef>(most);
    const lists = new Array<Sample[]>(most);
    let n = 0;
    for (const sink of sinks)
      sink.forEach((samples, def) => {
        let p = this.placed.get(def);
        if (p === undefined) this.placed.set(def, (p = { stamp: 0, at: 0 }));
        if (p.stamp === stamp) lists[p.at] = samples;
        else {
          p.stamp = stamp;
          p.at = n;
          defs[n] = def;
          lists[n++] = samples;
        }
      });
    defs.length = n;
    lists.length = n;
    return new FamilyList(defs, lists);
  }

  /** An own collector's collection, timed, its deadline misses counted. */
  private async own(c: OwnCollector, sink: Sink, expired: Promise<typeof TIMEOUT>): Promise<CollectorResult> {
    const start = process.hrtime.bigint();
    let r: { error?: string; timedOut?: boolean };
    try {
      r = await c.collect(sink, expired);
    } catch (err) {
      r = { error: (err as Error).message };
    }
    if (r.timedOut === true) this.timeouts.set(c.name, (this.timeouts.get(c.name) ?? 0) + 1);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return r.error === undefined ? { name: c.name, success: true, seconds } : { name: c.name, success: false, seconds, error: r.error };
  }

  /** One read, joined if the same file's read is still pending from an earlier collection. */
  private read(c: CollectorDef, what: string, params: PathParams | undefined): Promise<{ value: unknown } | { error: unknown }> {
    const key = `${c.name}\0${what}`;
    let p = this.pending.get(key);
    if (p === undefined) {
      p = this.fs.readAsync(c.id as keyof SpecTypes, params).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      this.pending.set(key, p);
      void p.then(() => this.pending.delete(key));
    }
    return p;
  }

  private async collect(c: CollectorDef, listing: Listing, sink: Sink, expired: Promise<typeof TIMEOUT>, held: unknown[]): Promise<CollectorResult> {
    const start = process.hrtime.bigint();
    let error: string | undefined;
    const fail = (why: string) => {
      error ??= why;
    };
    let reads: FileRead[] = [];
    try {
      const listed = await Promise.race([filesOf(c, listing), expired]);
      if (listed === TIMEOUT) fail('the deadline passed while listing its files');
      else reads = listed;
    } catch (err) {
      fail(`its files could not be listed: ${(err as Error).message}`);
    }
    // Read at once, walked in the order of the listing: samples come out in the same order whatever read ended first.
    const got = await Promise.all(reads.map((r) => Promise.race([this.read(c, r.what, r.params), expired])));
    held.push(reads, got);
    for (let i = 0; i < got.length; i++) {
      const g = got[i]!;
      const r = reads[i]!;
      if (g === TIMEOUT) {
        this.timeouts.set(c.name, (this.timeouts.get(c.name) ?? 0) + 1);
        fail(`the deadline passed while reading ${r.what === '' ? c.id : `${c.id} ${r.what}`}`);
      } else if ('error' in g) {
        if (r.mayVanish && vanished(g.error)) continue;
        if (r.mayLack === true && lacking(g.error)) continue;
        if (g.error instanceof ProcfsError && g.error.code === 'parse') this.parseErrors.set(c.name, (this.parseErrors.get(c.name) ?? 0) + 1);
        fail(g.error instanceof Error ? g.error.message : String(g.error));
      } else c.families.walk(g.value, r.labels, sink);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return error === undefined ? { name: c.name, success: true, seconds } : { name: c.name, success: false, seconds, error };
  }
}
