/**
 * The web config file (exporter/web-config.ts): what each key of
 * exporter-toolkit's format becomes, and every refusal with its file, line
 * and column. The files the toolkit's own tests keep (web/testdata/*.yml)
 * are the model of the good and bad cases here; keys, defaults and words
 * follow its web/tls_config.go and handler.go.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BCRYPT, loadWebConfig, parseWebConfig, WebConfigError } from '../../exporter/web-config.js';
import { runCli } from '../support/cli.js';
import { hasOpenssl, makeCert, makeCerts } from './web-support.js';

/** The error a config's text is refused with: `where` is line:column, `reason` part of what it says. */
function refusal(text: string, file: string): WebConfigError {
  try {
    parseWebConfig(text, file);
  } catch (err) {
    if (err instanceof WebConfigError) return err;
    throw err;
  }
  throw new Error(`not refused:\n${text}`);
}

const HASH = bcrypt.hashSync('s3cret', 4);

describe('web config: keys that need no certificate', () => {
  it('an empty file, or a file of nulls, turns nothing on', () => {
    for (const text of ['', '# nothing\n', 'tls_server_config:\nhttp_server_config:\nbasic_auth_users:\n']) {
      const c = parseWebConfig(text, '/etc/web.yml');
      expect(c.tls).toBeUndefined();
      expect(c.users.size).toBe(0);
      expect(c.http2).toBe(true);
      expect(c.rateLimit).toBeUndefined();
      expect([...c.headers]).toEqual([]);
    }
  });
  it('basic auth without TLS, headers, http2, a rate limit; TLS settings without a certificate leave TLS off (the toolkit: IsEnabled)', () => {
    const c = parseWebConfig(
      `basic_auth_users:
  alice: ${HASH}
  1234: ${HASH.replace('$2b$', '$2y$')}
http_server_config:
  http2: no
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000; includeSubDomains
    X-Content-Type-Options: nosniff
    X-XSS-Protection: 1
    Content-Security-Policy: "default-src 'self'"
rate_limit:
  interval: 1m30s
  burst: 3
tls_server_config:
  min_version: TLS13
`,
      '/etc/web.yml',
    );
    expect([...c.users.keys()]).toEqual(['alice', '1234']);
    expect(c.http2).toBe(false);
    expect(Object.fromEntries(c.headers)).toEqual({
      'X-Frame-Options': 'deny',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-XSS-Protection': '1',
      'Content-Security-Policy': "default-src 'self'",
    });
    expect(c.rateLimit).toEqual({ intervalMs: 90_000, burst: 3 });
    expect(c.tls).toBeUndefined();
    // An interval of 0 is no limit (the toolkit's rate_limiter_nonblocking file).
    expect(parseWebConfig('rate_limit:\n  interval: 0\n  burst: 0\n', 'w.yml').rateLimit).toBeUndefined();
    expect(parseWebConfig('rate_limit:\n  interval: "250ms"\n', 'w.yml').rateLimit).toEqual({ intervalMs: 250, burst: 0 });
    // An anchor and its alias are read as yaml.v2 reads them.
    const aliased = parseWebConfig(`x: &h ${HASH}\n`.replace('x:', 'basic_auth_users:\n  bob:'), 'w.yml');
    expect(aliased.users.get('bob')).toBe(HASH);
  });
  it('the bcrypt hashes htpasswd and bcryptjs make pass; others do not', () => {
    expect(BCRYPT.test('$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG')).toBe(true); // exporter-toolkit's docs
    expect(BCRYPT.test(bcrypt.hashSync('x', 10))).toBe(true);
    for (const h of ['doe', '$1$salt$hash', '$2y$03$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG', '$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXnc'])
      expect(BCRYPT.test(h), h).toBe(false);
  });

  const cases: [string, string, string, RegExp][] = [
    ['junk (the toolkit: web_config_junk.yml)', 'hWkNKCp3fvIx3jKnsaBI\nTuEjdwNS8A2vYdFbiKqr\n', '1:1', /the web config: expected a mapping of keys/],
    [
      'an unknown key (web_config_junk_key.yml)',
      'tls_server_config:\n  cert_filse: "server.crt"\n',
      '2:3',
      /tls_server_config: unknown key "cert_filse" \(known: cert, key, client_ca, cert_file/,
    ],
    ['an unknown top-level key', 'basic_auth_users:\nweb:\n  x: 1\n', '2:1', /unknown key "web"/],
    ['a key given twice', 'http_server_config:\n  http2: true\n  http2: false\n', '3:3', /a key is given twice/],
    ['a section that is not a mapping', 'tls_server_config: [a, b]\n', '1:20', /tls_server_config: expected a mapping of keys/],
    ['http2 not a boolean', 'http_server_config:\n  http2: maybe\n', '2:10', /http_server_config.http2: expected true or false/],
    ['a list where a string goes', 'tls_server_config:\n  cert_file: [a]\n', '2:14', /tls_server_config.cert_file: expected a string/],
    ['a string where a list goes', 'tls_server_config:\n  cipher_suites: TLS_AES_128_GCM_SHA256\n', '2:18', /cipher_suites: expected a list of strings/],
    [
      'a header it may not set (web_config_headers_extra_header.bad.yml)',
      'http_server_config:\n  headers:\n    Content-Type: foo\n',
      '3:5',
      /unknown key "Content-Type"/,
    ],
    [
      'a header value outside its set (frame_options.bad.yml)',
      'http_server_config:\n  headers:\n    X-Frame-Options: foo\n',
      '3:22',
      /"foo" is not one of deny, sameorigin/,
    ],
    ['nosniff only (content_type_options.bad.yml)', 'http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n', '3:29', /is not one of nosniff/],
    ['a password that is not a bcrypt hash (user_list_invalid.bad.yml)', 'basic_auth_users:\n  john: doe\n', '2:9', /basic_auth_users.john: not a bcrypt hash/],
    ['users as a list', 'basic_auth_users:\n  - john\n', '2:3', /basic_auth_users: expected a mapping of user names to bcrypt hashes/],
    ['a user without a hash', 'basic_auth_users:\n  john:\n', '2:3', /basic_auth_users.john: expected a bcrypt hash/],
    ['a burst that is not a count', 'rate_limit:\n  burst: -1\n', '2:10', /rate_limit.burst: expected a whole number/],
    ['an interval that is not a duration', 'rate_limit:\n  interval: soon\n', '2:13', /rate_limit.interval: expected a duration/],
    ['YAML that cannot be read', 'tls_server_config:\n  cert_file: "open\n', '3:1', /not YAML that can be read: Missing closing "quote/],
  ];
  for (const [what, text, where, reason] of cases) {
    it(`refuses ${what} at ${where}`, () => {
      const err = refusal(text, '/etc/procspec/web.yml');
      expect(`${err.line}:${err.column}`, err.message).toBe(where);
      expect(err.message).toMatch(reason);
      expect(err.message.startsWith(`/etc/procspec/web.yml:${where}: `)).toBe(true);
    });
  }
  it('a file that cannot be read is refused naming it', () => {
    expect(() => loadWebConfig('/nonexistent/web.yml')).toThrow(/^\/nonexistent\/web.yml: cannot be read: ENOENT/);
  });
});

describe.skipIf(!hasOpenssl)('web config: TLS (certificates made with openssl)', () => {
  let dir: string;
  const file = () => join(dir, 'web.yml');
  const write = (text: string) => {
    writeFileSync(file(), text);
    return file();
  };
  const refused = (text: string): WebConfigError => {
    try {
      loadWebConfig(write(text));
    } catch (err) {
      if (err instanceof WebConfigError) return err;
      throw err;
    }
    throw new Error(`not refused:\n${text}`);
  };
  beforeAll(() => {
    dir = makeCerts();
    makeCert(dir, 'lone', '/CN=lone', undefined, 'subjectAltName=DNS:lone');
    mkdirSync(join(dir, 'sub'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('files named from the config file folder; the defaults; every setting given to node:tls', () => {
    const c = loadWebConfig(
      write(`tls_server_config:
  cert_file: server.crt
  key_file: ${join(dir, 'server.key')}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS12
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
  client_allowed_sans: [scraper.example]
`),
    );
    const ctx = c.tls!.context;
    expect(ctx.cert).toEqual(readFileSync(join(dir, 'server.crt')));
    expect(ctx.key).toEqual(readFileSync(join(dir, 'server.key')));
    expect(ctx.ca).toEqual(readFileSync(join(dir, 'ca.crt')));
    expect([ctx.minVersion, ctx.maxVersion, ctx.honorCipherOrder, ctx.ecdhCurve]).toEqual(['TLSv1.2', 'TLSv1.3', false, 'X25519:P-256']);
    // TLS 1.3 suites cannot be chosen in Go, so all of OpenSSL's stay.
    expect(ctx.ciphers).toBe(
      'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
    );
    expect(c.tls!.clientAuth).toBe('RequireAndVerifyClientCert');
    expect(c.tls!.clientAllowedSans).toEqual(['scraper.example']);
    expect(c.files).toEqual([file(), join(dir, 'server.crt'), join(dir, 'server.key'), join(dir, 'ca.crt')]);

    const d = loadWebConfig(write('tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n'));
    expect([d.tls!.context.minVersion, d.tls!.context.maxVersion, d.tls!.context.honorCipherOrder, d.tls!.clientAuth]).toEqual([
      'TLSv1.2',
      'TLSv1.3',
      true,
      'NoClientCert',
    ]);
    expect(d.tls!.context.ciphers).toBeUndefined();
    // Inline PEM (cert, key, client_ca), and the older word RequireClientCert.
    const pem = (n: string) => `${readFileSync(join(dir, n), 'utf8').trimEnd().replace(/^/gm, '    ')}\n`;
    const inline = loadWebConfig(
      write(
        `tls_server_config:\n  cert: |\n${pem('server.crt')}  key: |\n${pem('server.key')}  client_ca: |\n${pem('ca.crt')}  client_auth_type: RequireClientCert\n`,
      ),
    );
    expect(inline.tls!.clientAuth).toBe('RequireAnyClientCert');
    expect(inline.files).toEqual([file()]);
  });

  const at = (err: WebConfigError) => `${err.line}:${err.column}`;
  it('refuses a missing or unreadable file, naming the key where it is written', () => {
    let e = refused('tls_server_config:\n  cert_file: server.crt\n  key_file: nokey.key\n');
    expect(at(e)).toBe('3:13');
    expect(e.message).toContain(`tls_server_config.key_file ${join(dir, 'nokey.key')}: cannot be read: ENOENT`);
    e = refused('tls_server_config:\n  cert_file: somefile\n  key_file: server.key\n');
    expect([at(e), e.message.includes('cert_file')]).toEqual(['2:14', true]);
    e = refused('tls_server_config:\n  cert_file: sub\n  key_file: server.key\n');
    expect(e.message).toMatch(/cannot be read: EISDIR/);
  });
  it('refuses TLS without a certificate or a key (the toolkit: certPath_empty, keyPath_empty)', () => {
    let e = refused('tls_server_config:\n  cert_file: ""\n  key_file: server.key\n');
    expect([at(e), e.reason]).toEqual(['2:3', 'tls_server_config: TLS needs a certificate: give cert_file or cert']);
    e = refused('tls_server_config:\n  cert_file: server.crt\n  key: ""\n');
    expect(e.reason).toMatch(/TLS needs a private key: give key_file or key/);
    e = refused('tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n');
    expect(e.reason).toMatch(/TLS needs a certificate/);
  });
  it('refuses a certificate and a key that do not match, a file that is not PEM', () => {
    let e = refused('tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n');
    expect(at(e)).toBe('3:13');
    expect(e.reason).toBe(`tls_server_config.key_file ${join(dir, 'client.key')} is not the key of the certificate in cert_file ${join(dir, 'server.crt')}`);
    e = refused('tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n');
    expect([at(e), /cert_file .*server.key: not a PEM certificate/.test(e.reason)]).toEqual(['2:14', true]);
    e = refused('tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n');
    expect([at(e), /key_file .*server.crt: not an unencrypted PEM private key/.test(e.reason)]).toEqual(['3:13', true]);
  });
  it('refuses client CAs without a policy that asks for certificates, a CA file without a certificate, an unknown policy', () => {
    let e = refused('tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n');
    expect([at(e), /a client CA is given but client_auth_type does not ask/.test(e.reason)]).toEqual(['4:19', true]);
    e = refused(
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: /dev/null\n',
    );
    expect([at(e), e.reason]).toEqual(['5:19', 'tls_server_config.client CA: no PEM certificate in it']);
    e = refused('tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: "x"\n');
    expect([at(e), /client_auth_type: "x" is not one of NoClientCert, RequestClientCert/.test(e.reason)]).toEqual(['4:21', true]);
  });
  it('refuses an unknown TLS version, cipher suite or curve, and a minimum above the maximum (the toolkit: wrongTLSVersion, inventedCiphers, inventedCurves)', () => {
    const base = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';
    let e = refused(`${base}  min_version: TLS111\n`);
    expect([at(e), /min_version: "TLS111" is not one of TLS10, TLS11, TLS12, TLS13/.test(e.reason)]).toEqual(['4:16', true]);
    e = refused(`${base}  cipher_suites:\n  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA2048\n`);
    expect([at(e), /unknown cipher suite "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA2048"/.test(e.reason)]).toEqual(['5:5', true]);
    e = refused(`${base}  curve_preferences:\n    - CurveP257\n`);
    expect([at(e), /unknown curve "CurveP257" \(known: CurveP256, CurveP384, CurveP521, X25519\)/.test(e.reason)]).toEqual(['5:7', true]);
    e = refused(`${base}  min_version: TLS13\n  max_version: TLS12\n`);
    expect([at(e), e.reason]).toEqual(['4:16', 'tls_server_config.min_version is above max_version']);
    e = refused(`${base}  prefer_server_cipher_suites: "true"\n`);
    expect([at(e), e.reason]).toEqual(['4:32', 'tls_server_config.prefer_server_cipher_suites: expected true or false']);
  });
  it('procspec serve --web.config.file: a refused file exits 1 before listening, saying file:line:column; no file exits 1; no value exits 2', () => {
    let r = runCli([
      'serve',
      '--web.listen-address',
      '127.0.0.1:0',
      '--web.config.file',
      write('tls_server_config:\n  cert_file: server.crt\n  key_file: lone.key\n'),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `procspec serve: ${file()}:3:13: tls_server_config.key_file ${join(dir, 'lone.key')} is not the key of the certificate in cert_file ${join(dir, 'server.crt')}\n`,
    );
    r = runCli(['serve', '--web.listen-address', '127.0.0.1:0', `--web.config.file=${join(dir, 'none.yml')}`]);
    expect([r.status, r.stderr]).toEqual([
      1,
      `procspec serve: ${join(dir, 'none.yml')}: cannot be read: ENOENT: no such file or directory, open '${join(dir, 'none.yml')}'\n`,
    ]);
    r = runCli(['serve', '--web.config.file']);
    expect([r.status, r.stderr]).toEqual([2, 'procspec serve: --web.config.file needs a value\n']);
    const help = runCli(['serve', '--help']);
    expect(help.stdout).toMatch(/^ {2}--web\.config\.file FILE +TLS, basic auth and headers, in exporter-toolkit's format/m);
  });
});
