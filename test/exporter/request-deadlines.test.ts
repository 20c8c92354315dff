/**
 * Clients too slow to send a request: `procspec serve` drops them with a 408 by
 * a timer per connection, not node's check every 30 s (exporter/request-deadlines.ts).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../exporter/index.js';
import { KEEP_ALIVE_MS, type Server, startServer } from '../../exporter/server.js';
import { ProcFs } from '../../runtime/index.js';
import { madeUpProc } from './support.js';

/** The deadline the server is given: long enough for a loaded machine to send a request, short for a test. */
const DEADLINE_MS = 400;

/** A connection and everything it has been sent, with whether it ended. */
async function open(port: number): Promise<{ s: Socket; got: () => string; ended: Promise<void> }> {
  const s = connect(port, '127.0.0.1');
  let got = '';
  s.on('data', (d) => {
    got += d.toString();
  });
  const ended = new Promise<void>((resolve) => s.once('close', () => resolve()));
  await new Promise((r) => s.once('connect', r));
  return { s, got: () => got, ended };
}

const REQUEST = 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n';

/** The number of complete answers in what a connection was sent. */
const answers = (text: string) => text.match(/^HTTP\/1\.1 /gm)?.length ?? 0;

/** Waits until a connection has been sent `n` answers, checking after each turn of the event loop. */
async function answered(c: { got: () => string }, n: number): Promise<void> {
  while (answers(c.got()) < n) await new Promise((r) => setTimeout(r, 5));
}

describe('procspec serve: deadlines for sending a request', () => {
  let server: Server;
  let exporter: Exporter;
  beforeAll(async () => {
    exporter = new Exporter(new ProcFs({ root: madeUpProc(), bigint: true }));
    server = await startServer({ exporter, host: '127.0.0.1', port: 0, requestTimeoutMs: DEADLINE_MS });
  });
  afterAll(async () => {
    await server.close();
    exporter.close();
  });

  it('runs no periodic check of its connections', () => {
    const http = server.http as typeof server.http & { connectionsCheckingInterval: number; headersTimeout: number; requestTimeout: number };
    expect(http.connectionsCheckingInterval).toBeGreaterThan(24 * 3600 * 1000);
    expect([http.headersTimeout, http.requestTimeout]).toEqual([0, 0]);
  });

  it('answers 408 and closes a connection that sends half a request and stops', async () => {
    const c = await open(server.port);
    c.s.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    await c.ended;
    expect(c.got()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('closes a connection that sends nothing', async () => {
    const c = await open(server.port);
    await c.ended;
    expect(c.got()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps a connection whose requests come in time, each answered, however long it lives', async () => {
    const c = await open(server.port);
    // Requests back to back for more than twice the deadline: each answer ends the wait the last one began.
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 3 * DEADLINE_MS) {
      c.s.write(REQUEST);
      n++;
      await answered(c, n);
    }
    expect(c.got()).not.toContain(' 408 ');
    expect(c.s.destroyed).toBe(false);
    c.s.destroy();
  });

  it('gives a kept connection the keep-alive wait and the deadline before its next request', async () => {
    const c = await open(server.port);
    c.s.write(REQUEST);
    await answered(c, 1);
    // Past the deadline of a first request, not past the keep-alive wait: still open, and served.
    await new Promise((r) => setTimeout(r, 2 * DEADLINE_MS));
    expect(c.s.destroyed).toBe(false);
    c.s.write(REQUEST);
    await answered(c, 2);
    expect(c.got()).not.toContain(' 408 ');
    expect(KEEP_ALIVE_MS).toBeGreaterThan(10 * DEADLINE_MS);
    c.s.destroy();
  });

  it('serves other clients while slow ones wait for their deadline', async () => {
    const slow = await Promise.all([1, 2, 3].map(() => open(server.port)));
    for (const c of slow) c.s.write('GET /metrics HTTP/1.1\r\n');
    const fast = await open(server.port);
    fast.s.write(REQUEST);
    await answered(fast, 1);
    expect(fast.got()).toMatch(/^HTTP\/1\.1 200 /);
    await Promise.all(slow.map((c) => c.ended));
    for (const c of slow) expect(c.got()).toMatch(/^HTTP\/1\.1 408 /);
    fast.s.destroy();
  });
});
