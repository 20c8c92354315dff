/** The exporter's HTTP server in this process: formats, URL parameters, limits, shared collections, deadlines. */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../exporter/index.js';
import { type Server, startServer } from '../../exporter/server.js';
import { ProcFs } from '../../runtime/index.js';
import { get, madeUpProc, PROMETHEUS_ACCEPT, ROOT_FILES } from './support.js';

/** Without the exporter's own timings, which change from scrape to scrape. */
/** A body less the lines that change from one scrape to the next: collector durations and the exporter process's own use. */
const steady = (body: string) => body.replace(/^(?:procspec_scrape_collector_duration_seconds|process_(?:cpu|resident|virtual|open)).*\n/gm, '');

/** A raw request on a socket: what the server answers before it closes the connection. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
    });
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

/** Waits until `done` holds, checking after each turn of the event loop (work, not a span of time). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
}

describe('procspec serve: HTTP', () => {
  let server: Server;
  let exporter: Exporter;
  beforeAll(async () => {
    exporter = new Exporter(new ProcFs({ root: madeUpProc(), bigint: true }));
    server = await startServer({ exporter, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server.close();
    exporter.close();
  });

  it('serves the text format by default, OpenMetrics when Prometheus asks, text for a malformed Accept', async () => {
    const text = await get(server.url);
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.body.toString()).toContain('procspec_net_dev_rx_bytes_total{iface="eth0"} 18446744073709551615\n');
    const om = await get(server.url, { Accept: PROMETHEUS_ACCEPT });
    expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const body = om.body.toString();
    expect(body).toContain('# TYPE procspec_net_dev_rx_bytes counter\n# UNIT procspec_net_dev_rx_bytes bytes\n');
    expect(body.endsWith('# EOF\n')).toBe(true);
    const bad = await get(server.url, { Accept: 'application/openmetrics-text;q=nope' });
    expect(bad.status).toBe(200);
    expect(bad.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
  it('gzips when accepted; HEAD has the headers and no body', async () => {
    const plain = await get(server.url);
    const zipped = await get(server.url, { 'Accept-Encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(steady(gunzipSync(zipped.body).toString())).toBe(steady(plain.body.toString()));
    const head = await get(server.url, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
    expect(head.body.length).toBe(0);
  });
  it('collect[] and exclude[] choose collectors', async () => {
    const only = (await get(`${server.url}?collect%5B%5D=meminfo&collect[]=proc/loadavg`)).body.toString();
    const prefixes = new Set(only.match(/^procspec_[a-z]+_/gm));
    expect([...prefixes].sort()).toEqual(['procspec_build_', 'procspec_loadavg_', 'procspec_meminfo_', 'procspec_scrape_']);
    expect(only).toContain('procspec_scrape_collector_success{collector="meminfo"} 1\n');
    expect(only).not.toContain('collector="stat"');
    const without = (await get(`${server.url}?exclude[]=stat`)).body.toString();
    expect(without).not.toMatch(/^procspec_stat_/m);
    expect(without).toMatch(/^procspec_meminfo_/m);
  });
  it('answers a clear 400 for unknown or malformed URL parameters and collectors not enabled', async () => {
    const cases: [string, RegExp][] = [
      ['?foo=1', /unknown URL parameter "foo" \(known: collect\[\], exclude\[\], include\[\]\)/],
      ['?collect=meminfo', /unknown URL parameter "collect"/],
      ['?collect[]=nope', /no collector named "nope"/],
      ['?collect[]=interrupts', /collector interrupts is not enabled \(start procspec serve with --collector.interrupts\)/],
      ['?collect[]=%zz', /malformed percent-encoding/],
      ['?collect[]=', /collect\[\] needs a collector name/],
      ['?exclude[]', /exclude\[\] needs a collector name/],
      ['?collect[]=proc/pid/stat', /proc\/pid\/stat is not a collector: its files are named by \[pid\]/],
    ];
    for (const [query, why] of cases) {
      const r = await get(server.url + query);
      expect(r.status, query).toBe(400);
      expect(r.body.toString(), query).toMatch(why);
    }
  });
  it('serves only GET and HEAD of its paths; a landing page at /', async () => {
    const post = await get(server.url, {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await get(server.url, {}, 'DELETE')).status).toBe(405);
    expect((await get(server.url.replace('/metrics', '/nope'))).status).toBe(404);
    expect((await get(server.url.replace('/metrics', '/metrics/'))).status).toBe(404);
    const home = await get(server.url.replace('/metrics', '/'));
    expect(home.status).toBe(200);
    expect(home.body.toString()).toContain('<a href="/metrics">');
  });
  it('survives huge headers, garbage, and a client that stops half way, serving the others meanwhile', async () => {
    expect((await get(server.url, { 'X-Big': 'x'.repeat(20_000) })).status).toBe(431);
    expect(await raw(server.port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(server.port, `GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    const slow = connect(server.port, '127.0.0.1');
    await new Promise((r) => slow.once('connect', r));
    slow.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect((await get(server.url)).status).toBe(200);
    slow.destroy();
    expect((await get(server.url)).status).toBe(200);
  });
  it('concurrent scrapes share one collection', async () => {
    const before = exporter.collections.collections;
    const joined = exporter.collections.joined;
    const replies = await Promise.all(Array.from({ length: 5 }, () => exporter.scrape()));
    expect(exporter.collections.collections - before).toBe(1);
    expect(exporter.collections.joined - joined).toBe(4);
    expect(new Set(replies).size).toBe(1);
  });
});

/** Opens a FIFO for writing once its reader is waiting (a non-blocking open fails until then), writes `text` and closes it. */
async function feed(fifo: string, text: string): Promise<void> {
  let fd = -1;
  await until(() => {
    try {
      fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      return true;
    } catch {
      return false;
    }
  });
  writeSync(fd, text);
  closeSync(fd);
}

describe('procspec serve: a file that does not parse', () => {
  it('fails its collector, counts the parse error, and serves the rest', async () => {
    const exporter = new Exporter(new ProcFs({ root: madeUpProc({ ...ROOT_FILES, loadavg: '0.1 0.2 oops 1/2 3\n' }), bigint: true }));
    for (const n of [1, 2]) {
      const body = (await exporter.scrape()).text({ kind: 'text' });
      expect(body).toContain('procspec_scrape_collector_success{collector="loadavg"} 0\n');
      expect(body).toContain(`procspec_scrape_collector_parse_errors_total{collector="loadavg"} ${n}\n`);
      expect(body).toContain('procspec_scrape_collector_success{collector="meminfo"} 1\n');
      expect(body).not.toMatch(/^procspec_loadavg_/m);
    }
    expect((await exporter.scrape()).results.find((r) => r.name === 'loadavg')?.error).toMatch(/loadavg:1:9: expected a decimal number/);
    exporter.close();
  });
});

describe('procspec serve: a file that does not answer', () => {
  it('holds one collection that scrapes arriving over HTTP meanwhile share', async () => {
    const root = madeUpProc({ meminfo: ROOT_FILES.meminfo! });
    const fifo = join(root, 'loadavg');
    execFileSync('mkfifo', [fifo]);
    const exporter = new Exporter(new ProcFs({ root, bigint: true }), { enable: ['loadavg'] });
    const server = await startServer({ exporter, host: '127.0.0.1', port: 0 });
    try {
      const replies = Array.from({ length: 3 }, () => get(server.url, { 'X-Prometheus-Scrape-Timeout-Seconds': '120' }));
      await until(() => exporter.collections.joined === 2);
      await feed(fifo, '0.50 0.40 0.30 2/300 4000\n');
      const bodies = (await Promise.all(replies)).map((r) => r.body.toString());
      expect(exporter.collections.collections).toBe(1);
      expect(new Set(bodies).size).toBe(1);
      expect(bodies[0]).toContain('procspec_loadavg_load1 0.5\n');
      expect(bodies[0]).toContain('procspec_scrape_collector_success{collector="loadavg"} 1\n');
    } finally {
      await server.close();
      exporter.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('misses the deadline: its collector is failed, the rest served; a second scrape joins the pending read', async () => {
    const root = madeUpProc({ meminfo: ROOT_FILES.meminfo!, uptime: ROOT_FILES.uptime! });
    const fifo = join(root, 'loadavg');
    execFileSync('mkfifo', [fifo]);
    const exporter = new Exporter(new ProcFs({ root, bigint: true }), { enable: ['loadavg'] });
    const server = await startServer({ exporter, host: '127.0.0.1', port: 0 });
    try {
      // Opening a FIFO with no writer blocks: the read of loadavg does not end until this test writes.
      let concurrent: Promise<unknown> | undefined;
      for (let scrape = 1; scrape <= 2; scrape++) {
        const r = await get(server.url, { 'X-Prometheus-Scrape-Timeout-Seconds': '0.5' });
        expect(r.status).toBe(200);
        const body = r.body.toString();
        expect(body).toContain('procspec_scrape_collector_success{collector="loadavg"} 0\n');
        expect(body).toContain(`procspec_scrape_collector_timeouts_total{collector="loadavg"} ${scrape}\n`);
        expect(body).toContain('procspec_scrape_collector_success{collector="meminfo"} 1\n');
        expect(body).toMatch(/^procspec_meminfo_mem_total_bytes \d+$/m);
        expect(body).not.toMatch(/^procspec_loadavg_/m);
        concurrent ??= get(server.url.replace('/metrics', '/')); // the server answers while the read hangs
      }
      expect((await concurrent)!).toMatchObject({ status: 200 });
      // Two scrapes, one read (the second joined the first's): one write ends it.
      expect(exporter.collections.pendingReads).toBe(1);
      await feed(fifo, '0.50 0.40 0.30 2/300 4000\n');
    } finally {
      await server.close();
      exporter.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
