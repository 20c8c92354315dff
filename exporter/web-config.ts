/**
 * The web config file of `procspec serve --web.config.file`, in the format
 * of Prometheus's exporter-toolkit (its web/tls_config.go and handler.go):
 * `tls_server_config`, `http_server_config`, `rate_limit` and
 * `basic_auth_users`. It is read as strictly as the toolkit reads it (YAML
 * 1.1, as Go's yaml.v2; an unknown or repeated key, a value of the wrong
 * type, a word outside a key's set is refused), and then checked further:
 * the files it names are read, a certificate must match its key, a client
 * CA file must hold a certificate and a password must be a bcrypt hash.
 * Every refusal is a WebConfigError naming the file, line and column.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { createSecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Scalar } from 'yaml';

/** A web config file refused: where (line and column 1-based, when the fault has a place) and why. */
export class WebConfigError extends Error {
  override readonly name = 'WebConfigError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}:${column}`}: ${reason}`);
  }
}

/** exporter-toolkit's client_auth_type words (Go's tls.ClientAuthType names). */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };
const VERSION_ORDER: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * The cipher suites Go's tls.CipherSuites() names (its secure list; the four
 * TLS_RSA_* ones were in it before Go 1.22, so older files name them), by
 * their IANA names, with OpenSSL's name; TLS 1.3 suites have none, since
 * Go does not let them be chosen and the toolkit accepts and ignores them.
 */
const CIPHERS: Record<string, string | null> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
/** OpenSSL's TLS 1.3 suites, all kept: naming ≤1.2 suites must not turn TLS 1.3 off. */
const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** The toolkit's curve names, with OpenSSL's. */
const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

/** The headers the toolkit lets a file set, with the values allowed (none listed: any). */
const HEADERS: Record<string, readonly string[]> = {
  'Strict-Transport-Security': [],
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': [],
  'Content-Security-Policy': [],
};

/** A bcrypt hash as bcryptjs checks it: $2a$, $2b$ or $2y$, a cost of 04 to 31, 22 characters of salt and 31 of hash. */
export const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

export interface TlsSettings {
  /** What node:tls is given: certificate, key, client CAs, versions, ciphers, curves. */
  context: SecureContextOptions;
  clientAuth: ClientAuthType;
  /** A client certificate must name one of these (DNS, IP, e-mail or URI) when given. */
  clientAllowedSans: readonly string[] | undefined;
}

export interface WebConfig {
  /** The file, as given. */
  file: string;
  /** undefined: plain HTTP. */
  tls: TlsSettings | undefined;
  /** `http_server_config.http2` (default true). */
  http2: boolean;
  /** Headers added to every answer. */
  headers: ReadonlyMap<string, string>;
  /** User name -> bcrypt hash; empty: no basic auth. */
  users: ReadonlyMap<string, string>;
  /** A token bucket: one request more allowed per interval, up to burst; undefined: no limit. */
  rateLimit: { intervalMs: number; burst: number } | undefined;
  /** The files read: this one and those it names, whose change means reading it again. */
  files: readonly string[];
}

/** A YAML document being checked: turns nodes into values or errors at their place. */
class Reader {
  readonly lines = new LineCounter();
  doc: Document | undefined;
  constructor(readonly file: string) {}

  /** A node, with an alias replaced by what it names (yaml.v2 follows them too); null for a null. */
  deref(node: Node | null): Node | null {
    const n = node !== null && isAlias(node) ? (node.resolve(this.doc!) ?? null) : node;
    return n === null || isNull(n) ? null : n;
  }

  fail(node: Node | null | undefined, reason: string): never {
    const at = node?.range ? this.lines.linePos(node.range[0]) : undefined;
    throw new WebConfigError(this.file, at?.line ?? 1, at?.col ?? 1, reason);
  }

  /** The keys of a mapping, each handled by its function; null: nothing. */
  mapping(node: Node | null, what: string, handlers: Record<string, (value: Node | null, key: Scalar) => void>): void {
    if (node === null || isNull(node)) return;
    if (!isMap(node)) this.fail(node, `${what}: expected a mapping of keys (${Object.keys(handlers).join(', ')})`);
    for (const pair of node.items) {
      const key = pair.key as Node;
      if (!isScalar(key)) this.fail(key, `${what}: a key must be a word`);
      const name = String(key.value);
      const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
      if (handler === undefined) this.fail(key, `${what}: unknown key ${JSON.stringify(name)} (known: ${Object.keys(handlers).join(', ')})`);
      handler(this.deref(pair.value as Node | null), key);
    }
  }

  /** A string: any scalar but null, as written (Go's yaml.v2 reads `1` into a string as "1"). */
  string(node: Node, what: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') this.fail(node, `${what}: expected a string`);
    return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
  }

  boolean(node: Node, what: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, `${what}: expected true or false`);
    return node.value;
  }

  strings(node: Node, what: string): { value: string; node: Node }[] {
    if (!isSeq(node)) this.fail(node, `${what}: expected a list of strings`);
    return node.items.map((n) => {
      const item = this.deref(n as Node);
      if (item === null) this.fail(node, `${what}: an empty item`);
      return { value: this.string(item, what), node: item };
    });
  }

  /** One of `words`. */
  word<T extends string>(node: Node, what: string, words: readonly T[]): T {
    const s = this.string(node, what);
    if (!(words as readonly string[]).includes(s)) this.fail(node, `${what}: ${JSON.stringify(s)} is not one of ${words.join(', ')}`);
    return s as T;
  }
}

function isNull(node: Node): boolean {
  return isScalar(node) && node.value === null;
}

/** A Go duration (`1s`, `1m30s`, `250ms`), or an integer of nanoseconds as yaml.v2 reads one: milliseconds. */
function goDuration(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text) / 1e6;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const m = /^(?:([0-9]*\.?[0-9]+|[0-9]+\.)(ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (m === null) return undefined;
  let ms = 0;
  for (const part of text.matchAll(/([0-9]*\.?[0-9]+|[0-9]+\.)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(part[1]) * unit[part[2]!]!;
  return ms;
}

/** The file given by the key: a relative path is taken from the config file's folder (the toolkit's SetDirectory). */
function near(file: string, path: string): string {
  return isAbsolute(path) ? path : join(dirname(file), path);
}

interface Placed<T> {
  value: T;
  node: Node;
}

/** Reads and checks the web config file, and the certificates and keys it names. */
export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WebConfigError(file, undefined, undefined, `cannot be read: ${(err as Error).message}`);
  }
  return parseWebConfig(text, file);
}

/** Checks a web config's text (read from `file`, which places relative paths) and reads the files it names. */
export function parseWebConfig(text: string, file: string): WebConfig {
  const r: Reader = new Reader(file);
  const doc = parseDocument(text, { version: '1.1', lineCounter: r.lines, uniqueKeys: true, prettyErrors: false, merge: false });
  const bad = doc.errors[0];
  if (bad !== undefined) {
    const at = r.lines.linePos(bad.pos[0]);
    const reason = bad.code === 'DUPLICATE_KEY' ? 'a key is given twice' : bad.message.split('\n')[0]!;
    throw new WebConfigError(file, at.line, at.col, `not YAML that can be read: ${reason}`);
  }
  r.doc = doc;

  const s: Record<string, Placed<string> | undefined> = {};
  const lists: Record<string, Placed<string>[] | undefined> = {};
  let preferServer = true;
  let http2 = true;
  let minVersion: Placed<SecureVersion> | undefined;
  let maxVersion: Placed<SecureVersion> | undefined;
  let clientAuthNode: Node | undefined;
  const headers = new Map<string, string>();
  const users = new Map<string, string>();
  let interval: Placed<number> | undefined;
  let burst = 0;
  let tlsNode: Node | undefined;

  const str = (where: string) => (v: Node | null, key: Scalar) => {
    s[String(key.value)] = v === null ? undefined : { value: r.string(v, where + String(key.value)), node: v };
  };
  const list = (where: string) => (v: Node | null, key: Scalar) => {
    lists[String(key.value)] = v === null ? undefined : r.strings(v, where + String(key.value));
  };
  const version = (v: Node | null, key: Scalar) => {
    if (v === null) return;
    const word = r.word(v, `tls_server_config.${key.value}`, Object.keys(TLS_VERSIONS));
    const placed = { value: TLS_VERSIONS[word]!, node: v };
    if (key.value === 'min_version') minVersion = placed;
    else maxVersion = placed;
  };
  const t = 'tls_server_config.';
  r.mapping(r.deref(doc.contents as Node | null), 'the web config', {
    tls_server_config: (v) => {
      tlsNode = v ?? undefined;
      r.mapping(v, 'tls_server_config', {
        cert: str(t),
        key: str(t),
        client_ca: str(t),
        cert_file: str(t),
        key_file: str(t),
        client_auth_type: (n, key) => {
          str(t)(n, key);
          clientAuthNode = n ?? undefined;
        },
        client_ca_file: str(t),
        cipher_suites: list(t),
        curve_preferences: list(t),
        min_version: version,
        max_version: version,
        prefer_server_cipher_suites: (n) => {
          if (n !== null) preferServer = r.boolean(n, `${t}prefer_server_cipher_suites`);
        },
        client_allowed_sans: list(t),
      });
    },
    http_server_config: (v) =>
      r.mapping(v, 'http_server_config', {
        http2: (n) => {
          if (n !== null) http2 = r.boolean(n, 'http_server_config.http2');
        },
        headers: (n) =>
          r.mapping(n, 'http_server_config.headers', {
            ...Object.fromEntries(
              Object.keys(HEADERS).map((name) => [
                name,
                (hv: Node | null) => {
                  if (hv === null) return;
                  const value = r.string(hv, `header ${name}`);
                  const allowed = HEADERS[name]!;
                  if (allowed.length > 0 && !allowed.includes(value))
                    r.fail(hv, `header ${name}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
                  if (/[\0-\x1f\x7f]/.test(value)) r.fail(hv, `header ${name}: a control character in the value`);
                  if (value !== '') headers.set(name, value);
                },
              ]),
            ),
          }),
      }),
    rate_limit: (v) =>
      r.mapping(v, 'rate_limit', {
        interval: (n) => {
          if (n === null) return;
          const ms = goDuration(r.string(n, 'rate_limit.interval'));
          if (ms === undefined) r.fail(n, 'rate_limit.interval: expected a duration such as 1s, 500ms or 1m30s');
          interval = { value: ms, node: n };
        },
        burst: (n) => {
          if (n === null) return;
          if (!isScalar(n) || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < 0)
            r.fail(n, 'rate_limit.burst: expected a whole number of requests, 0 or more');
          burst = n.value;
        },
      }),
    basic_auth_users: (v) => {
      if (v === null) return;
      if (!isMap(v)) r.fail(v, 'basic_auth_users: expected a mapping of user names to bcrypt hashes');
      for (const pair of v.items) {
        const key = pair.key as Node;
        const user = r.string(key, 'basic_auth_users: a user name');
        if (users.has(user)) r.fail(key, `basic_auth_users: the user ${JSON.stringify(user)} is given twice`);
        const hv = r.deref(pair.value as Node | null);
        if (hv === null) r.fail(key, `basic_auth_users.${user}: expected a bcrypt hash`);
        const hash = r.string(hv, `basic_auth_users.${user}`);
        if (!BCRYPT.test(hash))
          r.fail(
            hv,
            `basic_auth_users.${user}: not a bcrypt hash ($2a$, $2b$ or $2y$, a cost of 04 to 31, then 53 characters; make one with htpasswd -nBC 10 "")`,
          );
        users.set(user, hash);
      }
    },
  });

  const files = [file];
  let rateLimit: WebConfig['rateLimit'];
  if (interval !== undefined && interval.value > 0) rateLimit = { intervalMs: interval.value, burst };

  // TLS is on when any of these is given (the toolkit's TLSConfig.IsEnabled).
  const on = ['cert', 'key', 'client_ca', 'cert_file', 'key_file', 'client_ca_file', 'client_auth_type'].some((k) => (s[k]?.value ?? '') !== '');
  if (!on) return { file, tls: undefined, http2, headers, users, rateLimit, files };

  const pem = (inline: string, path: string, what: string): Placed<Buffer> | undefined => {
    const f = s[path];
    if (f !== undefined && f.value !== '') {
      const name = near(file, f.value);
      try {
        const value = readFileSync(name);
        files.push(name);
        return { value, node: f.node };
      } catch (err) {
        r.fail(f.node, `${t}${path} ${name}: cannot be read: ${(err as Error).message}`);
      }
    }
    const i = s[inline];
    if (i !== undefined && i.value !== '') return { value: Buffer.from(i.value), node: i.node };
    if (what !== '') r.fail(tlsNode, `tls_server_config: TLS needs a ${what}: give ${path} or ${inline}`);
    return undefined;
  };
  const cert = pem('cert', 'cert_file', 'certificate')!;
  const key = pem('key', 'key_file', 'private key')!;
  const ca = pem('client_ca', 'client_ca_file', '');
  const certName = s.cert_file?.value ? `cert_file ${near(file, s.cert_file.value)}` : 'cert';
  const keyName = s.key_file?.value ? `key_file ${near(file, s.key_file.value)}` : 'key';

  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert.value);
  } catch (err) {
    r.fail(cert.node, `${t}${certName}: not a PEM certificate (${(err as Error).message})`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key.value);
  } catch (err) {
    r.fail(key.node, `${t}${keyName}: not an unencrypted PEM private key (${(err as Error).message})`);
  }
  if (!x509.checkPrivateKey(privateKey)) r.fail(key.node, `${t}${keyName} is not the key of the certificate in ${certName}`);
  if (ca !== undefined) {
    const blocks = ca.value.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) r.fail(ca.node, `${t}client CA: no PEM certificate in it`);
    for (const b of blocks) {
      try {
        new X509Certificate(b);
      } catch (err) {
        r.fail(ca.node, `${t}client CA: a certificate that cannot be read (${(err as Error).message})`);
      }
    }
  }

  let clientAuth: ClientAuthType = 'NoClientCert';
  const word = s.client_auth_type?.value ?? '';
  // RequireClientCert: the toolkit's older name, still read.
  if (word === 'RequireClientCert') clientAuth = 'RequireAnyClientCert';
  else if (word !== '') clientAuth = r.word(clientAuthNode!, `${t}client_auth_type`, CLIENT_AUTH_TYPES);
  if (ca !== undefined && clientAuth === 'NoClientCert')
    r.fail(ca.node, `${t}a client CA is given but client_auth_type does not ask for client certificates (RequireAndVerifyClientCert verifies them)`);

  const min = minVersion?.value ?? 'TLSv1.2';
  const max = maxVersion?.value ?? 'TLSv1.3';
  if (VERSION_ORDER.indexOf(min) > VERSION_ORDER.indexOf(max)) r.fail(minVersion?.node ?? maxVersion?.node, `${t}min_version is above max_version`);

  let ciphers: string | undefined;
  if (lists.cipher_suites !== undefined && lists.cipher_suites.length > 0) {
    const names: string[] = [];
    for (const c of lists.cipher_suites) {
      if (!Object.hasOwn(CIPHERS, c.value))
        r.fail(c.node, `${t}cipher_suites: unknown cipher suite ${JSON.stringify(c.value)} (known: ${Object.keys(CIPHERS).join(', ')})`);
      const openssl = CIPHERS[c.value];
      if (openssl) names.push(openssl);
    }
    ciphers = [...names, TLS13_SUITES].join(':');
  }
  let ecdhCurve: string | undefined;
  if (lists.curve_preferences !== undefined && lists.curve_preferences.length > 0) {
    ecdhCurve = lists.curve_preferences
      .map(
        (c) => CURVES[c.value] ?? r.fail(c.node, `${t}curve_preferences: unknown curve ${JSON.stringify(c.value)} (known: ${Object.keys(CURVES).join(', ')})`),
      )
      .join(':');
  }
  const context: SecureContextOptions = { cert: cert.value, key: key.value, minVersion: min, maxVersion: max, honorCipherOrder: preferServer };
  if (ca !== undefined) context.ca = ca.value;
  if (ciphers !== undefined) context.ciphers = ciphers;
  if (ecdhCurve !== undefined) context.ecdhCurve = ecdhCurve;
  try {
    createSecureContext(context);
  } catch (err) {
    r.fail(tlsNode, `${t}OpenSSL refuses these settings: ${(err as Error).message}`);
  }
  const sans = lists.client_allowed_sans?.map((p) => p.value);
  return { file, tls: { context, clientAuth, clientAllowedSans: sans }, http2, headers, users, rateLimit, files };
}
