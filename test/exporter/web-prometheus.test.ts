/**
 * A real Prometheus (Debian's package, 2.42; .ci/run installs it) scrapes
 * `procspec serve --web.config.file` over HTTPS: the server asks for a
 * client certificate signed by the test CA and for basic auth. Three jobs
 * scrape the same target every 3 seconds: one with the CA (`tls_config.ca_file`),
 * the client certificate and the right password is up; one with a wrong
 * password is down with a 401; one without a client certificate is down at
 * the handshake. Each is read through Prometheus's HTTP API.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { prometheusInstalled as installed, prometheusMissing, startPrometheus } from './prometheus-support.js';
import { startServe } from './support.js';
import { hasOpenssl, makeCerts } from './web-support.js';

describe.skipIf(!installed || !hasOpenssl)(`a real Prometheus scrapes procspec serve over HTTPS with basic auth${prometheusMissing}`, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('up with the CA, a client certificate and the right password; down with a wrong password or without a certificate', async () => {
    const dir = makeCerts();
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'web.yml'),
      `tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
basic_auth_users:
  prometheus: ${bcrypt.hashSync('scrape-me', 10)}
`,
    );
    const serve = await startServe(['--collector.disable-defaults', '--collector.loadavg', '--collector.meminfo', '--web.config.file', join(dir, 'web.yml')]);
    cleanup.push(serve.stop);
    expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const target = new URL(serve.url).host;

    const job = (name: string, auth: string, cert: boolean) => `  - job_name: ${name}
    scheme: https
    tls_config:
      ca_file: ${join(dir, 'ca.crt')}
${cert ? `      cert_file: ${join(dir, 'client.crt')}\n      key_file: ${join(dir, 'client.key')}\n` : ''}    basic_auth:
      username: prometheus
      password: ${auth}
    static_configs:
      - targets: ['${target}']
`;
    const prom = await startPrometheus(
      `${job('procspec', 'scrape-me', true)}${job('wrong-password', 'guess', true)}${job('no-certificate', 'scrape-me', false)}`,
      dir,
      () => (serve.child.exitCode !== null ? `procspec serve exited (${serve.child.exitCode}): ${serve.stderr()}` : undefined),
    );
    cleanup.push(prom.stop);
    const { json, vector } = prom;
    await prom.scraped(['procspec', 'wrong-password', 'no-certificate']);

    const up = Object.fromEntries((await vector('up')).map((v) => [v.metric.job, v.value[1]]));
    expect(up, prom.log()).toEqual({ procspec: '1', 'wrong-password': '0', 'no-certificate': '0' });
    const targets = (await json('/api/v1/targets')).data as { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    const byJob = Object.fromEntries(targets.activeTargets.map((t) => [t.labels.job, t]));
    expect([byJob.procspec!.health, byJob.procspec!.lastError]).toEqual(['up', '']);
    expect(byJob['wrong-password']!.lastError).toBe('server returned HTTP status 401 Unauthorized');
    expect(byJob['no-certificate']!.lastError).toMatch(/remote error: tls: certificate required$/);
    // The metrics came through: a gauge of the enabled collectors, as Prometheus stored it.
    expect(await vector('procspec_meminfo_mem_total_bytes{job="procspec"}')).toHaveLength(1);
    expect(await vector('procspec_meminfo_mem_total_bytes{job="wrong-password"}')).toEqual([]);
  });
});
