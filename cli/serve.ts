/**
 * `procspec serve`: the Prometheus exporter over HTTP, with node_exporter's
 * flag names (`--web.listen-address`, `--web.telemetry-path`,
 * `--collector.<name>`, `--no-collector.<name>`, `--collector.disable-defaults`,
 * `--path.procfs`, `--web.config.file`), each as `--flag value` or
 * `--flag=value`. It listens on
 * 127.0.0.1:9256 unless told otherwise, reads in exact mode (64-bit counters
 * printed as the kernel printed them) and runs until SIGINT or SIGTERM.
 */
import { ProcFs } from '../runtime/index.js';
import { allCollectors, DEFAULT_CGROUP_DEPTH, Exporter, SelectionError } from '../exporter/index.js';
import { type GroupsConfig, GroupsConfigError, readGroupsConfig } from '../exporter/groups/config.js';
import { GROUP_METRICS, type GroupMetric, type ProcessGroupsOptions } from '../exporter/groups/collector.js';
import { parseDuration } from '../exporter/groups/duration.js';
import { startServer } from '../exporter/server.js';
import { isLimitFlag, LimitError, type LimitFlags, limitFlag } from '../exporter/limits.js';
import { WebConfigError } from '../exporter/web-config.js';
import { WebGuard } from '../exporter/web-server.js';
import { UsageError } from './usage.js';

export interface ServeFlags {
  host: string | undefined;
  port: number;
  telemetryPath: string;
  maxRequests: number;
  procfs: string;
  /** exporter-toolkit's web config file (TLS, basic auth, headers); undefined: none. */
  webConfigFile: string | undefined;
  disableDefaults: boolean;
  enable: string[];
  disable: string[];
  /** Levels of cgroup v2 groups below the root read by the cgroup collectors. */
  cgroupDepth: number;
  /** Label filters and series budgets (exporter/limits.ts). */
  limits: LimitFlags;
  /** The process groups config (`--collector.process_groups.config`), and how long an empty group stays. */
  groupsConfig: string | undefined;
  removeEmptyAfterMs: number | undefined;
  groupMetrics: GroupMetric[] | undefined;
  help: boolean;
}

/** `host:port`, `[v6]:port` or `:port` (every interface), as node_exporter's --web.listen-address. */
export function parseListenAddress(text: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (m === null || !(port <= 65535)) throw new UsageError(`--web.listen-address ${JSON.stringify(text)}: expected host:port, [ipv6]:port or :port`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

const GROUPS_CONFIG = '--collector.process_groups.config';
const GROUPS_REMOVE = '--collector.process_groups.remove-empty-after';
const GROUPS_METRICS = '--collector.process_groups.metrics';
const VALUED = new Set([
  '--web.listen-address',
  '--web.telemetry-path',
  '--web.max-requests',
  '--path.procfs',
  '--web.config.file',
  '--collector.cgroup.depth',
  GROUPS_CONFIG,
  GROUPS_REMOVE,
  GROUPS_METRICS,
]);

/** The flags of `procspec serve`; UsageError for one it does not know or a bad value. */
export function parseServeFlags(args: readonly string[]): ServeFlags {
  const out: ServeFlags = {
    host: '127.0.0.1',
    port: 9256,
    telemetryPath: '/metrics',
    maxRequests: 40,
    procfs: '/proc',
    webConfigFile: undefined,
    disableDefaults: false,
    enable: [],
    disable: [],
    cgroupDepth: DEFAULT_CGROUP_DEPTH,
    limits: { filters: [], budgets: { collectors: new Map() } },
    groupsConfig: undefined,
    removeEmptyAfterMs: undefined,
    groupMetrics: undefined,
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    let value: string | undefined = flag !== arg ? arg.slice(eq + 1) : undefined;
    if (isLimitFlag(flag)) {
      value ??= args[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      try {
        limitFlag(out.limits, flag, value);
      } catch (err) {
        if (err instanceof LimitError) throw new UsageError(err.message);
        throw err;
      }
      continue;
    }
    if (VALUED.has(flag) && value === undefined) {
      value = args[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
    } else if (!VALUED.has(flag) && value !== undefined && !flag.startsWith('--collector.')) throw new UsageError(`${flag} takes no value`);
    if (flag === '-h' || flag === '--help') out.help = true;
    else if (flag === '--web.listen-address') Object.assign(out, parseListenAddress(value!));
    else if (flag === '--web.telemetry-path') {
      if (!/^\/[^?#\s]+$/.test(value!)) throw new UsageError(`--web.telemetry-path ${JSON.stringify(value)}: a path such as /metrics (not / itself)`);
      out.telemetryPath = value!;
    } else if (flag === '--web.max-requests') {
      if (!/^[1-9][0-9]{0,5}$/.test(value!)) throw new UsageError(`--web.max-requests ${JSON.stringify(value)}: a number of requests, 1 or more`);
      out.maxRequests = Number(value);
    } else if (flag === '--path.procfs') out.procfs = value!;
    // An empty value is no file, as in node_exporter.
    else if (flag === '--web.config.file') out.webConfigFile = value === '' ? undefined : value;
    else if (flag === '--collector.cgroup.depth') {
      if (!/^[0-9]{1,3}$/.test(value!))
        throw new UsageError(`--collector.cgroup.depth ${JSON.stringify(value)}: a number of levels below the root cgroup, 0 or more`);
      out.cgroupDepth = Number(value);
    } else if (flag === GROUPS_CONFIG) out.groupsConfig = value!;
    else if (flag === GROUPS_REMOVE) {
      const ms = parseDuration(value!);
      if (ms === undefined) throw new UsageError(`${GROUPS_REMOVE} ${JSON.stringify(value)}: a duration such as 10m, 1h30m or 0s`);
      out.removeEmptyAfterMs = ms;
    } else if (flag === GROUPS_METRICS) {
      const names = value!.split(',').filter((n) => n !== '');
      const bad = names.find((n) => !(GROUP_METRICS as readonly string[]).includes(n));
      if (bad !== undefined) throw new UsageError(`${GROUPS_METRICS}: no metric ${JSON.stringify(bad)} (expected some of ${GROUP_METRICS.join(',')})`);
      out.groupMetrics = names as GroupMetric[];
    } else if (flag === '--collector.disable-defaults') out.disableDefaults = true;
    else if (flag.startsWith('--collector.') && value === undefined) out.enable.push(flag.slice('--collector.'.length));
    else if (flag.startsWith('--collector.') && (value === 'true' || value === 'false'))
      (value === 'true' ? out.enable : out.disable).push(flag.slice('--collector.'.length));
    else if (flag.startsWith('--no-collector.')) out.disable.push(flag.slice('--no-collector.'.length));
    else throw new UsageError(`unknown flag ${JSON.stringify(arg)} (procspec serve --help lists them)`);
  }
  return out;
}

/** The help of `procspec serve`: its flags and every collector, with whether it is on by default here. */
export function serveHelp(root = '/proc'): string {
  const on = new Set(new Exporter(new ProcFs({ root }), {}).enabled);
  const all = allCollectors();
  const width = Math.max(...all.map((c) => c.name.length));
  const rows = all.map((c) => `  ${c.name.padEnd(width)}  ${on.has(c) ? 'on ' : 'off'}  ${c.id}${on.has(c) ? '' : ` (${c.off ?? 'its file is not here'})`}`);
  return `Usage: procspec serve [flags]

A Prometheus exporter of the values the specs describe: GET /metrics (text
format 0.0.4, or OpenMetrics 1.0 when the Accept header asks; gzip when
accepted). Runs until SIGINT or SIGTERM.

Flags:
  --web.listen-address ADDR     host:port, [ipv6]:port or :port (every interface) (default 127.0.0.1:9256)
  --web.telemetry-path PATH     where metrics are served (default /metrics)
  --web.max-requests N          scrapes answered at once; more get 503 (default 40)
  --path.procfs DIR             procfs root (default /proc)
  --web.config.file FILE        TLS, basic auth and headers, in exporter-toolkit's format (docs/exporter.md)
  --collector.NAME              enable a collector (name or spec id: net_dev, proc/net/dev)
  --no-collector.NAME           disable a collector
  --collector.disable-defaults  start from no collector
  --collector.cgroup.depth N    levels of cgroup v2 groups below the root read by the cgroup_* collectors
                                (0: the root group only; default ${DEFAULT_CGROUP_DEPTH}: /system.slice/ssh.service)
  --collector.NAME.LABEL-include REGEX  serve only NAME's series whose LABEL matches (anchored, RE2 syntax)
  --collector.NAME.LABEL-exclude REGEX  leave out NAME's series whose LABEL matches
  --collector.NAME.max-series N  most series NAME may give, else it is left out of the scrape (default: --collector.max-series)
  --collector.max-series N      the same for every collector (default 10000)
  --web.max-series N            most series of a scrape; a collector that would pass it is left out (default 50000)
  --collector.process_groups.config FILE
                                process groups in process-exporter's config format (its --config.path);
                                enables the process_groups collector
  --collector.process_groups.remove-empty-after DURATION
                                drop a group's series once it has been empty this long (default 10m)
  --collector.process_groups.metrics LIST
                                metrics beyond stat's, each reading its file at every scrape: some of
                                io,swap,context_switches,fds (default all; "" for none)
URL parameters of a scrape: collect[]=NAME (only these), exclude[]=NAME (not these),
include[]=NAME:LABEL=REGEX and exclude[]=NAME:LABEL=REGEX (label filters, as the flags).

Collectors (on: collected by default here):
${rows.join('\n')}
`;
}

/** What the web config file turned on, for the line that says where the server listens. */
function webSummary(web: WebGuard): string {
  const c = web.config;
  const parts = [c.tls ? `TLS, client certificates: ${c.tls.clientAuth}` : 'no TLS'];
  if (c.users.size > 0) parts.push(`basic auth for ${c.users.size} user${c.users.size === 1 ? '' : 's'}`);
  if (c.rateLimit) parts.push(`rate limit: a burst of ${c.rateLimit.burst}, one more request per ${c.rateLimit.intervalMs} ms`);
  return ` (${web.file}: ${parts.join('; ')})`;
}

/** The process groups collector's options from the flags. */
function groupsOptions(config: GroupsConfig, flags: ServeFlags): ProcessGroupsOptions {
  return {
    config,
    ...(flags.removeEmptyAfterMs !== undefined ? { removeEmptyAfterMs: flags.removeEmptyAfterMs } : {}),
    ...(flags.groupMetrics !== undefined ? { metrics: flags.groupMetrics } : {}),
  };
}

export async function serveCommand(args: readonly string[]): Promise<number> {
  const flags = parseServeFlags(args);
  if (flags.help) {
    process.stdout.write(serveHelp(flags.procfs));
    return 0;
  }
  const fs = new ProcFs({ root: flags.procfs, bigint: true });
  let exporter: Exporter;
  try {
    const groups = flags.groupsConfig === undefined ? undefined : readGroupsConfig(flags.groupsConfig);
    exporter = new Exporter(fs, {
      disableDefaults: flags.disableDefaults,
      enable: flags.enable,
      disable: flags.disable,
      filters: flags.limits.filters,
      budgets: flags.limits.budgets,
      cgroupDepth: flags.cgroupDepth,
      ...(groups !== undefined ? { processGroups: groupsOptions(groups, flags) } : {}),
    });
  } catch (err) {
    if (err instanceof SelectionError) throw new UsageError(err.message);
    if (err instanceof GroupsConfigError) {
      process.stderr.write(`procspec serve: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  let web: WebGuard | undefined;
  if (flags.webConfigFile !== undefined) {
    try {
      web = new WebGuard(flags.webConfigFile);
    } catch (err) {
      if (!(err instanceof WebConfigError)) throw err;
      process.stderr.write(`procspec serve: ${err.message}\n`);
      exporter.close();
      return 1;
    }
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ exporter, host: flags.host, port: flags.port, telemetryPath: flags.telemetryPath, maxRequests: flags.maxRequests, web });
  } catch (err) {
    process.stderr.write(`procspec serve: cannot listen on ${flags.host ?? '*'}:${flags.port}: ${(err as Error).message}\n`);
    return 1;
  }
  for (const note of exporter.notes) process.stderr.write(`procspec serve: ${note}\n`);
  process.stderr.write(
    `procspec serve: listening on ${server.url} (${exporter.enabled.length} collectors: ${exporter.enabled.map((c) => c.name).join(' ')})${web ? webSummary(web) : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  exporter.close();
  fs.dropCache();
  return 0;
}
