/**
 * The process groups config: process-exporter's format read strictly
 * (config/config.go of ncabatoff/process-exporter: process_names, name,
 * comm, exe, cmdline; procspec's user and cgroup), the refusals with their
 * file:line:col, Go regexes and templates as process-exporter runs them,
 * and `procspec serve` exiting before it listens on a bad config.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GroupsConfigError, goRegex, parseGroupsConfig, readGroupsConfig } from '../../exporter/groups/config.js';
import { parseDuration } from '../../exporter/groups/duration.js';
import { groupOf, type ProcessFacts } from '../../exporter/groups/match.js';
import { compileTemplate, goTime, TemplateError } from '../../exporter/groups/template.js';
import { CLI, repo } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'procspec-groups-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error parsing `text` gives, as file:line:col and message. */
function refusal(text: string): GroupsConfigError {
  try {
    parseGroupsConfig(text, 'groups.yaml');
  } catch (err) {
    if (err instanceof GroupsConfigError) return err;
    throw err;
  }
  throw new Error('the config was accepted');
}

/** A made-up process for matching (no files are read: every fact is given). */
function facts(p: Partial<{ pid: number; comm: string; uid: number; cmdline: string[]; cgroups: string[]; user: string; startMs: number }>): ProcessFacts {
  return {
    pid: p.pid ?? 42,
    comm: p.comm ?? 'x',
    uid: () => p.uid,
    startMs: p.startMs ?? 0,
    cmdline: () => p.cmdline ?? [],
    cgroups: () => p.cgroups ?? [],
    cwd: () => '/',
    username: () => p.user ?? String(p.uid),
  };
}

describe('the config', () => {
  it('reads process-exporter README example rules and procspec additions', () => {
    const c = parseGroupsConfig(
      `process_names:
  - name: "{{.Comm}}"
    cmdline:
    - '.+'
  - name: "{{.ExeFull}}:{{.Matches.Cfgfile}}"
    exe:
    - /usr/local/bin/prometheus
    cmdline:
    - --config.path\\s+(?P<Cfgfile>\\S+)
  - comm: [bash]
  - name: by-user
    user: [postgres, 1001]
  - name: "svc-{{.Matches.unit}}"
    cgroup: ['/system\\.slice/(?P<unit>[^/]+)\\.service$']
`,
      'groups.yaml',
    );
    expect(c.rules).toHaveLength(5);
    expect(c.rules[0]!.cmdline!.map(String)).toEqual(['/.+/']);
    expect([...c.rules[1]!.exe!]).toEqual([['prometheus', '/usr/local/bin/prometheus']]);
    expect(c.rules[2]!.name.source).toBe('{{.ExeBase}}');
    expect([...c.rules[3]!.user!.names]).toEqual(['postgres']);
    expect([...c.rules[3]!.user!.uids]).toEqual([1001]);
  });

  it('refuses what process-exporter would not take, or procspec cannot do, naming file:line:col', () => {
    expect(refusal('process_names:\n  - name: x\n    comm: [a]\n    cmd: [b]\n').message).toBe(
      'groups.yaml:4:5: unknown key "cmd" in a rule (expected name, comm, exe, cmdline, user, cgroup)',
    );
    expect(refusal('process_names:\n  - comm: [a]\nextra: 1\n').message).toBe('groups.yaml:3:1: unknown key "extra" (expected process_names)');
    expect(refusal('process_names:\n  - name: x\n    cmdline: [ "a(" ]\n').message).toMatch(/^groups\.yaml:3:16: cmdline: bad regex "a\(": /);
    expect(refusal('process_names:\n  - name: x\n    cgroup: ["(?U)a"]\n').message).toMatch(/^groups\.yaml:3:14: cgroup: bad regex .*flag U/);
    expect(refusal('process_names:\n  - name: "a{{.Nope}}"\n    comm: [a]\n').message).toBe(
      'groups.yaml:2:13: name: bad template "a{{.Nope}}": no field Nope (process-exporter\'s fields: Comm, ExeBase, ExeFull, Username, PID, StartTime, Cgroups, Cwd, Matches)',
    );
    expect(refusal('process_names:\n  - name: "{{if .Comm}}x{{end}}"\n    comm: [a]\n').message).toMatch(
      /^groups\.yaml:2:12: name: bad template .*field references only/,
    );
    expect(refusal('process_names:\n  - name: x\n').message).toBe('groups.yaml:2:5: a rule needs a matcher: comm, exe, cmdline, user or cgroup');
    expect(refusal('process_names:\n  - comm: bash\n').message).toMatch(/^groups\.yaml:2:11: comm: expected a list/);
    expect(refusal('process_names:\n  - comm: [[a]]\n').message).toMatch(/^groups\.yaml:2:12: comm: expected a string in the list/);
    expect(refusal('process_names: [\n').message).toMatch(/^groups\.yaml:\d+:\d+: not valid YAML/);
    expect(refusal('process_names:\n  - comm: [a]\n    comm: [b]\n').message).toMatch(/^groups\.yaml:3:5: not valid YAML: .*unique/i);
    expect(refusal('- comm: [a]\n').message).toBe('groups.yaml:1:1: expected a map with process_names: a list of rules');
    expect(refusal('other: 1\n').message).toBe('groups.yaml:1:1: unknown key "other" (expected process_names)');
    const e = refusal('process_names:\n  - cmd: [a]\n');
    expect([e.file, e.line, e.column]).toEqual(['groups.yaml', 2, 5]);
  });

  it('a file that cannot be read is an error naming it', () => {
    expect(() => readGroupsConfig(join(dir, 'none.yaml'))).toThrow(GroupsConfigError);
    expect(() => readGroupsConfig(join(dir, 'none.yaml'))).toThrow(/none\.yaml:1:1: cannot read the file/);
  });
});

describe('Go regexes and templates as process-exporter runs them', () => {
  it('translates named groups, leading flags, \\A and \\z', () => {
    const r = goRegex('(?i)^(?P<name>[a-z]+)\\z') as RegExp;
    expect(r.exec('SLEEP')?.groups).toEqual({ name: 'SLEEP' });
    expect(r.test('SLEEP\n')).toBe(false);
    expect((goRegex('\\Afoo') as RegExp).test('xfoo')).toBe(false);
    expect(goRegex('a(?i)b')).toMatch(/only at the start/);
  });

  it('prints fields as Go prints them, with trim markers', () => {
    const p = {
      Comm: 'sleep',
      ExeBase: 'sleep',
      ExeFull: '/usr/bin/sleep',
      Username: 'root',
      PID: 7,
      StartTime: Date.UTC(2024, 0, 2, 3, 4, 5, 120),
      Cgroups: ['/a', '/b'],
      Cwd: '/tmp',
      Matches: { x: '1', a: '2' },
    };
    expect(compileTemplate('{{.Comm}}:{{.Matches.x}}|{{.Matches.y}}').render(p)).toBe('sleep:1|<no value>');
    expect(compileTemplate('a  {{- .PID -}}  b').render(p)).toBe('a7b');
    expect(compileTemplate('{{.Cgroups}} {{.Matches}} {{.StartTime}}').render(p)).toBe('[/a /b] map[a:2 x:1] 2024-01-02 03:04:05.12 +0000 UTC');
    expect(goTime(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02 03:04:05 +0000 UTC');
    expect(compileTemplate('{{.ExeFull}}').fields).toEqual(new Set(['ExeFull']));
    expect(() => compileTemplate('ab{{.Comm | printf}}')).toThrow(TemplateError);
    try {
      compileTemplate('ab{{.Comm.x}}');
    } catch (err) {
      expect((err as TemplateError).offset).toBe(2);
      expect((err as TemplateError).message).toBe('Comm has no field x (only Matches has keys)');
    }
  });
});

describe('matching', () => {
  const rules = parseGroupsConfig(
    `process_names:
  - name: first
    comm: [sleep]
  - name: "exe-{{.ExeBase}}"
    exe: [/usr/bin/python3, perl]
  - name: "cmd-{{.Matches.what}}"
    cmdline: ['^sh -c (?P<what>\\w+)', 'end$']
  - name: "user-{{.Username}}"
    user: [daemon, 1001]
  - name: "cg-{{.Matches.unit}}"
    cgroup: ['^/system\\.slice/(?P<unit>[^/]+)\\.service$']
`,
    'groups.yaml',
  ).rules;

  it('the first rule whose matchers all match names the group', () => {
    expect(groupOf(rules, facts({ comm: 'sleep', cmdline: ['/usr/bin/python3'] }))).toBe('first');
    expect(groupOf(rules, facts({ comm: 'python3', cmdline: ['/usr/bin/python3', '-c', 'x'] }))).toBe('exe-python3');
    // An exe rule with a path wants that path; one without, any path of that base name.
    expect(groupOf(rules, facts({ comm: 'python3', cmdline: ['/opt/python3'] }))).toBeUndefined();
    expect(groupOf(rules, facts({ comm: 'perl', cmdline: ['/opt/bin/perl', 'x'] }))).toBe('exe-perl');
    // Every cmdline regex must match the words joined by spaces.
    expect(groupOf(rules, facts({ cmdline: ['sh', '-c', 'backup', 'end'] }))).toBe('cmd-backup');
    expect(groupOf(rules, facts({ cmdline: ['sh', '-c', 'backup', 'now'] }))).toBeUndefined();
    expect(groupOf(rules, facts({ uid: 1001, user: 'alice' }))).toBe('user-alice');
    expect(groupOf(rules, facts({ uid: 2, user: 'daemon' }))).toBe('user-daemon');
    expect(groupOf(rules, facts({ uid: 2, user: 'bin' }))).toBeUndefined();
    expect(groupOf(rules, facts({ cgroups: ['/user.slice', '/system.slice/cron.service'] }))).toBe('cg-cron');
    // A kernel thread has no command line: no exe or cmdline rule matches it.
    expect(groupOf(rules, facts({ comm: 'kworker/0:1' }))).toBeUndefined();
  });
});

describe('procspec serve with a process groups config', () => {
  it('a bad config stops it before it listens, naming file:line:col; the flags are checked', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'process_names:\n  - name: x\n    cmdline: ["(unclosed"]\n');
    const r = spawnSync(CLI[0], [...CLI.slice(1), 'serve', '--web.listen-address', '127.0.0.1:0', '--collector.process_groups.config', bad], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}:3:15: cmdline: bad regex "(unclosed"`);
    expect(r.stderr).not.toContain('listening');
    const usage = (args: string[]) => spawnSync(CLI[0], [...CLI.slice(1), 'serve', ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    const noConfig = usage(['--collector.process_groups']);
    expect(noConfig.status).toBe(2);
    expect(noConfig.stderr).toContain('--collector.process_groups.config FILE');
    const badDuration = usage(['--collector.process_groups.remove-empty-after', '10 minutes']);
    expect(badDuration.status).toBe(2);
    expect(badDuration.stderr).toContain('a duration such as 10m');
    const badMetric = usage(['--collector.process_groups.metrics', 'io,smaps']);
    expect(badMetric.status).toBe(2);
    expect(badMetric.stderr).toContain('no metric "smaps"');
  });

  it('durations as Prometheus writes them', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('m')).toBeUndefined();
  });
});
