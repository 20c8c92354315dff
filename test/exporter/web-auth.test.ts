/**
 * Basic auth from the web config's basic_auth_users (exporter/web-auth.ts),
 * on plain HTTP in this process (the toolkit allows it without TLS): every
 * path asks for it, a missing, wrong or garbage Authorization header is a
 * 401 with `WWW-Authenticate: Basic` and the server serves on, and a
 * scraper's repeated right password costs one bcrypt check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../exporter/index.js';
import { type Server, startServer } from '../../exporter/server.js';
import { BasicAuth, basicCredentials, CACHE_SIZE } from '../../exporter/web-auth.js';
import { WebGuard } from '../../exporter/web-server.js';
import { ProcFs } from '../../runtime/index.js';
import { get, madeUpProc } from './support.js';
import { basic } from './web-support.js';

describe('basicCredentials', () => {
  it('reads RFC 7617 credentials; the password may hold colons; anything else is none', () => {
    expect(basicCredentials(basic('alice', 'pa:ss').Authorization)).toEqual({ user: 'alice', password: 'pa:ss' });
    expect(basicCredentials(`basic ${Buffer.from('bob:').toString('base64')}`)).toEqual({ user: 'bob', password: '' });
    for (const h of [
      undefined,
      '',
      'Basic',
      'Basic ',
      'Bearer abc',
      'Basic !!!!',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      'Basic YWJj',
      'Basic YQ==',
    ])
      expect(basicCredentials(h), String(h)).toBeUndefined();
  });
});

describe('BasicAuth', () => {
  const users = new Map([['alice', bcrypt.hashSync('s3cret', 4)]]);
  it('checks the hash once per user and password, however many times and at once they are asked for', async () => {
    const auth = new BasicAuth();
    const right = basic('alice', 's3cret').Authorization;
    expect(await Promise.all([auth.check(users, right), auth.check(users, right), auth.check(users, right)])).toEqual([true, true, true]);
    expect(auth.hashChecks).toBe(1);
    for (let i = 0; i < 5; i++) expect(await auth.check(users, right)).toBe(true);
    expect(auth.hashChecks).toBe(1);
    // A wrong password and an unknown user are bcrypt checks too (the same time as a known one), kept as failures.
    expect(await auth.check(users, basic('alice', 'wrong').Authorization)).toBe(false);
    expect(await auth.check(users, basic('mallory', 's3cret').Authorization)).toBe(false);
    expect(await auth.check(users, basic('mallory', 's3cret').Authorization)).toBe(false);
    expect(auth.hashChecks).toBe(3);
    // A new hash for the user (the file changed) is checked anew.
    const renewed = new Map([['alice', bcrypt.hashSync('n3w', 4)]]);
    expect([await auth.check(renewed, right), await auth.check(renewed, basic('alice', 'n3w').Authorization)]).toEqual([false, true]);
    expect(auth.hashChecks).toBe(5);
  });
  it(`keeps at most ${CACHE_SIZE} checks`, async () => {
    const auth = new BasicAuth();
    const cheap = new Map([['u', bcrypt.hashSync('p', 4)]]);
    for (let i = 0; i <= CACHE_SIZE; i++) await auth.check(cheap, basic('u', `p${i}`).Authorization);
    expect([auth.hashChecks, auth.cached]).toEqual([CACHE_SIZE + 1, CACHE_SIZE]);
    // The pair just checked is kept (one of the others was dropped to make room).
    await auth.check(cheap, basic('u', `p${CACHE_SIZE}`).Authorization);
    expect([auth.hashChecks, auth.cached]).toEqual([CACHE_SIZE + 1, CACHE_SIZE]);
  });
});

describe('procspec serve: basic auth from --web.config.file', () => {
  let server: Server;
  let guard: WebGuard;
  let exporter: Exporter;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procspec-web-auth-'));
    writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  alice: ${bcrypt.hashSync('s3cret', 4)}\n  bob: ${bcrypt.hashSync('hunter2', 4)}\n`);
    guard = new WebGuard(join(dir, 'web.yml'));
    exporter = new Exporter(new ProcFs({ root: madeUpProc(), bigint: true }), { disableDefaults: true, enable: ['loadavg'] });
    server = await startServer({ exporter, host: '127.0.0.1', port: 0, web: guard });
  });
  afterAll(async () => {
    await server.close();
    exporter.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no credentials, a wrong password, an unknown user: 401 with WWW-Authenticate: Basic, on every path', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const root = server.url.replace('/metrics', '/');
    for (const [url, headers] of [
      [server.url, {}],
      [server.url, basic('alice', 'hunter2')],
      [server.url, basic('carol', 's3cret')],
      [root, {}],
      [`${root}nothing-here`, {}],
    ] as const) {
      const r = await get(url, headers);
      expect(r.status, `${url} ${JSON.stringify(headers)}`).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Basic');
      expect(r.body.toString()).not.toContain('procspec_');
    }
  });

  it('the right password: 200 with the metrics, for each user', async () => {
    for (const [user, password] of [
      ['alice', 's3cret'],
      ['bob', 'hunter2'],
    ]) {
      const r = await get(server.url, basic(user!, password!));
      expect(r.status).toBe(200);
      expect(r.body.toString()).toMatch(/^procspec_loadavg_load1 [0-9.]+$/m);
    }
    expect((await get(server.url.replace('/metrics', '/'), basic('alice', 's3cret'))).status).toBe(200);
  });

  it('a garbage Authorization header is a 401 and the server serves on', async () => {
    const garbage = [
      'Basic',
      'Basic %%%',
      'Basic ====',
      `Basic ${'A'.repeat(8000)}`,
      'Digest username="alice"',
      `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x00]).toString('base64')}`,
    ];
    for (const h of garbage) {
      const r = await get(server.url, { Authorization: h });
      expect(r.status, h.slice(0, 40)).toBe(401);
    }
    // Two Authorization headers, the first garbage: node keeps the first, which is checked like any.
    const { port } = new URL(server.url);
    const right = basic('alice', 's3cret').Authorization;
    const twice = await new Promise<string>((resolve, reject) => {
      const c = connect(Number(port), '127.0.0.1', () =>
        c.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic x\r\nAuthorization: ${right}\r\nConnection: close\r\n\r\n`),
      );
      let got = '';
      c.on('data', (d) => {
        got += d.toString();
      });
      c.on('end', () => resolve(got));
      c.on('error', reject);
    });
    expect(twice.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect((await get(server.url, basic('alice', 's3cret'))).status).toBe(200);
  });

  it('a scraper that comes back with the same password costs one bcrypt check', async () => {
    const before = guard.auth.hashChecks;
    for (let i = 0; i < 10; i++) expect((await get(server.url, basic('bob', 'hunter2'))).status).toBe(200);
    // bob's pair was checked in an earlier test of this server: no check at all now.
    expect(guard.auth.hashChecks - before).toBe(0);
  });

  it('a changed user list serves from the next connection, without a restart', async () => {
    writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  carol: ${bcrypt.hashSync('c4rol', 4)}\n`);
    expect((await get(server.url, basic('carol', 'c4rol'))).status).toBe(200);
    expect((await get(server.url, basic('alice', 's3cret'))).status).toBe(401);
    expect(guard.reloads).toBe(1);
  });
});
