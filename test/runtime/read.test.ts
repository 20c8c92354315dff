import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcfsError } from '../../runtime/core/errors.js';
import { mapLimit, openFdSync, readBytesAsync, readBytesSync, readFileAsync, readFileSync, readViewSync, rereadFdSync } from '../../runtime/reading/read.js';
import { readKeptSync } from '../../runtime/reading/kept-files.js';
import { ProcFs } from '../../runtime/index.js';
import { native } from '../../runtime/reading/native.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procspec-read-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function cat(file: string): Buffer {
  return execFileSync('cat', [file], { maxBuffer: 64 * 1024 * 1024 });
}

function write(name: string, data: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

async function caught(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('reading /proc files', () => {
  it('/proc/version matches cat, sync and async', async () => {
    const expected = cat('/proc/version').toString('utf8');
    expect(expected.startsWith('Linux version ')).toBe(true);
    expect(readFileSync('/proc/version')).toBe(expected);
    expect(await readFileAsync('/proc/version')).toBe(expected);
  });

  describe('maps of a process whose mappings do not change', () => {
    let child: ChildProcess;
    beforeAll(async () => {
      child = spawn('sleep', ['60'], { stdio: 'ignore' });
      // Wait until the exec has happened and the dynamic loader is done (maps stops changing).
      const file = `/proc/${child.pid}/maps`;
      let last = '';
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const now = fs.existsSync(file) ? cat(file).toString('utf8') : '';
        if (now !== '' && now === last && now.includes('sleep')) break;
        last = now;
      }
    });
    afterAll(() => {
      child.kill();
    });

    it('matches cat byte for byte', async () => {
      const file = `/proc/${child.pid}/maps`;
      const expected = cat(file);
      expect(expected.length).toBeGreaterThan(0);
      expect(readBytesSync(file).equals(expected)).toBe(true);
      expect(readFileSync(file)).toBe(expected.toString('utf8'));
      expect((await readBytesAsync(file)).equals(expected)).toBe(true);
    });
  });

  it('/proc/self/maps is whole: every line is a mapping and the text ends with a newline', async () => {
    const line = /^[0-9a-f]+-[0-9a-f]+ [r-][w-][x-][ps] [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ \d+ *.*$/;
    for (const text of [readFileSync('/proc/self/maps'), await readFileAsync('/proc/self/maps')]) {
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      expect(lines.length).toBeGreaterThan(10);
      for (const l of lines) expect(l).toMatch(line);
      expect(text).toContain('[stack]');
    }
  });

  const kallsyms = '/proc/kallsyms';
  const bigProc = fs.existsSync(kallsyms) && cat(kallsyms).length > 1024 * 1024;
  it.skipIf(!bigProc)('a /proc file of several MiB (/proc/kallsyms) matches cat', async () => {
    const expected = cat(kallsyms);
    expect(readBytesSync(kallsyms).equals(expected)).toBe(true);
    expect((await readBytesAsync(kallsyms)).equals(expected)).toBe(true);
  });
});

describe('reading regular files', () => {
  it('3 MiB of random bytes round-trip byte-exact, sync and async', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const file = write('random.bin', data);
    expect(readBytesSync(file).equals(data)).toBe(true);
    expect((await readBytesAsync(file)).equals(data)).toBe(true);
    // A second read after the buffers grew is still right.
    expect(readBytesSync(file).equals(data)).toBe(true);
  });

  it('sizes around the buffer boundaries are read whole', async () => {
    for (const size of [0, 1, 4095, 4096, 65535, 65536, 65537, 131072, 131073, 1 << 20]) {
      const data = randomBytes(size);
      const file = write(`size-${size}.bin`, data);
      expect(readBytesSync(file).equals(data), `sync ${size}`).toBe(true);
      expect((await readBytesAsync(file)).equals(data), `async ${size}`).toBe(true);
    }
  });

  it('text of any size around the buffer boundaries, by path and re-read on a kept descriptor, the same with the native reader and node:fs', () => {
    const sizes = [0, 1, 65535, 65536, 65537, 131072, 131073, 1 << 20, 3 << 20];
    const files = sizes.map((size) => {
      const text = Array.from({ length: size }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');
      return { size, file: write(`text-${size}.txt`, text), text };
    });
    for (const { size, file, text } of files) {
      for (const single of [false, true]) expect(readFileSync(file, single) === text, `path ${size} single=${single}`).toBe(true);
      const fd = openFdSync(file);
      try {
        // Twice: the second re-read starts again at offset 0 after the buffer grew.
        expect(rereadFdSync(fd, file).toString() === text, `kept ${size}`).toBe(true);
        expect(rereadFdSync(fd, file, true).toString() === text, `kept again ${size}`).toBe(true);
      } finally {
        fs.closeSync(fd);
      }
    }
    // The same files through the other reader, in a process where the choice is made the other way.
    const script = `const r = await import(${JSON.stringify(path.join(import.meta.dirname, '../../runtime/reading/read.ts'))});
      const fs = await import('node:fs');
      const { createHash } = await import('node:crypto');
      const h = (t) => createHash('sha1').update(t).digest('hex');
      const out = [];
      for (const f of ${JSON.stringify(files.map((f) => f.file))}) { const fd = r.openFdSync(f); out.push(h(r.readFileSync(f)), h(r.rereadFdSync(fd, f))); fs.closeSync(fd); }
      console.log(JSON.stringify(out));`;
    const env = { ...process.env, PROCSPEC_NATIVE: native === undefined ? '1' : '0' };
    const other = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8' })) as string[];
    const sha1 = (t: string) => createHash('sha1').update(t).digest('hex');
    expect(other).toEqual(files.flatMap((f) => [sha1(f.text), sha1(f.text)]));
  });

  it('decodes UTF-8, including multi-byte characters across buffer boundaries', async () => {
    const text = 'tâche-进程-😀\n'.repeat(20000); // ~ 460 KiB, many boundaries fall inside characters
    const file = write('utf8.txt', text);
    expect(readFileSync(file)).toBe(text);
    expect(await readFileAsync(file)).toBe(text);
  });

  it('returned bytes are not overwritten by later reads', async () => {
    const a = write('a.bin', Buffer.alloc(1000, 0xaa));
    const b = write('b.bin', Buffer.alloc(1000, 0xbb));
    const first = readBytesSync(a);
    readBytesSync(b);
    expect(first.every((x) => x === 0xaa)).toBe(true);
    const firstAsync = await readBytesAsync(a);
    await readBytesAsync(b);
    expect(firstAsync.every((x) => x === 0xaa)).toBe(true);
  });

  it('200 concurrent async reads of different files all return their own content', async () => {
    const files: { file: string; data: Buffer }[] = [];
    for (let i = 0; i < 200; i++) {
      // Varied sizes, some larger than one buffer, so reads grow buffers while others run.
      const size = i % 10 === 0 ? 200_000 + i : 100 + i * 37;
      const data = Buffer.alloc(size, `file ${i};`);
      files.push({ file: write(`many-${i}.txt`, data), data });
    }
    const texts = await Promise.all(files.map((f) => readFileAsync(f.file)));
    texts.forEach((t, i) => {
      expect(t).toBe(files[i]!.data.toString('utf8'));
    });
    const bytes = await Promise.all(files.map((f) => readBytesAsync(f.file)));
    bytes.forEach((b, i) => {
      expect(b.equals(files[i]!.data)).toBe(true);
    });
  });
});

describe('errors', () => {
  it('a missing file is not_found, sync and async', async () => {
    const missing = path.join(dir, 'no-such-file');
    for (const f of [() => readFileSync(missing), () => readBytesSync(missing), () => readFileAsync(missing), () => readBytesAsync(missing)]) {
      const err = await caught(f);
      expect(err).toBeInstanceOf(ProcfsError);
      expect((err as ProcfsError).code).toBe('not_found');
      expect((err as ProcfsError).file).toBe(missing);
      expect((err as ProcfsError).errno).toBe('ENOENT');
    }
  });

  it('a process that does not exist is not_found', async () => {
    const err = await caught(() => readFileAsync('/proc/999999999/status'));
    expect((err as ProcfsError).code).toBe('not_found');
  });

  it('a directory is an io error with errno EISDIR', async () => {
    for (const f of [() => readFileSync(dir), () => readFileAsync(dir)]) {
      const err = await caught(f);
      expect(err).toBeInstanceOf(ProcfsError);
      expect((err as ProcfsError).code).toBe('io');
      expect((err as ProcfsError).errno).toBe('EISDIR');
    }
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file is permission', async () => {
    const file = write('secret.txt', 'x');
    fs.chmodSync(file, 0o000);
    const err = await caught(() => readFileSync(file));
    expect((err as ProcfsError).code).toBe('permission');
  });
});

describe('mapLimit', () => {
  it('keeps order and never runs more than limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([...Array(50).keys()], 4, async (n, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (n * 7) % 5));
      running--;
      return n * 10 + i;
    });
    expect(out).toEqual([...Array(50).keys()].map((n) => n * 11));
    expect(peak).toBe(4);
  });

  it('rejects with the first error and starts no more calls', async () => {
    const started: number[] = [];
    const err = await caught(() =>
      mapLimit([...Array(20).keys()], 2, async (n) => {
        started.push(n);
        await new Promise((r) => setTimeout(r, 1));
        if (n === 3) throw new Error('boom');
        return n;
      }),
    );
    expect((err as Error).message).toBe('boom');
    await new Promise((r) => setTimeout(r, 20));
    expect(started.length).toBeLessThanOrEqual(5);
  });

  it('handles an empty list and rejects a bad limit', async () => {
    expect(await mapLimit([], 3, async (x) => x)).toEqual([]);
    await expect(mapLimit([1], 0, async (x) => x)).rejects.toThrow(RangeError);
  });

  it('reads 200 files with bounded concurrency', async () => {
    const files = [...Array(200).keys()].map((i) => write(`ml-${i}.txt`, `content ${i}\n`));
    const texts = await mapLimit(files, 16, (f) => readFileAsync(f));
    expect(texts).toEqual(files.map((_, i) => `content ${i}\n`));
  });
});

describe('files printed in one piece (singleRecord)', () => {
  it('read the same without the final empty read', async () => {
    for (const p of ['/proc/version', '/proc/self/limits', '/proc/cmdline', '/proc/self/cgroup', '/proc/self/cmdline']) {
      expect(readFileSync(p, true)).toBe(readFileSync(p));
      expect(await readFileAsync(p, true)).toBe(await readFileAsync(p));
    }
  });
  it('still read a file larger than the buffer whole (a 300 KiB environment)', async () => {
    // One variable may hold at most 128 KiB (MAX_ARG_STRLEN): three of 100 KiB.
    const big = 'x'.repeat(100 * 1024);
    const child = spawn('sleep', ['30'], { env: { A: big, B: big, C: big }, stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const text = readFileSync(`/proc/${child.pid}/environ`, true);
      expect(text).toBe(`A=${big}\0B=${big}\0C=${big}\0`);
      expect(await readFileAsync(`/proc/${child.pid}/environ`, true)).toBe(text);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('a buffer grown by a long file', () => {
  // The kernel refuses a sysctl read asking for 4 MiB or more with ENOMEM (proc_sys_call_handler); the shared
  // buffer of sync reads grows to 4 MiB after a 3 MiB file, and must not be offered whole to the next read.
  it('still reads /proc/sys files: whole, kept, and through ProcFs sync and async', async () => {
    const big = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'procspec-big-')), 'big');
    fs.writeFileSync(big, 'x'.repeat(3 * 1024 * 1024));
    const grow = () => expect(readViewSync(big).length).toBe(3 * 1024 * 1024);
    grow();
    expect(readViewSync('/proc/sys/kernel/ostype').toString()).toBe(fs.readFileSync('/proc/sys/kernel/ostype', 'utf8'));
    grow();
    expect(readKeptSync('/proc/sys/kernel/osrelease', false).toString()).toBe(fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8'));
    grow();
    const pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    expect(new ProcFs().read('proc/sys/kernel/pid_max')).toEqual({ pidMax });
    grow();
    expect(await new ProcFs().readAsync('proc/sys/kernel/pid_max')).toEqual({ pidMax });
    fs.rmSync(path.dirname(big), { recursive: true });
  });
});
