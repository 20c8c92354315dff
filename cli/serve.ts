/**
 * `procspec serve`: the Prometheus exporter over HTTP, with node_exporter's
 * flag names (`--web.listen-address`, `--web.telemetry-path`,
 * `--collector.<name>`, `--no-collector.<name>`, `--collector.disable-defaults`,
 * `--path.procfs`), each as `--flag value` or `--flag=value`. It listens on
 * 127.0.0.1:9256 unless told otherwise, reads in exact mode (64-bit counters
 * printed as the kernel printed them) and runs until SIGINT or SIGTERM.
 */
import { ProcFs } from '../runtime/index.js';
import { allCollectors, Exporter, SelectionError } from '../exporter/index.js';
import { type GroupsConfig, GroupsConfigError, readGroupsConfig } from '../exporter/groups/config.js';
import { GROUP_METRICS, type GroupMetric, type ProcessGroupsOptions } from '../exporter/groups/collector.js';
import { parseDuration } from '../exporter/groups/duration.js';
import { startServer } from '../exporter/server.js';
import { UsageError } from './usage.js';

export interface ServeFlags {
  host: string | undefined;
  port: number;
  telemetryPath: string;
  maxRequests: number;
  procfs: string;
  disableDefaults: boolean;
  enable: string[];
  disable: string[];
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
    disableDefaults: false,
    enable: [],
    disable: [],
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
    else if (flag === '--web.config.file')
      throw new UsageError('--web.config.file (TLS and basic auth) is not supported yet: serve on 127.0.0.1 or behind a proxy');
    else if (flag === GROUPS_CONFIG) out.groupsConfig = value!;
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
  --collector.NAME              enable a collector (name or spec id: net_dev, proc/net/dev)
  --no-collector.NAME           disable a collector
  --collector.disable-defaults  start from no collector
  --collector.process_groups.config FILE
                                process groups in process-exporter's config format (its --config.path);
                                enables the process_groups collector
  --collector.process_groups.remove-empty-after DURATION
                                drop a group's series once it has been empty this long (default 10m)
  --collector.process_groups.metrics LIST
                                metrics beyond stat's, each reading its file at every scrape: some of
                                io,swap,context_switches,fds (default all; "" for none)
URL parameters of a scrape: collect[]=NAME (only these), exclude[]=NAME (not these).

Collectors (on: collected by default here):
${rows.join('\n')}
`;
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
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ exporter, host: flags.host, port: flags.port, telemetryPath: flags.telemetryPath, maxRequests: flags.maxRequests });
  } catch (err) {
    process.stderr.write(`procspec serve: cannot listen on ${flags.host ?? '*'}:${flags.port}: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(
    `procspec serve: listening on ${server.url} (${exporter.enabled.length} collectors: ${exporter.enabled.map((c) => c.name).join(' ')})\n`,
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
