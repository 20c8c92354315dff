/**
 * Deadlines for clients too slow to send a request, kept without a periodic
 * check. node's HTTP server enforces its headersTimeout and requestTimeout
 * by waking every 30 s (connectionsCheckingInterval) to look at every
 * connection. On an exporter scraped every 15 s that wake is as costly as a
 * fifth of a scrape: after seconds idle every page it touches is cold
 * (docs/exporter.md, "Idle wakes"). Here each connection has one timer instead,
 * armed only while a request is owed: from the connection (or its TLS
 * handshake) until its first request arrives, and from the end of each
 * answer until the next one does. A connection past its deadline is handed
 * to the server's clientError handler as node's own check would (a 408).
 * A kept connection's timer is set anew at each answer, so between scrapes
 * it never comes due (settle-timers.ts keeps node from waking for the one
 * it replaced).
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

export interface RequestDeadlines {
  /** Time from a connection (or its handshake) to its first complete request header, ms. */
  firstRequestMs: number;
  /** Time from the end of an answer to the next complete request header on that connection, ms. */
  nextRequestMs: number;
}

interface Owed {
  timer: NodeJS.Timeout | undefined;
  /** Requests received on the connection and not yet answered. */
  open: number;
}

/** node's code for a request that took too long, as its own check gives it to clientError. */
function timeoutError(): NodeJS.ErrnoException {
  return Object.assign(new Error('the client did not send a complete request in time'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
}

/**
 * Turns off node's periodic check on `server` (made with
 * connectionsCheckingInterval at its largest, see CHECK_NEVER) and keeps the
 * same limits with a timer per connection.
 */
export function guardRequests(server: HttpServer, deadlines: RequestDeadlines): void {
  const owed = new WeakMap<Socket, Owed>();
  const expire = (socket: Socket): void => {
    const o = owed.get(socket);
    if (o !== undefined) o.timer = undefined;
    if (socket.destroyed) return;
    if (server.listenerCount('clientError') > 0) server.emit('clientError', timeoutError(), socket);
    else socket.destroy();
  };
  const arm = (socket: Socket, o: Owed, ms: number): void => {
    if (o.timer !== undefined) clearTimeout(o.timer);
    o.timer = setTimeout(expire, ms, socket);
    o.timer.unref();
  };
  const track = (socket: Socket): void => {
    const o: Owed = { timer: undefined, open: 0 };
    owed.set(socket, o);
    arm(socket, o, deadlines.firstRequestMs);
    socket.once('close', () => {
      if (o.timer !== undefined) clearTimeout(o.timer);
      o.timer = undefined;
    });
  };
  // An HTTPS server's requests come on the TLS socket, made once its handshake is done (limited by handshakeTimeout).
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', track);
  server.prependListener('request', (req, res) => {
    const socket = req.socket;
    const o = owed.get(socket);
    if (o === undefined) return;
    o.open++;
    if (o.timer !== undefined) {
      clearTimeout(o.timer);
      o.timer = undefined;
    }
    res.once('finish', () => {
      if (--o.open === 0 && !socket.destroyed) arm(socket, o, deadlines.nextRequestMs);
    });
  });
}

/** connectionsCheckingInterval that never comes: setInterval's largest delay, about 24.8 days. */
export const CHECK_NEVER = 2 ** 31 - 1;
