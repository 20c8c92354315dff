/**
 * ProcFs: reads and parses the files of one procfs root (the live /proc, a
 * container's /host/proc, or a saved copy), sync or async, with the units of
 * that system, caching the files that never change.
 */
import { endianness } from 'node:os';
import { OnceCache } from '../reading/cache.js';
import { closeKeptFiles, isLiveProcfs } from '../reading/kept-files.js';
import { contextOf, type ParseContext, type ReadContext } from '../core/context.js';
import { ProcfsError } from '../core/errors.js';
import { cgroup2Root } from '../reading/cgroup-root.js';
import { isPerProcess, resolvePath, sysBeside, type PathParams, type Roots } from '../model/paths.js';
import { writeTextAsync, writeTextSync } from '../reading/read.js';
import { readNowAsync, readWayFor, type Parsing, type ReadTarget } from '../reading/read-ways.js';
import type { FileText } from '../core/bytes.js';
import type { SpecEntry, WriterEntry } from '../core/registry-types.js';
import { systemFacts, type KernelRelease, type SystemFacts } from '../reading/system.js';

export interface ProcFsOptions {
  /** Folder that stands for /proc. Default `/proc`. */
  root?: string;
  /**
   * Folder that stands for /sys/fs/cgroup in cgroup specs: the cgroup v2
   * mount. Default: the cgroup2 mount in `<root>/self/mountinfo`, looked up
   * on the first read of a cgroup file (/sys/fs/cgroup/unified on a hybrid
   * host; none on a cgroup v1-only host, where such reads are 'unsupported').
   */
  cgroupRoot?: string;
  /** Folder that stands for /sys in specs of /sys files other than cgroup v2's. Default: `sys` beside `root` (/sys for /proc, /host/sys for /host/proc). */
  sysRoot?: string;
  /** Bytes per page; default from `<root>/self/auxv`, else 4096. */
  pageSize?: number;
  /** Clock ticks per second; default from `<root>/self/auxv`, else 100. */
  clockTick?: number;
  /** Kernel timer frequency (CONFIG_HZ) for jiffies; default 250. */
  hz?: number;
  /** Kernel release of the root, when it cannot be read from it. */
  kernel?: string;
  /** Byte order of the machine the files come from (addresses in net/tcp and the like); default: this machine's for /proc, little-endian otherwise. */
  littleEndian?: boolean;
  /**
   * Keep system-wide files of a live procfs (/proc/meminfo, /proc/stat, …)
   * open between reads and re-read them from offset 0: one system call per
   * read instead of three (async: one request to the thread pool). At most
   * 64 descriptors over all roots; dropCache() closes this root's. Default true.
   */
  keepOpen?: boolean;
  /**
   * Exact mode: read every counter and size the kernel keeps in 64 bits as a
   * bigint (small values too), scaled to bytes exactly. Default false:
   * numbers, exact up to 2^53 and the nearest double beyond (docs/numbers.md).
   */
  bigint?: boolean;
}

const shared = new OnceCache();

/** Most targets of kept files named by parameters held by a ProcFs (the kept descriptors are fewer: kept-files.ts). */
const MAX_TARGETS = 256;

export class ProcFs<Types extends { [K in keyof Types]: unknown }, Writes extends { [K in keyof Writes]: string } = Record<never, string>> {
  readonly root: string;
  private cgroupRootCache: string | undefined;
  /** The roots paths resolve under; the cgroup root is looked up only for a cgroup file. */
  private readonly roots: Roots;
  private factsCache: SystemFacts | undefined;
  private readonly byId: Map<string, SpecEntry>;
  private readonly writersById: Map<string, WriterEntry>;

  constructor(
    registry: readonly SpecEntry[],
    private readonly options: ProcFsOptions = {},
    writers: readonly WriterEntry[] = [],
  ) {
    this.root = options.root ?? '/proc';
    this.roots = { proc: this.root, cgroup: () => this.cgroupRoot, ...(options.sysRoot !== undefined ? { sys: options.sysRoot } : {}) };
    this.byId = new Map(registry.map((e) => [e.id, e]));
    this.writersById = new Map(writers.map((e) => [e.id, e]));
  }

  /**
   * Folder that stands for /sys/fs/cgroup (see ProcFsOptions.cgroupRoot).
   * Throws ProcfsError 'unsupported' when no cgroup2 is mounted, or the
   * error of reading the mount table (a saved copy without self/mountinfo).
   */
  get cgroupRoot(): string {
    return (this.cgroupRootCache ??= this.options.cgroupRoot ?? cgroup2Root(this.root));
  }

  /** Folder that stands for /sys in its files other than cgroup2's (see ProcFsOptions.sysRoot). */
  get sysRoot(): string {
    return this.roots.sys ?? sysBeside(this.root);
  }

  private writer(id: string): WriterEntry {
    const e = this.writersById.get(id);
    if (e === undefined) throw new ProcfsError('not_found', `no write-only spec named ${id}`, { spec: id });
    return e;
  }

  /**
   * Writes one of the values a write-only file takes (pid/clear_refs):
   * open for writing, one write of the kernel's text, close. Errors are
   * ProcfsError (permission, not_found, unsupported, io).
   */
  write<K extends keyof Writes & string>(id: K, value: Writes[K], params?: PathParams): void {
    const e = this.writer(id);
    const file = resolvePath(e.model, this.roots, params);
    writeTextSync(file, e.format(value));
  }

  /** write(), without blocking the event loop. */
  async writeAsync<K extends keyof Writes & string>(id: K, value: Writes[K], params?: PathParams): Promise<void> {
    const e = this.writer(id);
    const file = resolvePath(e.model, this.roots, params);
    await writeTextAsync(file, e.format(value));
  }

  /** Page size, clock tick and kernel release of this root (read once). */
  facts(): SystemFacts {
    if (this.factsCache === undefined) {
      const o: { pageSize?: number; clockTick?: number; kernel?: string } = {};
      if (this.options.pageSize !== undefined) o.pageSize = this.options.pageSize;
      if (this.options.clockTick !== undefined) o.clockTick = this.options.clockTick;
      if (this.options.kernel !== undefined) o.kernel = this.options.kernel;
      this.factsCache = systemFacts(this.root, o);
    }
    return this.factsCache;
  }

  /** The kernel release of this root, or undefined when it cannot be told. */
  kernel(): KernelRelease | undefined {
    return this.facts().kernel;
  }

  /** The parse context for a file of this root. */
  context(file: string): ParseContext {
    const f = this.facts();
    return contextOf({
      file,
      pageSize: f.pageSize,
      clockTick: f.clockTick,
      ...(this.options.hz !== undefined ? { hz: this.options.hz } : {}),
      littleEndian: this.options.littleEndian ?? (this.root === '/proc' ? endianness() === 'LE' : true),
    });
  }

  entry(id: string): SpecEntry {
    const e = this.byId.get(id);
    if (e === undefined) throw new ProcfsError('not_found', `no spec named ${id}`, { spec: id });
    return e;
  }

  /** The file a spec reads for these parameters. */
  path(id: keyof Types & string, params?: PathParams): string {
    return resolvePath(this.entry(id).model, this.roots, params);
  }

  /** Path, parse context and way of reading of each spec read without parameters (a fixed file such as /proc/meminfo), made once. */
  private readonly fixed = new Map<string, ReadTarget>();
  /** Targets of kept files named by parameters, by path. */
  private readonly named = new Map<string, ReadTarget>();
  /**
   * Target and parsing of each spec read without parameters and not cached
   * (/proc/meminfo, /proc/stat): a read of one of those looks up this map
   * alone, where it looked up the spec, its parsing and its target (a
   * monitor reads a dozen such files every second).
   */
  private readonly sampled = new Map<string, { t: ReadTarget; p: Parsing }>();
  /** What each spec read so far is parsed with. */
  private readonly parsings = new Map<string, Parsing>();
  private liveCache: boolean | undefined;

  /** Whether sampled files of this root are read through kept descriptors. */
  private keeps(): boolean {
    if (this.liveCache === undefined) this.liveCache = this.options.keepOpen !== false && isLiveProcfs(this.root);
    return this.liveCache;
  }

  /** The parse context of a read of `file`, in this root's mode (exact with `bigint: true`). */
  readContext(file: string): ReadContext {
    const ctx = this.context(file);
    return this.options.bigint === true ? { ...ctx, bigint: true } : ctx;
  }

  private parsing(e: SpecEntry): Parsing {
    let p = this.parsings.get(e.id);
    if (p === undefined) {
      p = {
        id: e.id,
        parse: e.parse,
        pieces: e.pieces,
        single: e.model.singleRecord === true,
        ...(e.model.link === true ? { link: true } : {}),
        ...(e.model.compressed !== undefined ? { compressed: e.model.compressed } : {}),
      };
      this.parsings.set(e.id, p);
    }
    return p;
  }

  /**
   * The file a read names, its parse context and the way it is read
   * (runtime/reading/read-ways.ts). A sampled file of the system in a live
   * procfs (/proc/meminfo, /proc/pressure/cpu) is read through a kept
   * descriptor; its target is made on its first read and kept (at most
   * MAX_TARGETS of those named by parameters). A file of a process is read
   * by path: a pid may name another process by the next read.
   */
  private target(e: SpecEntry, p: Parsing, params: PathParams | undefined): ReadTarget {
    if (params === undefined) {
      let t = this.fixed.get(e.id);
      if (t === undefined) {
        const file = resolvePath(e.model, this.roots);
        const keep = this.keptHere(e, file, false);
        this.fixed.set(e.id, (t = { file, ctx: this.readContext(file), way: readWayFor(p, keep), now: keep && this.printedAtOnce(file) }));
      }
      return t;
    }
    const file = resolvePath(e.model, this.roots, params);
    let t = this.named.get(file);
    if (t !== undefined) return t;
    const keep = this.keptHere(e, file, true);
    t = { file, ctx: this.readContext(file), way: readWayFor(p, keep), now: keep && this.printedAtOnce(file) };
    if (keep) {
      if (this.named.size >= MAX_TARGETS) this.named.clear();
      this.named.set(file, t);
    }
    return t;
  }

  /**
   * Whether `file`, of spec `e`, is read through a kept descriptor: sampled, (when `named` by parameters) not a
   * process's, and under this live procfs root, or under the live /sys beside it (a cgroup's cpu.stat, a disk's
   * stat: sysfs and cgroupfs make the text anew at each read from offset 0, as procfs does).
   */
  private keptHere(e: SpecEntry, file: string, named: boolean): boolean {
    if (e.model.sampling !== 'sampled' || (named && isPerProcess(e.model))) return false;
    const under = file.startsWith(`${this.root}/`) || (this.root === '/proc' && this.sysRoot === '/sys' && file.startsWith('/sys/'));
    return under && this.keeps();
  }

  /**
   * Whether a kept file is one the kernel prints at once, so that an async
   * read of it is done on this thread (read-ways.ts, readNowAsync): a file of
   * the system under this procfs root that is procfs's own. Not a file in a
   * process's folder (its maps and cmdline wait on the process's memory
   * lock; /proc/net, the reader's own network namespace, is not one), not /sys
   * (a driver's attribute may ask the hardware), not a file another file
   * system lays over procfs (lxcfs's FUSE files in a container, answered by
   * a daemon).
   */
  private printedAtOnce(file: string): boolean {
    if (!file.startsWith(`${this.root}/`)) return false;
    const first = file.slice(this.root.length + 1).split('/', 1)[0]!;
    return !/^(?:\d+|self|thread-self)$/.test(first) && isLiveProcfs(file);
  }

  /** The key of a read-once file in the cache shared by the ProcFs of a root: the two modes keep their own values. */
  private onceKey(path: string): string {
    return this.options.bigint === true ? `bigint:${path}` : path;
  }

  /**
   * Reads and parses one file. Read-once specs of the system are cached per
   * root until dropCache(); a read-once file of a process (pid/cmdline) is
   * read each time, as the pid may name another process by then.
   */
  read<K extends keyof Types & string>(id: K, params?: PathParams): Types[K] {
    if (params === undefined) {
      const f = this.sampled.get(id);
      if (f !== undefined) return f.t.way.readSync(f.t, f.p) as Types[K];
    }
    const e = this.entry(id);
    const p = this.parsing(e);
    const t = this.target(e, p, params);
    if (cachedOnce(e)) return shared.get({ root: this.root, path: this.onceKey(t.file) }, () => t.way.readSync(t, p)) as Types[K];
    if (params === undefined) this.sampled.set(id, { t, p });
    return t.way.readSync(t, p) as Types[K];
  }

  /**
   * Like read, without blocking the event loop on a file that may wait: a
   * system-wide file of a mounted procfs, which the kernel prints at once,
   * is read on this thread (printedAtOnce).
   */
  readAsync<K extends keyof Types & string>(id: K, params?: PathParams): Promise<Types[K]> {
    if (params === undefined) {
      const f = this.sampled.get(id);
      if (f !== undefined) return (f.t.now === true ? readNowAsync(f.t, f.p) : f.t.way.readAsync(f.t, f.p)) as Promise<Types[K]>;
    }
    const e = this.entry(id);
    const p = this.parsing(e);
    const t = this.target(e, p, params);
    const read = () => (t.now === true ? readNowAsync(t, p) : t.way.readAsync(t, p)) as Promise<Types[K]>;
    if (cachedOnce(e)) return shared.get({ root: this.root, path: this.onceKey(`async:${t.file}`) }, read);
    if (params === undefined) this.sampled.set(id, { t, p });
    return read();
  }

  /** Parses text with a spec, using this root's units. */
  parse<K extends keyof Types & string>(id: K, text: FileText, file = '<text>'): Types[K] {
    return this.entry(id).parse(text, this.readContext(file)) as Types[K];
  }

  /** Forgets cached read-once files of this root (and the cgroup2 mount looked up) and closes the descriptors kept for its sampled ones. */
  dropCache(): void {
    this.cgroupRootCache = undefined;
    shared.drop(this.root);
    closeKeptFiles(this.root);
  }
}

/** Whether reads of a spec are cached per root: files read once that belong to the system, not to one process. */
function cachedOnce(e: SpecEntry): boolean {
  return e.model.sampling === 'once' && !isPerProcess(e.model);
}
