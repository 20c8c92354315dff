/**
 * The exporter's HTTP server (node:http): GET or HEAD of the telemetry path
 * (`/metrics`) scrapes, `/` is a landing page, nothing else is served and
 * nothing is written. `collect[]` and `exclude[]` choose collectors; any
 * other URL parameter, a malformed one or an unknown collector is a 400
 * that says why. The deadline of a scrape comes from Prometheus's
 * X-Prometheus-Scrape-Timeout-Seconds header (less a margin to send the
 * answer). Limits keep the server up whatever a client sends: header size
 * (431), time to send the request (408), idle sockets, requests in flight
 * (503), and any error in a handler answers 500 instead of ending the
 * process. A web config file (web-server.ts) makes it HTTPS and adds basic
 * auth, headers and a rate limit to every path.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Scrape } from './collect.js';
import { gzipBody } from './deflate/gzip-body.js';
import { contentType, type Format } from './exposition.js';
import { type Exporter, SelectionError } from './exporter.js';
import { acceptsGzip, negotiateFormat } from './negotiate.js';
import { type LabelRule, LimitError, parseRuleParam } from './limits.js';
import { CHECK_NEVER, guardRequests } from './request-deadlines.js';
import { settleTimers } from './settle-timers.js';
import type { WebGuard } from './web-server.js';

export interface ServeOptions {
  exporter: Exporter;
  /** Address to listen on; undefined: every interface. */
  host: string | undefined;
  /** 0 picks a free port. */
  port: number;
  /** Where metrics are served. Default `/metrics`. */
  telemetryPath?: string;
  /** Scrapes answered at once; more get 503. Default 40 (node_exporter's --web.max-requests). */
  maxRequests?: number;
  /** Deadline of a scrape that does not send X-Prometheus-Scrape-Timeout-Seconds. Default 10 s. */
  defaultTimeoutSeconds?: number;
  /** Time a client has to send a complete request header, from its connection or its last answer's end and the keep-alive wait (ms). Default 10 s. */
  requestTimeoutMs?: number;
  /** The web config file's TLS, basic auth, headers and rate limit; undefined: plain HTTP, open to all. */
  web?: WebGuard;
}

export interface Server {
  readonly http: HttpServer | HttpsServer;
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (https with TLS) of the telemetry path. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The collectors a query asks for and leaves out, and its label filters
 * (`include[]=net_dev:device=eth.*`, `exclude[]=net_dev:device=lo`: a value
 * with a `:` is a filter, one without names a collector), or why it is refused.
 */
export function parseQuery(query: string): { collect: string[]; exclude: string[]; rules: LabelRule[] } | { error: string } {
  const collect: string[] = [];
  const exclude: string[] = [];
  const rules: LabelRule[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string | undefined;
    try {
      key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? undefined : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return { error: `malformed percent-encoding in the URL parameter ${JSON.stringify(part.slice(0, 100))}` };
    }
    if (key !== 'collect[]' && key !== 'exclude[]' && key !== 'include[]')
      return { error: `unknown URL parameter ${JSON.stringify(key.slice(0, 100))} (known: collect[], exclude[], include[])` };
    if (value === undefined || value === '') return { error: key === 'include[]' ? `${key} needs COLLECTOR:LABEL=REGEX` : `${key} needs a collector name` };
    if (key !== 'collect[]') {
      try {
        const rule = parseRuleParam(key, value);
        if (rule !== undefined) {
          rules.push(rule);
          continue;
        }
      } catch (err) {
        if (err instanceof LimitError) return { error: err.message };
        throw err;
      }
      if (key === 'include[]') return { error: `include[]=${value.slice(0, 100)}: expected COLLECTOR:LABEL=REGEX (such as net_dev:device=eth.*)` };
    }
    (key === 'collect[]' ? collect : exclude).push(value);
  }
  return { collect, exclude, rules };
}

/** The deadline of a scrape: Prometheus's timeout less a margin (a tenth, at most 0.5 s) to send the answer. */
export function deadlineMs(header: string | string[] | undefined, fallbackSeconds: number): number {
  const t = typeof header === 'string' && /^\s*[0-9]+(?:\.[0-9]+)?\s*$/.test(header) ? Number(header) : Number.NaN;
  const seconds = t > 0 ? t : fallbackSeconds;
  return seconds * 1000 - Math.min(500, seconds * 100);
}

/** How long (ms) an idle connection is kept for its next request: longer than the usual scrape intervals (15 s to 1 min). */
export const KEEP_ALIVE_MS = 65_000;

/** How long (ms) a client has to send a complete request header: from its connection, or past the keep-alive wait after an answer. */
export const REQUEST_MS = 10_000;

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function landing(exporter: Exporter, path: string): string {
  const items = exporter.enabled.map((c) => `<li><code>${escapeHtml(c.name)}</code> ${escapeHtml(c.id)}</li>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>procspec exporter</title></head><body><h1>procspec exporter</h1><p><a href="${escapeHtml(path)}">Metrics</a></p><p>Collectors enabled:</p><ul>${items}</ul></body></html>\n`;
}

/** Compressed bodies of a scrape, made once per format. */
const compressed = new WeakMap<Scrape, Map<string, Buffer>>();

/**
 * The body gzipped by deflate/gzip-body.ts, which keeps the matching of the
 * constant HELP/TYPE lines and line starts between bodies: zlib at its
 * fastest level redid all of it each scrape (about 1 ms for 210 KB, to
 * 35 KB). Splicing each family's constant lines, compressed once, with its
 * samples stored took a third of the CPU but sent 156 KB.
 */
function gzipped(scrape: Scrape, format: Format): Buffer {
  let m = compressed.get(scrape);
  if (m === undefined) compressed.set(scrape, (m = new Map()));
  const key = format.kind === 'text' ? 'text' : format.version;
  let b = m.get(key);
  if (b === undefined) {
    b = gzipBody(scrape.families, format);
    m.set(key, b);
  }
  return b;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  // The Date header made here: node's own is cached for a second by a timer, which would wake an idle exporter.
  res.writeHead(status, {
    Date: new Date().toUTCString(),
    'Content-Type': type,
    'Content-Length': String(buf.length),
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

export async function startServer(opts: ServeOptions): Promise<Server> {
  const path = opts.telemetryPath ?? '/metrics';
  const maxRequests = opts.maxRequests ?? 40;
  const fallback = opts.defaultTimeoutSeconds ?? 10;
  let inFlight = 0;

  const scrape = async (req: IncomingMessage, res: ServerResponse, query: string): Promise<void> => {
    const q = parseQuery(query);
    if ('error' in q) return send(req, res, 400, 'text/plain; charset=utf-8', `${q.error}\n`);
    let selection: ReturnType<Exporter['select']>;
    let rules: LabelRule[];
    try {
      selection = opts.exporter.select(q.collect, q.exclude);
      rules = opts.exporter.rules(q.rules);
    } catch (err) {
      if (err instanceof SelectionError) return send(req, res, 400, 'text/plain; charset=utf-8', `${err.message}\n`);
      throw err;
    }
    if (inFlight >= maxRequests) return send(req, res, 503, 'text/plain; charset=utf-8', `more than ${maxRequests} scrapes in flight\n`);
    inFlight++;
    try {
      const result = await opts.exporter.scrape(selection, deadlineMs(req.headers['x-prometheus-scrape-timeout-seconds'], fallback), rules);
      const format = negotiateFormat(req.headers.accept);
      const headers: Record<string, string> = { Vary: 'Accept, Accept-Encoding', 'Cache-Control': 'no-store' };
      if (acceptsGzip(req.headers['accept-encoding'])) {
        headers['Content-Encoding'] = 'gzip';
        send(req, res, 200, contentType(format), gzipped(result, format), headers);
      } else send(req, res, 200, contentType(format), result.bytes(format), headers);
    } finally {
      inFlight--;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    req.resume(); // a body, if any, is read and dropped
    res.once('finish', settleTimers); // after node's own, which sets the keep-alive timer
    const refusal = await opts.web?.refusal(req, res);
    if (refusal !== undefined) return send(req, res, refusal.status, 'text/plain; charset=utf-8', refusal.text, refusal.headers);
    const url = req.url ?? '/';
    const cut = url.indexOf('?');
    const where = cut < 0 ? url : url.slice(0, cut);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', { Allow: 'GET, HEAD' });
    if (where === path) return scrape(req, res, cut < 0 ? '' : url.slice(cut + 1));
    if (where === '/') return send(req, res, 200, 'text/html; charset=utf-8', landing(opts.exporter, path));
    return send(req, res, 404, 'text/plain; charset=utf-8', `not found; metrics are at ${path}\n`);
  };

  // A scraper's connection is kept between scrapes a minute apart: Prometheus reuses it, and accepting and closing
  // one per scrape is a fifth of the CPU of a scrape made after seconds idle (docs/exporter.md, "Measured").
  // node's timeouts for sending a request are off (their check wakes the process every 30 s); guardRequests keeps them.
  const limits = { maxHeaderSize: 16 * 1024, headersTimeout: 0, requestTimeout: 0, connectionsCheckingInterval: CHECK_NEVER, keepAliveTimeout: KEEP_ALIVE_MS };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      send(req, res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      process.emitWarning(`procspec serve: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    });
  };
  const http = opts.web ? opts.web.createServer(limits, listener) : createServer(limits, listener);
  // A socket idle longer than a kept connection (a client that stopped reading or sending) is closed.
  http.setTimeout(KEEP_ALIVE_MS + 15_000, (socket) => socket.destroy());
  http.maxConnections = 512;
  const requestMs = opts.requestTimeoutMs ?? REQUEST_MS;
  guardRequests(http, { firstRequestMs: requestMs, nextRequestMs: KEEP_ALIVE_MS + 1_000 + requestMs });
  http.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || socket.destroyed) return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const a = http.address() as AddressInfo;
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    http,
    host: a.address,
    port: a.port,
    url: `${opts.web?.config.tls ? 'https' : 'http'}://${shown}:${a.port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
