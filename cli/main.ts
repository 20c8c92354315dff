/**
 * The procspec command: `parse` /proc files (live or saved copies) to JSON,
 * ndjson, CSV or a table; `list` the specs; `summary`, a self-describing
 * snapshot; `ps` and `top`; `watch` rates and levels; `audit` a kernel
 * against the specs; `new-spec` to draft a spec from a sample; `docs`;
 * `delays`; `doctor`, the native modules and the features they give.
 * Exit codes: 0 done, 1 a file could not be read or parsed (or drift, for
 * audit), 2 bad usage. Errors go to stderr.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { lstatSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { bytesOf, ProcFs, ProcfsError, registry, specForPath, toJson, writers } from '../runtime/index.js';
import { COLUMNS, psCommand, type PsOptions } from './ps.js';
import { readLinkSync } from '../runtime/reading/link.js';
import { readViewSync } from '../runtime/reading/read.js';
import { cgroupMounts } from '../runtime/reading/cgroup-root.js';
import { summary } from './summary.js';
import { auditCommand } from './audit.js';
import { docsCommand } from './docs.js';
import { topCommand, type TopOptions } from './top.js';
import { watchCommand, type WatchOptions } from './watch.js';
import { FORMATS, formatParsed, type Format, type Parsed } from './format.js';
import { withRaw } from './raw.js';
import type { NewSpecOptions } from './new-spec.js';
import { delaysCommand, type DelaysOptions } from './delays.js';
import { doctorCommand } from './doctor.js';
import { nearestNote } from './suggest.js';
import { usageOr } from './usage.js';
import { matchedPath, resolveSpec } from './resolve-spec.js';

/** Whether `file` is a symbolic link (a missing file is not: reading it gives the error). */
const isLink = (file: string): boolean => {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
};

/** Options of `procspec parse`. */
interface ParseOptions {
  as?: string;
  root?: string;
  pageSize?: string;
  clockTick?: string;
  bigEndian?: boolean;
  format: Format;
  delimiter?: string;
  raw?: boolean;
  bigint?: boolean;
}

/** The CSV delimiter: one character, not a quote or a line break; `tab` or `\t` for a tab. */
function delimiterOption(text: string): string {
  const d = text === 'tab' || text === '\\t' ? '\t' : text;
  if ([...d].length !== 1 || /["\r\n]/.test(d)) throw new InvalidArgumentError('one character other than a quote or a line break ("tab" for a tab)');
  return d;
}

/**
 * Where cgroup2 is mounted on this machine (null: nowhere), so that a live
 * cgroup path is matched below that mount; undefined when no file is an
 * absolute path or the mount table cannot be read.
 */
function liveCgroup2(files: string[]): string | null | undefined {
  if (!files.some((f) => isAbsolute(f))) return undefined;
  try {
    return cgroupMounts('/proc').v2;
  } catch {
    return undefined;
  }
}

/** Why a live /sys/fs/cgroup file outside the cgroup2 mount has no spec: it is a cgroup v1 file, and not one of the controller files the specs read. */
function cgroupV1Note(file: string, cgroup2: string | null | undefined): string {
  if (cgroup2 === undefined || !/^\/sys\/fs\/cgroup\//.test(file) || (cgroup2 !== null && file.startsWith(`${cgroup2}/`))) return '';
  return cgroup2 === null
    ? ' (no cgroup2 file system is mounted: a cgroup v1 file that no spec reads)'
    : ` (outside the cgroup2 mount ${cgroup2}: a cgroup v1 file that no spec reads)`;
}

function parseCommand(files: string[], opts: ParseOptions): number {
  // --as names its spec as every command names one: `proc/net/dev`, `net/dev`, `/proc/net/dev`.
  const as = opts.as !== undefined ? resolveSpec(opts.as, registry).entry : undefined;
  const fs = new ProcFs({
    ...(opts.root !== undefined ? { root: opts.root } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: Number(opts.pageSize) } : {}),
    ...(opts.clockTick !== undefined ? { clockTick: Number(opts.clockTick) } : {}),
    ...(opts.bigEndian === true ? { littleEndian: false } : {}),
  });
  const digits = opts.bigint === true;
  let status = 0;
  const parsed: Parsed[] = [];
  const cgroup2 = liveCgroup2(files.map(matchedPath));
  for (const file of files) {
    const entry = as ?? specForPath(registry, matchedPath(file), { cgroup2 });
    if (entry === undefined) {
      const near = nearestNote(
        basename(file),
        registry.map((e) => e.id),
      );
      process.stderr.write(`procspec: no spec matches ${file}${cgroupV1Note(matchedPath(file), cgroup2)}${near}; use --as SPEC (see \`procspec list\`)\n`);
      status = 1;
      continue;
    }
    try {
      const ctx = fs.context(file);
      // The bytes, not a UTF-8 decode of the whole file: a byte that is not UTF-8 stays in the value (see runtime/core/bytes.ts).
      // A link spec's file is a link read with readlink, or a saved copy of its target text.
      const bytes = entry.model.link === true && isLink(file) ? readLinkSync(file) : readViewSync(file);
      const value = entry.parse(bytes, digits ? { ...ctx, bigint: true } : ctx);
      parsed.push({ file, value: opts.raw === true ? withRaw(value, entry.model, ctx) : value });
    } catch (err) {
      if (!(err instanceof ProcfsError)) throw err;
      process.stderr.write(`procspec: ${err.message}\n`);
      status = 1;
    }
  }
  // JSON escapes such bytes (\udcXX, read back by JSON.parse); CSV and tables print the bytes themselves.
  process.stdout.write(bytesOf(formatParsed(parsed, { format: opts.format, delimiter: opts.delimiter ?? ',', several: files.length > 1, digits })));
  return status;
}

function listCommand(json: boolean): number {
  const rows = [
    ...registry.map((e) => ({ id: e.id, paths: e.model.paths, access: e.model.sampling, description: e.model.description })),
    ...writers.map((e) => ({ id: e.id, paths: e.model.paths, access: 'write', description: e.model.description })),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (json) {
    process.stdout.write(`${toJson(rows)}\n`);
    return 0;
  }
  const width = Math.max(...rows.map((e) => e.id.length));
  for (const e of rows) process.stdout.write(`${e.id.padEnd(width)}  ${e.access.padEnd(7)}  ${e.paths.join(' ')}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  // Output piped into a reader that stops early (head): end quietly, as other tools do.
  process.stdout.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  let status = 0;
  const program = new Command();
  program
    .name('procspec')
    .description(
      'Typed parsers for Linux /proc files, generated from YAML specs. JSON output writes 64-bit values (bigints) as decimal strings; with --bigint, as JSON numbers with all their digits.',
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command('parse')
    .description('parse /proc files (live or saved copies) and print JSON, NDJSON, CSV or a table; sizes in bytes, times in seconds')
    .argument('<file...>', 'files to parse; the spec is found from the path (…/meminfo, …/1234/stat, …/net/dev)')
    .option('--as <spec>', 'parse with this spec: its id, short name or a path it reads (proc/net/dev, net/dev, /proc/net/dev; see `procspec list`)')
    .option('--root <dir>', 'procfs root whose units (page size, clock tick) apply', '/proc')
    .option('--page-size <bytes>', 'bytes per page, for a copy from another machine')
    .option('--clock-tick <hz>', 'clock ticks per second, for a copy from another machine')
    .option('--big-endian', 'the copy comes from a big-endian machine (s390x): addresses in net/tcp and the like')
    .addOption(
      new Option('--format <format>', 'json, ndjson (one record a line), csv (one record a row) or table (for reading)').choices(FORMATS).default('json'),
    )
    .option('--delimiter <char>', 'CSV field delimiter (default ","; "tab" for a tab)', delimiterOption)
    .option('--raw', "add beside each field `<field>.raw`: the kernel's name for it and its value in the kernel's unit")
    .option(
      '--bigint',
      'exact mode: 64-bit counters and sizes as exact integers, written in JSON as numbers with all their digits (default: numbers, exact up to 2^53)',
    )
    .action(async (files: string[], opts: ParseOptions, cmd: Command) => {
      if (opts.delimiter !== undefined && opts.format !== 'csv') cmd.error('error: --delimiter applies to --format csv', { exitCode: 2 });
      status = await usageOr('parse', () => parseCommand(files, opts));
    });
  program
    .command('list')
    .description('list the specs with their paths')
    .option('--json', 'as JSON')
    .action((opts: { json?: boolean }) => {
      status = listCommand(opts.json === true);
    });
  program
    .command('ps')
    .description('list processes, reading only the files the columns need')
    .option('-o, --columns <list>', `columns: ${Object.keys(COLUMNS).join(', ')}`, 'pid,ppid,state,time,rss,args')
    .option('--sort <column>', 'sort by a column (-column for descending)')
    .option('--tree', 'children under their parents')
    .option('-L, --threads', 'one row per thread')
    .option('-p, --pid <pid>', 'only this process (with -L: its threads)')
    .option('--root <dir>', 'procfs root', '/proc')
    .option('--json', 'as JSON')
    .action(async (opts: PsOptions & { root: string }) => {
      status = await usageOr('ps', () => psCommand(new ProcFs({ root: opts.root }), opts));
    });
  program
    .command('summary')
    .description(
      'one self-describing snapshot of the machine (or --root): sizes in bytes, times in seconds, a format version, when it was read and from which files',
    )
    .option('--root <dir>', 'procfs root', '/proc')
    .option('--json', 'as JSON')
    .option('--shell', 'as Name=value lines a shell can source')
    .option('--bigint', 'exact mode: 64-bit counters and sizes exact, written in JSON as numbers with all their digits')
    .action((opts: { root: string; json?: boolean; shell?: boolean; bigint?: boolean }) => {
      const exact = opts.bigint === true;
      status = summary(new ProcFs({ root: opts.root, bigint: exact }), opts.shell === true ? 'shell' : opts.json === true ? 'json' : 'text', exact);
    });
  program
    .command('watch')
    .description('sample files and show counters as rates per second and gauges as levels (a table on a terminal, ndjson when piped)')
    .argument(
      '[specs...]',
      'specs by id, short name or file path (proc/meminfo, meminfo, /proc/meminfo, /proc/1/io), parameters as name:key=value,... (pid/io:pid=1); `summary` (the default) watches the files of the summary',
    )
    .option('-i, --interval <time>', 'time between samples: 1s, 500ms, 2m', '1s')
    .option('-n, --count <n>', 'stop after this many samples (default: until interrupted)')
    .option('--match <regex>', 'only the values whose path matches')
    .option('--json', 'ndjson even on a terminal')
    .option('--root <dir>', 'procfs root', '/proc')
    .option('--bigint', 'exact mode: 64-bit counters subtracted exactly, levels written with all their digits')
    .action(async (specs: string[], opts: WatchOptions & { root: string }) => {
      status = await usageOr('watch', () => watchCommand(new ProcFs({ root: opts.root, bigint: opts.bigint === true }), specs, opts));
    });
  program
    .command('top')
    .description('processes sorted by CPU use, from the refresh mode (a table on a terminal, ndjson when piped)')
    .option('-i, --interval <time>', 'time between samples: 1s, 500ms, 2m', '1s')
    .option('-n, --count <n>', 'stop after this many samples (default: until interrupted)')
    .option('--limit <n>', 'processes shown', '15')
    .option('--sort <key>', 'cpu, rss or faults', 'cpu')
    .option('--json', 'ndjson even on a terminal')
    .option('--root <dir>', 'procfs root', '/proc')
    .option('--bigint', 'exact mode: counters subtracted exactly, rssBytes written with all its digits')
    .action(async (opts: TopOptions & { root: string }) => {
      status = await usageOr('top', () => topCommand(new ProcFs({ root: opts.root, bigint: opts.bigint === true }), opts));
    });
  program
    .command('audit')
    .description(
      'compare the kernel (or a captured tree) with the specs: files no spec covers, keys the specs do not name, fields this kernel should print but does not; exit 1 on drift',
    )
    .option('--root <dir>', 'procfs root', '/proc')
    .option('--json', 'as JSON')
    .action((opts: { root: string; json?: boolean }) => {
      status = auditCommand(new ProcFs({ root: opts.root }), opts.json === true);
    });
  program
    .command('new-spec')
    .description(
      'draft a spec from a sample of a /proc file: recognise its shape, type its values, check the draft parses the sample back, and print the YAML (names and descriptions are left for you: TODO)',
    )
    .argument('<sample>', 'the file, live (/proc/...) or a copy')
    .option('--path <path>', "the /proc path the spec is for (default: the sample's own path under /proc/, else /proc/<file name>)")
    .option('--id <id>', 'spec id, its file under specs/ without .yaml (default: from the path)')
    .option('--no-check', 'skip parsing the sample back with a parser generated from the draft')
    .action(async (sample: string, opts: NewSpecOptions) => {
      // Loaded here: drafting loads a YAML writer no other command needs.
      const { newSpecCommand } = await import('./new-spec.js');
      status = await newSpecCommand(sample, opts);
    });
  program
    .command('docs')
    .description('the generated documentation as markdown: the index of all specs, or the page of one')
    .argument('[spec]', 'a spec by id, short name or file path (proc/meminfo, meminfo, /proc/meminfo; see `procspec list`)')
    .action((spec: string | undefined) => {
      status = docsCommand(spec);
    });
  program
    .command('delays')
    .description(
      "a task's delays (CPU, block I/O, swap-in, reclaim, thrashing, compaction, wpcopy, IRQ) from taskstats, like getdelays: `delays -- COMMAND [ARGS...]` runs the command and prints them when it exits; needs CAP_NET_ADMIN",
    )
    .argument('[command...]', 'the command to run and its arguments (after --)')
    .option('-p, --pid <pid>', 'a live thread instead')
    .option('-t, --tgid <tgid>', 'a live process (thread group) instead')
    .option('--json', 'as JSON')
    .allowUnknownOption()
    .action(async (command: string[], opts: DelaysOptions) => {
      status = await delaysCommand(command, opts);
    });
  program
    .command('doctor')
    .description(
      'which native modules loaded and from where (prebuilt binary, local build, none), and which features work here or why not (no binary for this platform, kernel interface missing, capability missing)',
    )
    .option('--json', 'as JSON')
    .action((opts: { json?: boolean }) => {
      status = doctorCommand(opts.json === true);
    });
  program
    .command('serve')
    .description(
      "a Prometheus exporter of the specs over HTTP, with node_exporter's flags (--web.listen-address, --collector.NAME, ...): `procspec serve --help`",
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[flags...]')
    .action(async (flags: string[]) => {
      // Loaded here: the exporter is only needed by serve.
      const { serveCommand } = await import('./serve.js');
      status = await usageOr('serve', () => serveCommand(flags));
    });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return status;
}
