/**
 * Which group a new process joins: the first rule of the config whose
 * matchers all match (process-exporter's order and semantics), named by
 * the rule's template. What a rule needs beyond the process's stat is read
 * once, when the process is first seen, and only when a matcher or the
 * template asks for it: the command line, the cgroup file, the cwd link,
 * the user's name.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { GroupRule } from './config.js';
import type { TemplateParams } from './template.js';

/** What the rules may read of a process, each read at most once (a process that ended meanwhile reads as empty). */
export interface ProcessFacts {
  readonly pid: number;
  readonly comm: string;
  /** Effective uid (status), undefined when status could not be read. */
  uid(): number | undefined;
  /** Start time in milliseconds since the epoch. */
  readonly startMs: number;
  cmdline(): readonly string[];
  cgroups(): readonly string[];
  cwd(): string;
  username(): string;
}

/** Usernames by uid from /etc/passwd, read when first needed and again (at most once a minute) for a uid it lacks. */
export class Usernames {
  private names: Map<number, string> | undefined;
  private readAt = 0;
  constructor(
    private readonly file = '/etc/passwd',
    private readonly now: () => number = Date.now,
  ) {}

  of(uid: number): string {
    if (this.names === undefined || (!this.names.has(uid) && this.now() - this.readAt > 60_000)) {
      this.readAt = this.now();
      this.names = new Map();
      try {
        for (const line of readFileSync(this.file, 'utf8').split('\n')) {
          const f = line.split(':');
          if (f.length >= 3 && /^[0-9]+$/.test(f[2]!) && !this.names.has(Number(f[2]))) this.names.set(Number(f[2]), f[0]!);
        }
      } catch {
        // No passwd: uids print as numbers, as process-exporter prints a uid it cannot look up.
      }
    }
    return this.names.get(uid) ?? String(uid);
  }
}

/** The facts of a process under a procfs root, the files read when first asked for. */
export function factsOf(root: string, pid: number, comm: string, uidOf: () => number | undefined, startMs: number, users: Usernames): ProcessFacts {
  let uid: number | undefined | null = null;
  let cmdline: string[] | undefined;
  let cgroups: string[] | undefined;
  let cwd: string | undefined;
  const dir = `${root}/${pid}`;
  return {
    pid,
    comm,
    uid() {
      if (uid === null) uid = uidOf();
      return uid;
    },
    startMs,
    cmdline() {
      if (cmdline === undefined) {
        try {
          const text = readFileSync(`${dir}/cmdline`, 'utf8');
          cmdline = text === '' ? [] : text.replace(/\0$/, '').split('\0');
        } catch {
          cmdline = [];
        }
      }
      return cmdline;
    },
    cgroups() {
      if (cgroups === undefined) {
        try {
          // hierarchy-ID:controllers:path, the path holding any character but the line's end.
          cgroups = readFileSync(`${dir}/cgroup`, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => l.slice(l.indexOf(':', l.indexOf(':') + 1) + 1));
        } catch {
          cgroups = [];
        }
      }
      return cgroups;
    },
    cwd() {
      if (cwd === undefined) {
        try {
          cwd = readlinkSync(`${dir}/cwd`);
        } catch {
          cwd = '';
        }
      }
      return cwd;
    },
    username() {
      const u = this.uid();
      return u === undefined ? '' : users.of(u);
    },
  };
}

const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Adds the named groups of a match to `into`. */
function capture(m: RegExpExecArray, into: Record<string, string>): void {
  if (m.groups) for (const [k, v] of Object.entries(m.groups)) into[k] = v ?? '';
}

/** The group name a rule gives a process, or undefined when one of its matchers does not match. */
export function matchRule(rule: GroupRule, p: ProcessFacts): string | undefined {
  if (rule.comm !== undefined && !rule.comm.has(p.comm)) return undefined;
  if (rule.exe !== undefined) {
    const first = p.cmdline()[0];
    if (first === undefined) return undefined;
    const full = rule.exe.get(base(first));
    if (full === undefined || (full !== '' && full !== first)) return undefined;
  }
  const matches: Record<string, string> = {};
  if (rule.cmdline !== undefined) {
    const line = p.cmdline().join(' ');
    for (const r of rule.cmdline) {
      const m = r.exec(line);
      if (m === null) return undefined;
      capture(m, matches);
    }
  }
  if (rule.user !== undefined) {
    const uid = p.uid();
    if (uid === undefined) return undefined;
    if (!rule.user.uids.has(uid) && (rule.user.names.size === 0 || !rule.user.names.has(p.username()))) return undefined;
  }
  if (rule.cgroup !== undefined) {
    let found: RegExpExecArray | null = null;
    for (const path of p.cgroups()) {
      for (const r of rule.cgroup) if ((found = r.exec(path)) !== null) break;
      if (found !== null) break;
    }
    if (found === null) return undefined;
    capture(found, matches);
  }
  return rule.name.render(paramsOf(rule, p, matches));
}

/** The template's parameters, each read only when the template names it. */
function paramsOf(rule: GroupRule, p: ProcessFacts, matches: Record<string, string>): TemplateParams {
  const f = rule.name.fields;
  const cmd = f.has('ExeBase') || f.has('ExeFull') ? p.cmdline() : [];
  // As process-exporter: the executable is the command line's first word, the comm when there is none (a kernel thread).
  const exeFull = cmd.length > 0 ? cmd[0]! : p.comm;
  return {
    Comm: p.comm,
    ExeFull: exeFull,
    ExeBase: cmd.length > 0 ? base(exeFull) : p.comm,
    Username: f.has('Username') ? p.username() : '',
    PID: p.pid,
    StartTime: p.startMs,
    Cgroups: f.has('Cgroups') ? p.cgroups() : [],
    Cwd: f.has('Cwd') ? p.cwd() : '',
    Matches: matches,
  };
}

/** The group of a process: the name given by the first rule that matches, undefined when none does. */
export function groupOf(rules: readonly GroupRule[], p: ProcessFacts): string | undefined {
  for (const r of rules) {
    const name = matchRule(r, p);
    if (name !== undefined) return name;
  }
  return undefined;
}
