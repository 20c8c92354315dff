/**
 * Symbolic-link specs (`link: true`): the links of this process read through
 * ProcFs, sync and async, each checked against fs.readlinkSync; sockets
 * joined to net/tcp by inode; processes grouped by net namespace; a copy
 * of /proc under another root; the errors of a target no kernel prints, of
 * a closed descriptor and of a file that is not a link; and the
 * generator's checks of the construct.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, closeSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import { bytesOf, ProcFs, ProcfsError } from '../runtime/index.js';
import type { SpecTypes } from '../generated/index.js';
import { thrown } from './support/thrown.js';

const fs = new ProcFs();
const pid = process.pid;

type Fd = SpecTypes['proc/pid/fd/fd'];

/** The target text a parsed fd link stands for, as the kernel prints it (the inverse of the spec). */
function targetOf(v: Fd): string {
  switch (v.kind) {
    case 'socket':
      return `socket:[${v.inode}]`;
    case 'pipe':
      return `pipe:[${v.inode}]`;
    case 'anonInode':
      return `anon_inode:[${v.name}]`;
    case 'anonInodeBare':
      return `anon_inode:${v.name}`;
    case 'namespace':
      return `${v.type}:[${v.inode}]`;
    case 'path':
      return `${v.path}${v.deleted ? ' (deleted)' : ''}`;
  }
}

/** The descriptors of this process whose links still read (the listing's own descriptor is closed by then). */
function liveFds(): { fd: string; target: Buffer }[] {
  const out: { fd: string; target: Buffer }[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push({ fd, target: readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'buffer' }) });
    } catch {
      // the listing's descriptor
    }
  }
  return out;
}

describe('the links of this process', () => {
  let dir: string;
  let server: Server;
  const held: number[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procspec-links-'));
    // A file whose name holds a space and a newline, and one unlinked while open.
    const odd = join(dir, 'a b\nc');
    writeFileSync(odd, 'x');
    held.push(openSync(odd, 'r'));
    const gone = join(dir, 'gone');
    writeFileSync(gone, 'x');
    held.push(openSync(gone, 'r'));
    unlinkSync(gone);
    held.push(openSync('/proc/self/ns/net', 'r'));
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    for (const fd of held) closeSync(fd);
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every fd parses, sync and async, to the target readlink gives', async () => {
    const fds = liveFds();
    const kinds = new Set<string>();
    for (const { fd, target } of fds) {
      const v = fs.read('proc/pid/fd/fd', { pid, fd });
      kinds.add(v.kind);
      expect(Buffer.from(bytesOf(targetOf(v))), `fd ${fd}`).toEqual(target);
      expect(await fs.readAsync('proc/pid/fd/fd', { pid, fd })).toEqual(v);
    }
    // Node's event loop holds an epoll instance and an eventfd; the test holds files, a namespace and a socket.
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['anonInode', 'namespace', 'path', 'socket']));
  });

  it('decodes an unlinked file, a name with a space and a newline, and a namespace', () => {
    const byFd = new Map(held.map((fd) => [fd, fs.read('proc/pid/fd/fd', { pid, fd })]));
    expect(byFd.get(held[0]!)).toEqual({ kind: 'path', path: join(dir, 'a b\nc'), deleted: false });
    expect(byFd.get(held[1]!)).toEqual({ kind: 'path', path: join(dir, 'gone'), deleted: true });
    const ns = byFd.get(held[2]!);
    expect(ns).toEqual({ kind: 'namespace', type: 'net', inode: fs.read('proc/pid/ns/ns', { pid, ns: 'net' }).inode });
  });

  it('joins a listening socket to its row of net/tcp by inode', () => {
    const port = (server.address() as { port: number }).port;
    const row = fs.read('proc/net/tcp').find((r) => r.local.port === port);
    expect(row).toBeDefined();
    const sockets = liveFds().map(({ fd }) => fs.read('proc/pid/fd/fd', { pid, fd }));
    expect(sockets.filter((v) => v.kind === 'socket' && v.inode === row!.inode)).toHaveLength(1);
  });

  it('exe, cwd and root are the paths readlink gives', async () => {
    for (const id of ['proc/pid/exe', 'proc/pid/cwd', 'proc/pid/root'] as const) {
      const v = fs.read(id, { pid });
      const name = id.slice('proc/pid/'.length);
      expect(`${v.path}${v.deleted ? ' (deleted)' : ''}`, id).toBe(readlinkSync(`/proc/${pid}/${name}`));
      expect(await fs.readAsync(id, { pid })).toEqual(v);
    }
    expect(fs.read('proc/pid/cwd', { pid })).toEqual({ path: process.cwd(), deleted: false });
    expect(fs.read('proc/pid/exe', { pid, tid: pid }).path).toBe(readlinkSync('/proc/self/exe'));
  });

  it('every namespace link names its kind and inode, as readlink gives them', async () => {
    const names = readdirSync('/proc/self/ns');
    expect(names).toEqual(expect.arrayContaining(['net', 'mnt', 'pid', 'user', 'uts', 'ipc']));
    for (const ns of names) {
      const v = fs.read('proc/pid/ns/ns', { pid, ns });
      expect(`${v.type}:[${v.inode}]`, ns).toBe(readlinkSync(`/proc/${pid}/ns/${ns}`));
      expect(v.type).toBe(ns.replace(/_for_children$/, ''));
      expect(await fs.readAsync('proc/pid/ns/ns', { pid, ns })).toEqual(v);
    }
  });

  it('groups the processes of this machine by net namespace: this one is with its own threads', () => {
    const groups = new Map<number, number[]>();
    for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const { inode } = fs.read('proc/pid/ns/ns', { pid: p, ns: 'net' });
        groups.set(inode, [...(groups.get(inode) ?? []), Number(p)]);
      } catch (err) {
        // A process that ended, or one this user may not look into.
        if (!(err instanceof ProcfsError) || !['not_found', 'permission'].includes(err.code)) throw err;
      }
    }
    const mine = fs.read('proc/pid/ns/ns', { pid, ns: 'net' }).inode;
    expect(groups.get(mine)).toContain(pid);
    for (const tid of readdirSync(`/proc/${pid}/task`)) expect(fs.read('proc/pid/ns/ns', { pid, tid, ns: 'net' }).inode).toBe(mine);
  });
});

describe('links under another root, and their errors', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'procspec-root-'));
    mkdirSync(join(root, '42', 'fd'), { recursive: true });
    mkdirSync(join(root, '42', 'ns'));
    symlinkSync('socket:[4242]', join(root, '42', 'fd', '3'));
    symlinkSync('anon_inode:inotify', join(root, '42', 'fd', '4'));
    symlinkSync('bogus:thing', join(root, '42', 'fd', '5'));
    symlinkSync('/usr/bin/old tool (deleted)', join(root, '42', 'exe'));
    symlinkSync('net:[4026531840]', join(root, '42', 'ns', 'net'));
    writeFileSync(join(root, '42', 'cwd'), '/not/a/link\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads the links of a copy, sync and async', async () => {
    const copy = new ProcFs({ root });
    expect(copy.read('proc/pid/fd/fd', { pid: 42, fd: 3 })).toEqual({ kind: 'socket', inode: 4242 });
    expect(await copy.readAsync('proc/pid/fd/fd', { pid: 42, fd: 4 })).toEqual({ kind: 'anonInodeBare', name: 'inotify' });
    expect(copy.read('proc/pid/exe', { pid: 42 })).toEqual({ path: '/usr/bin/old tool', deleted: true });
    expect(await copy.readAsync('proc/pid/ns/ns', { pid: 42, ns: 'net' })).toEqual({ type: 'net', inode: 4026531840 });
  });

  it('a target no kernel prints is a parse error naming the file, line and column', async () => {
    const copy = new ProcFs({ root });
    const file = join(root, '42', 'fd', '5');
    for (const err of [
      thrown(() => copy.read('proc/pid/fd/fd', { pid: 42, fd: 5 }), ProcfsError),
      await copy.readAsync('proc/pid/fd/fd', { pid: 42, fd: 5 }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    ]) {
      expect(err).toBeInstanceOf(ProcfsError);
      expect(err).toMatchObject({ code: 'parse', file, line: 1, column: 1, spec: 'proc/pid/fd/fd' });
      expect((err as Error).message).toBe(`${file}:1:1: expected "socket:[", found "bogus:thing"`);
    }
    expect(() => fs.parse('proc/pid/ns/ns', 'net:4026531840')).toThrow(/<text>:1:5: expected "\[", found "4026531840"/);
    expect(() => fs.parse('proc/pid/ns/ns', 'mqueue:[1]')).toThrow(/expected type: one of cgroup, ipc, mnt, net, pid, time, user, uts/);
    expect(() => fs.parse('proc/pid/exe', 'usr/bin/x')).toThrow(/<text>:1:1: expected a text starting with "\/"/);
    expect(() => fs.parse('proc/pid/fd/fd', 'socket:[1] x')).toThrow(/<text>:1:12: expected end of line/);
  });

  it('a file that is not a link, and a descriptor that is closed, are typed errors', () => {
    const copy = new ProcFs({ root });
    expect(thrown(() => copy.read('proc/pid/cwd', { pid: 42 }), ProcfsError)).toMatchObject({ code: 'unsupported', errno: 'EINVAL' });
    expect(thrown(() => copy.read('proc/pid/cwd', { pid: 42 }), ProcfsError).message).toMatch(/not a symbolic link/);
    const fd = openSync('/dev/null', 'r');
    closeSync(fd);
    expect(thrown(() => fs.read('proc/pid/fd/fd', { pid, fd }), ProcfsError)).toMatchObject({ code: 'not_found', errno: 'ENOENT' });
  });
});

describe('procspec parse and try-spec read a link, and a saved copy of a target', () => {
  it('parses /proc/self/ns/net and a fixture holding a target', () => {
    const cli = (...args: string[]): unknown => JSON.parse(execFileSync(process.execPath, ['bin/procspec.js', 'parse', ...args], { encoding: 'utf8' }));
    const [net] = readlinkSync('/proc/self/ns/net').match(/\d+/)!;
    expect(cli('/proc/self/ns/net')).toEqual({ type: 'net', inode: Number(net) });
    expect(cli('--as', 'proc/pid/exe', 'test/fixtures/proc/pid/exe/captured-6.18-x86_64-deleted.txt')).toEqual({
      path: expect.stringMatching(/^\/tmp\/.*\/sleep$/),
      deleted: true,
    });
    const tried = execFileSync(process.execPath, ['--import', 'tsx', 'tools/try-spec.ts', 'specs/proc/pid/exe.yaml', '/proc/self/exe'], { encoding: 'utf8' });
    expect(JSON.parse(tried.slice(tried.indexOf('\n') + 1))).toEqual({ path: readlinkSync('/proc/self/exe'), deleted: false });
  });
});

describe('the generator checks a link spec', () => {
  const spec = (body: string): string => `description: t\npaths: ["/proc/[pid]/x"]\nsampling: sampled\n${body}`;
  const error = (text: string): SpecError => thrown(() => checkSpec(loadSpecText('specs/proc/pid/x.yaml', text), 'proc/pid/x'), SpecError);
  const path = '      - {name: path, type: string, rest: true, startsWith: /, description: d, trailer: {text: " (deleted)", name: deleted, description: d}}\n';

  it('takes a line layout or variants of lines, and closes their records', () => {
    const m = checkSpec(loadSpecText('specs/proc/pid/x.yaml', spec(`link: true\nlayout:\n  line:\n    tokens:\n${path}`)), 'proc/pid/x');
    expect(m.link).toBe(true);
    expect(m.layout.kind === 'line' && m.layout.record.closed).toBe(true);
  });

  it('refuses a layout that is not one line, singleRecord, and line variants below the top', () => {
    expect(error(spec('link: true\nlayout:\n  keyed:\n    separator: colon\n    fields:\n      - {key: a, type: integer, description: d}\n')).message).toMatch(
      /layout: a link's target is one piece of text/,
    );
    expect(error(spec(`link: true\nsingleRecord: true\nlayout:\n  line:\n    tokens:\n${path}`)).message).toMatch(/singleRecord: a link is read with readlink/);
    const mixed = `layout:\n  variants:\n    - variant: a\n      description: d\n      layout:\n        line:\n          tokens:\n            - {name: n, type: integer, description: d}\n    - variant: b\n      description: d\n      layout:\n        keyed:\n          separator: colon\n          fields:\n            - {key: k, type: integer, description: d}\n`;
    expect(error(spec(mixed)).message).toMatch(/line variants read the whole text/);
  });

  it('refuses startsWith and trailer except on a required rest string, a trailer named like a field, and an enclosed number', () => {
    const tokens = (t: string): string => spec(`link: true\nlayout:\n  line:\n    tokens:\n${t}`);
    expect(error(tokens('      - {name: p, type: string, startsWith: /, description: d}\n')).message).toMatch(/"startsWith" is a mark at an edge/);
    expect(error(tokens('      - {name: p, type: integer, rest: true, trailer: {text: " x", name: t, description: d}, description: d}\n')).message).toMatch(
      /"rest" takes text|"trailer" is a mark/,
    );
    expect(error(tokens('      - {name: p, type: string, rest: true, trailer: {text: " x", name: p, description: d}, description: d}\n')).message).toMatch(
      /duplicate name "p"/,
    );
    expect(error(tokens('      - {name: p, type: integer, enclosed: "[]", description: d}\n')).message).toMatch(/an enclosed token is read as text/);
  });
});
