/**
 * What a web config file (web-config.ts) does to `procspec serve`'s server:
 * HTTPS when it configures TLS, with its client certificate policy; its
 * rate limit, headers and basic auth on every request. As
 * exporter-toolkit reads the file again for each connection and request,
 * the file and the ones it names are looked at when a connection comes
 * (before its handshake): when one changed, all are read and checked again
 * and the new certificate, key, CAs, users and headers serve from then on,
 * so a renewed certificate needs no restart. A change that does not pass
 * the checks is reported once and the settings read before stay; so does
 * one that turns TLS on or off or changes client_auth_type, which take a
 * restart (node's TLS server asks for client certificates or not from its
 * start).
 */
import { statSync } from 'node:fs';
import { createServer as createHttp, type Server as HttpServer, type ServerOptions as HttpOptions, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import { isIPv6 } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { BasicAuth } from './web-auth.js';
import { loadWebConfig, type TlsSettings, type WebConfig } from './web-config.js';

/** A request refused: its status, body and headers. */
export interface Refusal {
  status: number;
  text: string;
  headers: Record<string, string>;
}

/** What changes when a file changes: inode, size, modification and change times (ns), or that it is missing. */
function stampOf(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const s = statSync(f, { bigint: true });
        return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

/** The names a certificate's subjectAltName lists (node's text: `DNS:a, IP Address:127.0.0.1, email:..., URI:...`), IPs as Go prints them. */
export function subjectAltNames(text: string | undefined): string[] {
  const out: string[] = [];
  for (const m of (text ?? '').matchAll(/(DNS|IP Address|email|URI):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    let value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    if (m[1] === 'IP Address' && isIPv6(value)) value = new URL(`http://[${value}]/`).hostname.slice(1, -1);
    out.push(value);
  }
  return out;
}

export class WebGuard {
  #config: WebConfig;
  #stamp: string;
  /** The stamp of a change already reported as refused. */
  #refused: string | undefined;
  #server: HttpServer | HttpsServer | undefined;
  /** The rate limit's bucket: requests it still allows, and when it was last filled. */
  #tokens = 0;
  #filled = 0;
  readonly auth = new BasicAuth();
  /** Times the files were read again after a change and taken. */
  reloads = 0;

  /** Reads and checks the file; throws a WebConfigError. */
  constructor(readonly file: string) {
    this.#config = loadWebConfig(file);
    this.#stamp = stampOf(this.#config.files);
    this.#tokens = this.#config.rateLimit?.burst ?? 0;
    this.#filled = Date.now();
  }

  get config(): WebConfig {
    return this.#config;
  }

  /** The HTTP server, or the HTTPS one when the file configures TLS. */
  createServer(options: HttpOptions, listener: (req: IncomingMessage, res: ServerResponse) => void): HttpServer | HttpsServer {
    const tls = this.#config.tls;
    const server = tls
      ? createHttps(
          {
            ...options,
            // A client that has not finished its handshake by then is dropped, as one too slow to send its headers is.
            handshakeTimeout: 10_000,
            ...tls.context,
            requestCert: tls.clientAuth !== 'NoClientCert',
            rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
          },
          listener,
        )
      : createHttp(options, listener);
    // Before the TLS layer takes the connection, so a renewed certificate is the one it is given.
    server.prependListener('connection', () => this.refresh());
    if (tls) {
      server.prependListener('secureConnection', (socket: TLSSocket) => {
        if (this.refusesPeer(socket) !== undefined) socket.destroy();
      });
    }
    this.#server = server;
    return server;
  }

  /**
   * Why a TLS client is refused after its handshake, or undefined: the
   * policies node's TLS cannot say (a certificate required but not
   * verified, one verified only when given) and client_allowed_sans.
   */
  refusesPeer(socket: TLSSocket): string | undefined {
    const tls = this.#config.tls as TlsSettings;
    const cert = socket.getPeerX509Certificate();
    if (cert === undefined && tls.clientAuth === 'RequireAnyClientCert') return 'no client certificate';
    if (cert !== undefined && !socket.authorized && (tls.clientAuth === 'VerifyClientCertIfGiven' || tls.clientAuth === 'RequireAndVerifyClientCert'))
      return `client certificate not verified: ${socket.authorizationError}`;
    if (tls.clientAllowedSans !== undefined) {
      if (cert === undefined) return 'no client certificate to find an allowed SAN in';
      if (!subjectAltNames(cert.subjectAltName).some((n) => tls.clientAllowedSans!.includes(n))) return 'no allowed SAN in the client certificate';
    }
    return undefined;
  }

  /** Reads the files again when one changed since they were read (a connection is coming). */
  refresh(): void {
    const stamp = stampOf(this.#config.files);
    if (stamp === this.#stamp || stamp === this.#refused) return;
    let next: WebConfig;
    try {
      next = loadWebConfig(this.file);
    } catch (err) {
      this.#refuse(stamp, `${(err as Error).message}; serving with the settings read before`);
      return;
    }
    const was = this.#config;
    if (Boolean(next.tls) !== Boolean(was.tls) || next.tls?.clientAuth !== was.tls?.clientAuth || next.http2 !== was.http2) {
      this.#refuse(stamp, `${this.file}: turning TLS on or off, or a new client_auth_type or http2, takes a restart; serving with the settings read before`);
      return;
    }
    if (next.tls && this.#server !== undefined && 'setSecureContext' in this.#server) this.#server.setSecureContext(next.tls.context);
    if (JSON.stringify(next.rateLimit) !== JSON.stringify(was.rateLimit)) this.#tokens = next.rateLimit?.burst ?? 0;
    this.#config = next;
    // Stamped as they are now: a change made while they were read is seen at the next connection.
    this.#stamp = next.files.length === was.files.length && next.files.every((f, i) => f === was.files[i]) ? stamp : stampOf(next.files);
    this.#refused = undefined;
    this.reloads++;
  }

  #refuse(stamp: string, message: string): void {
    this.#refused = stamp;
    process.emitWarning(`procspec serve: ${message}`);
  }

  /** Whether the rate limit lets one more request through (a token bucket, as Go's rate.Limiter). */
  #allow(): boolean {
    const limit = this.#config.rateLimit;
    if (limit === undefined) return true;
    const now = Date.now();
    this.#tokens = Math.min(limit.burst, this.#tokens + (now - this.#filled) / limit.intervalMs);
    this.#filled = now;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }

  /**
   * Sets the file's headers on the answer, then why the request is refused
   * (429 past the rate limit, 401 without the right user and password), or
   * undefined to serve it.
   */
  async refusal(req: IncomingMessage, res: ServerResponse): Promise<Refusal | undefined> {
    const c = this.#config;
    if (!this.#allow()) return { status: 429, text: 'Too Many Requests\n', headers: {} };
    for (const [name, value] of c.headers) res.setHeader(name, value);
    if (c.users.size === 0) return undefined;
    if (await this.auth.check(c.users, req.headers.authorization)) return undefined;
    return { status: 401, text: 'Unauthorized\n', headers: { 'WWW-Authenticate': 'Basic' } };
  }
}
