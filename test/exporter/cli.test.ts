/** `procspec serve` as a command: node_exporter's flag names, usage errors, a run that ends on SIGTERM. */
import { describe, expect, it } from 'vitest';
import { parseListenAddress, parseServeFlags } from '../../cli/serve.js';
import { runCli } from '../support/cli.js';
import { get, startServe } from './support.js';

describe('procspec serve flags', () => {
  it('defaults: 127.0.0.1:9256, /metrics, the default collectors', () => {
    expect(parseServeFlags([])).toMatchObject({ host: '127.0.0.1', port: 9256, telemetryPath: '/metrics', disableDefaults: false, enable: [], disable: [] });
  });
  it("takes node_exporter's names, as --flag value or --flag=value", () => {
    const f = parseServeFlags([
      '--web.listen-address=:9100',
      '--web.telemetry-path',
      '/m',
      '--collector.disable-defaults',
      '--collector.meminfo',
      '--collector.stat=true',
      '--no-collector.stat',
      '--collector.net_dev=false',
      '--path.procfs',
      '/host/proc',
      '--web.max-requests=3',
    ]);
    expect(f).toMatchObject({
      host: undefined,
      port: 9100,
      telemetryPath: '/m',
      disableDefaults: true,
      enable: ['meminfo', 'stat'],
      disable: ['stat', 'net_dev'],
      procfs: '/host/proc',
      maxRequests: 3,
    });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
  });
  it('refuses what it does not know or cannot do', () => {
    expect(() => parseServeFlags(['--web.listen-address', 'nowhere'])).toThrow(/expected host:port/);
    expect(() => parseServeFlags(['--web.listen-address', '1.2.3.4:70000'])).toThrow(/expected host:port/);
    expect(() => parseServeFlags(['--web.telemetry-path=/'])).toThrow(/not \/ itself/);
    expect(() => parseServeFlags(['--web.config.file'])).toThrow(/--web.config.file needs a value/);
    expect(() => parseServeFlags(['--web.listen-address'])).toThrow(/needs a value/);
    expect(() => parseServeFlags(['--frobnicate'])).toThrow(/unknown flag "--frobnicate"/);
  });
});

describe('procspec serve', () => {
  it('--help lists the flags and every collector, on or off here; usage errors exit 2', () => {
    const help = runCli(['serve', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--web.listen-address ADDR');
    expect(help.stdout).toMatch(/^ {2}meminfo +on +proc\/meminfo$/m);
    expect(help.stdout).toMatch(/^ {2}interrupts +off +proc\/interrupts \(a series per interrupt line and CPU/m);
    for (const [args, why] of [
      [['serve', '--collector.nope'], /no collector named "nope"/],
      [['serve', '--web.config.file'], /--web.config.file needs a value/],
      [['serve', '--bogus'], /unknown flag/],
    ] as const) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(why);
    }
  });
  it('serves until SIGTERM, then exits 0', async () => {
    const serve = await startServe(['--collector.disable-defaults', '--collector.loadavg']);
    const r = await get(serve.url);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toMatch(/^procspec_loadavg_load1 [0-9.]+$/m);
    expect(r.body.toString()).not.toMatch(/^procspec_meminfo_/m);
    const exited = new Promise<number | null>((resolve) => serve.child.once('exit', (code) => resolve(code)));
    serve.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
