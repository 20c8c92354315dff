/**
 * procspec serve over HTTPS from a web config file, in this process: the
 * server's certificate, each client_auth_type with clients that show no
 * certificate, one signed by the configured CA and one signed by another,
 * client_allowed_sans, a renewed certificate picked up without a restart,
 * the file's headers and its rate limit.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../exporter/index.js';
import { type Server, startServer } from '../../exporter/server.js';
import { subjectAltNames, WebGuard } from '../../exporter/web-server.js';
import { ProcFs } from '../../runtime/index.js';
import { madeUpProc } from './support.js';
import { hasOpenssl, httpsGet, makeCert, makeCerts } from './web-support.js';

describe('subjectAltNames', () => {
  it("reads node's text of a certificate's SANs, IPv6 addresses as Go prints them, quoted values unescaped", () => {
    // X509Certificate.subjectAltName of a certificate made by openssl with these six names (node 20).
    const text = 'IP Address:0:0:0:0:0:0:0:1, IP Address:FE80:0:0:0:0:0:1:2, DNS:a.b, DNS:"c\\u002c d", email:x@y.z, URI:spiffe://x/y';
    expect(subjectAltNames(text)).toEqual(['::1', 'fe80::1:2', 'a.b', 'c, d', 'x@y.z', 'spiffe://x/y']);
    expect(subjectAltNames(undefined)).toEqual([]);
  });
});

describe.skipIf(!hasOpenssl)('procspec serve: HTTPS from --web.config.file', () => {
  let dir: string;
  let exporter: Exporter;
  const servers: Server[] = [];
  const pem = (name: string) => readFileSync(join(dir, name));
  let n = 0;
  /** A server of the made-up procfs with this web config. */
  const serve = async (config: string): Promise<{ server: Server; guard: WebGuard; file: string }> => {
    const file = join(dir, `web-${++n}.yml`);
    writeFileSync(file, config);
    const guard = new WebGuard(file);
    const server = await startServer({ exporter, host: '127.0.0.1', port: 0, web: guard });
    servers.push(server);
    return { server, guard, file };
  };
  /** The status a client gets with this certificate (none: undefined), or the error of its connection. */
  const status = async (url: string, client: string | undefined, maxVersion?: 'TLSv1.2' | 'TLSv1.3'): Promise<number | string> => {
    try {
      const r = await httpsGet(url, { ca: pem('ca.crt'), ...(client ? { cert: pem(`${client}.crt`), key: pem(`${client}.key`) } : {}), maxVersion });
      return r.status;
    } catch (err) {
      return `refused (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
  };
  const TLS = (extra = '') => `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n${extra}`;

  beforeAll(() => {
    dir = makeCerts();
    exporter = new Exporter(new ProcFs({ root: madeUpProc(), bigint: true }), { disableDefaults: true, enable: ['loadavg'] });
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    exporter.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves https with the configured certificate; 127.0.0.1 by default', async () => {
    const { server } = await serve(TLS());
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:[0-9]+\/metrics$/);
    const r = await httpsGet(server.url, { ca: pem('ca.crt') });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^procspec_loadavg_load1 [0-9.]+$/m);
    expect(r.peer.subject.CN).toBe('localhost');
    expect(r.peer.fingerprint256).toBe(new (await import('node:crypto')).X509Certificate(pem('server.crt')).fingerprint256);
    // A client that does not trust the CA does not get through.
    await expect(httpsGet(server.url, { ca: pem('other-ca.crt') })).rejects.toThrow(/self-signed|unable to verify|certificate/);
  });

  it('RequireAndVerifyClientCert: refused at the handshake without a certificate or with one of another CA; served with one signed by the CA', async () => {
    const { server } = await serve(TLS('  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n'));
    for (const v of ['TLSv1.3', 'TLSv1.2'] as const) {
      expect(await status(server.url, undefined, v), v).toMatch(/^refused/);
      expect(await status(server.url, 'stranger', v), v).toMatch(/^refused/);
      expect(await status(server.url, 'client', v), v).toBe(200);
    }
  });

  it('RequireAnyClientCert needs a certificate, any; VerifyClientCertIfGiven verifies one when shown; RequestClientCert and NoClientCert serve all', async () => {
    const any = (await serve(TLS('  client_auth_type: RequireAnyClientCert\n'))).server.url;
    expect([await status(any, undefined), await status(any, 'stranger'), await status(any, 'client')]).toEqual([expect.stringMatching(/^refused/), 200, 200]);
    const ifGiven = (await serve(TLS('  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n'))).server.url;
    expect([await status(ifGiven, undefined), await status(ifGiven, 'stranger'), await status(ifGiven, 'client')]).toEqual([
      200,
      expect.stringMatching(/^refused/),
      200,
    ]);
    const request = (await serve(TLS('  client_auth_type: RequestClientCert\n'))).server.url;
    expect([await status(request, undefined), await status(request, 'stranger')]).toEqual([200, 200]);
    const none = (await serve(TLS())).server.url;
    expect([await status(none, undefined), await status(none, 'stranger')]).toEqual([200, 200]);
  });

  it('client_allowed_sans: a verified certificate must name one of them (DNS, IP, e-mail or URI)', async () => {
    const verified = '  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n';
    const uri = (await serve(TLS(`${verified}  client_allowed_sans: [nobody.example, "spiffe://example/scraper"]\n`))).server.url;
    expect(await status(uri, 'client')).toBe(200);
    const other = (await serve(TLS(`${verified}  client_allowed_sans: [nobody.example]\n`))).server.url;
    expect(await status(other, 'client')).toMatch(/^refused/);
    // The server goes on serving the clients it allows.
    expect(await status(uri, 'client')).toBe(200);
  });

  it('a renewed certificate is served from the next connection, without a restart; a broken renewal keeps the one before', async () => {
    makeCert(dir, 'renewing', '/CN=localhost', 'ca', 'subjectAltName=IP:127.0.0.1');
    const { server, guard } = await serve('tls_server_config:\n  cert_file: renewing.crt\n  key_file: renewing.key\n');
    const first = (await httpsGet(server.url, { ca: pem('ca.crt') })).peer.fingerprint256;
    expect((await httpsGet(server.url, { ca: pem('ca.crt') })).peer.fingerprint256).toBe(first);
    expect(guard.reloads).toBe(0);

    makeCert(dir, 'renewing', '/CN=localhost', 'ca', 'subjectAltName=IP:127.0.0.1');
    const second = await httpsGet(server.url, { ca: pem('ca.crt') });
    expect(second.status).toBe(200);
    expect(second.peer.fingerprint256).not.toBe(first);
    expect(guard.reloads).toBe(1);

    // A key that is not the certificate's: refused, reported once, the renewed certificate stays.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      writeFileSync(join(dir, 'renewing.key'), pem('client.key'));
      for (let i = 0; i < 2; i++) {
        const r = await httpsGet(server.url, { ca: pem('ca.crt') });
        expect([r.status, r.peer.fingerprint256]).toEqual([200, second.peer.fingerprint256]);
      }
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([
      expect.stringMatching(/renewing.key is not the key of the certificate in cert_file .*renewing.crt; serving with the settings read before$/),
    ]);
    expect(guard.reloads).toBe(1);
  });

  it('versions and cipher suites as configured: TLS 1.3 by default; a TLS 1.2 server agrees on the one suite it is given', async () => {
    const dflt = await httpsGet((await serve(TLS())).server.url, { ca: pem('ca.crt') });
    expect(dflt.protocol).toBe('TLSv1.3');
    const { server } = await serve(
      TLS('  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]\n  curve_preferences: [CurveP384]\n'),
    );
    const r = await httpsGet(server.url, { ca: pem('ca.crt') });
    expect([r.status, r.protocol, r.cipher]).toEqual([200, 'TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256']);
    // A client that offers only TLS 1.3 finds no common version.
    await expect(httpsGet(server.url, { ca: pem('ca.crt'), minVersion: 'TLSv1.3' })).rejects.toThrow(/version|protocol/i);
  });

  it("the file's headers on every answer; its rate limit answers 429 past the burst", async () => {
    const { server } = await serve(
      TLS(
        'http_server_config:\n  headers:\n    Strict-Transport-Security: max-age=31536000\n    X-Frame-Options: deny\nrate_limit:\n  interval: 1h\n  burst: 2\n',
      ),
    );
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await httpsGet(server.url, { ca: pem('ca.crt') }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    for (const a of answers.slice(0, 2)) {
      expect(a.headers['strict-transport-security']).toBe('max-age=31536000');
      expect(a.headers['x-frame-options']).toBe('deny');
    }
  });
});
