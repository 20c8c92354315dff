/** Helpers of the exporter's tests: a made-up procfs root of fixture files, HTTP requests, `procspec serve` as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI, repo } from '../support/cli.js';

const fixture = (path: string): string => readFileSync(join(repo, 'test', 'fixtures', 'proc', path), 'utf8');

/** A net/dev whose eth0 has received 2^64 - 1 bytes: printed exactly, it cannot be a double. */
export const HUGE_NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    9701      87    0    0    0     0          0         0     9701      87    0    0    0     0       0          0
  eth0:18446744073709551615 9007199254740993 0 0 0 0 0 0 12 1 0 0 0 0 0 0
`;

/** The files of the made-up root: fixtures of other kernels, each a file the exporter collects by default. */
export const ROOT_FILES: Record<string, string> = {
  meminfo: fixture('meminfo/written-4.19-arm64.txt'),
  stat: fixture('stat/written-2.6.33-x86_64-10-values.txt'),
  loadavg: fixture('loadavg/written-3.10-x86_64.txt'),
  uptime: fixture('uptime/written-4.4-x86_64-8-cpus.txt'),
  vmstat: fixture('vmstat/written-4.9-x86_64.txt'),
  diskstats: fixture('diskstats/written-6.1-x86_64-20-fields.txt'),
  'pressure/cpu': fixture('pressure/written-5.4-x86_64-cpu-no-full.txt'),
  'pressure/memory': fixture('pressure/written-6.1-x86_64-memory.txt'),
  'net/dev': HUGE_NET_DEV,
  'net/softnet_stat': `${'0000247d 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000'}\n${'00011389 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002 00000000'}\n`,
  'sys/fs/file-nr': '1128\t0\t9223372036854775807\n',
};

/** A new procfs root under the temporary folder holding `files` (paths relative to /proc). */
export function madeUpProc(files: Record<string, string> = ROOT_FILES): string {
  const root = mkdtempSync(join(tmpdir(), 'procspec-exporter-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request (a new connection), its whole answer. */
export function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** What Prometheus 2.42 sends as Accept. */
export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** `procspec serve` with `args` on a free port of 127.0.0.1, once it listens (http, or https with a web config file); or how it ended. */
export async function startServe(
  args: readonly string[],
  command: readonly string[] = CLI,
): Promise<{ child: ChildProcess; url: string; stderr: () => string; stop: () => Promise<void> }> {
  const child = spawn(command[0]!, [...command.slice(1), 'serve', '--web.listen-address', '127.0.0.1:0', ...args], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`procspec serve exited (${code}): ${err}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { child, url, stderr: () => err, stop };
}
