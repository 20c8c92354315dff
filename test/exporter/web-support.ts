/**
 * Helpers of the web config tests: test certificates made with `openssl`
 * in a temporary folder (a CA, a server certificate for 127.0.0.1 and
 * localhost, a client certificate, all signed by the CA; and a second CA
 * with a client of its own) and HTTPS requests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A P-256 key and a certificate signed by `ca` (a self-signed CA when undefined), in `dir` as NAME.key and NAME.crt. */
export function makeCert(dir: string, name: string, subject: string, ca: string | undefined, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(dir, [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  ]);
  const signer = ca === undefined ? ['-signkey', `${name}.key`] : ['-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', String(Date.now())];
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, ...signer, '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign';

/** A folder with ca, server (127.0.0.1, localhost), client (signed by ca), other-ca and stranger (signed by other-ca). */
export function makeCerts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'procspec-web-'));
  makeCert(dir, 'ca', '/CN=procspec test CA', undefined, CA_EXT);
  makeCert(dir, 'server', '/CN=localhost', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  makeCert(dir, 'client', '/CN=scraper', 'ca', 'subjectAltName=DNS:scraper.example,URI:spiffe://example/scraper\nextendedKeyUsage=clientAuth');
  makeCert(dir, 'other-ca', '/CN=another CA', undefined, CA_EXT);
  makeCert(dir, 'stranger', '/CN=stranger', 'other-ca', 'subjectAltName=DNS:scraper.example\nextendedKeyUsage=clientAuth');
  return dir;
}

export interface TlsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the server showed. */
  peer: PeerCertificate;
  /** The protocol and the cipher suite (IANA name) agreed on. */
  protocol: string | null;
  cipher: string;
}

/** One HTTPS request on a new connection, trusting `ca`, with a client certificate when given. */
export function httpsGet(
  url: string,
  opts: { ca: Buffer; cert?: Buffer; key?: Buffer; headers?: Record<string, string>; minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3' },
): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: false, ca: opts.ca, cert: opts.cert, key: opts.key, headers: opts.headers ?? {}, minVersion: opts.minVersion, maxVersion: opts.maxVersion },
      (res) => {
        const socket = res.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        const protocol = socket.getProtocol();
        const cipher = socket.getCipher().standardName;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peer, protocol, cipher }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `Basic` credentials. */
export const basic = (user: string, password: string): Record<string, string> => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
