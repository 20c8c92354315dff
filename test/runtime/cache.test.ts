import { describe, expect, it } from 'vitest';
import { OnceCache } from '../../runtime/reading/cache.js';

describe('OnceCache', () => {
  it('computes once per (root, path)', () => {
    const cache = new OnceCache();
    let calls = 0;
    const compute = () => ++calls;
    expect(cache.get({ root: '/proc', path: 'stat' }, compute)).toBe(1);
    expect(cache.get({ root: '/proc', path: 'stat' }, compute)).toBe(1);
    expect(cache.get({ root: '/proc/', path: 'stat' }, compute)).toBe(1); // same root spelled differently
    expect(cache.get({ root: '/proc', path: 'uptime' }, compute)).toBe(2);
    expect(cache.get({ root: '/snap', path: 'stat' }, compute)).toBe(3);
    expect(calls).toBe(3);
    expect(cache.size).toBe(3);
  });

  it('caches undefined and null values too', () => {
    const cache = new OnceCache();
    let calls = 0;
    const key = { root: '/proc', path: 'x' };
    cache.get(key, () => (calls++, undefined));
    cache.get(key, () => (calls++, undefined));
    expect(calls).toBe(1);
    expect(cache.has(key)).toBe(true);
  });

  it('drop(root) forgets only that root; drop() forgets all', () => {
    const cache = new OnceCache();
    cache.get({ root: '/proc', path: 'a' }, () => 1);
    cache.get({ root: '/snap', path: 'a' }, () => 2);
    cache.drop('/proc/');
    expect(cache.has({ root: '/proc', path: 'a' })).toBe(false);
    expect(cache.get({ root: '/snap', path: 'a' }, () => 99)).toBe(2);
    expect(cache.get({ root: '/proc', path: 'a' }, () => 3)).toBe(3);
    cache.drop();
    expect(cache.size).toBe(0);
    expect(cache.get({ root: '/snap', path: 'a' }, () => 4)).toBe(4);
  });

  it('a throwing compute stores nothing', () => {
    const cache = new OnceCache();
    const key = { root: '/proc', path: 'a' };
    expect(() =>
      cache.get(key, () => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(cache.has(key)).toBe(false);
    expect(cache.get(key, () => 5)).toBe(5);
  });

  it('stores the promise: concurrent async callers share one computation', async () => {
    const cache = new OnceCache();
    let calls = 0;
    const compute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return 'value';
    };
    const key = { root: '/proc', path: 'a' };
    const p1 = cache.get(key, compute);
    const p2 = cache.get(key, compute);
    expect(p1).toBe(p2);
    expect(await Promise.all([p1, p2])).toEqual(['value', 'value']);
    expect(await cache.get(key, compute)).toBe('value');
    expect(calls).toBe(1);
  });

  it('a rejected promise is forgotten so the next get retries', async () => {
    const cache = new OnceCache();
    const key = { root: '/proc', path: 'a' };
    await expect(cache.get(key, () => Promise.reject(new Error('gone')))).rejects.toThrow('gone');
    expect(cache.has(key)).toBe(false);
    expect(await cache.get(key, async () => 7)).toBe(7);
  });

  it('a late rejection does not remove a value stored after a drop', async () => {
    const cache = new OnceCache();
    const key = { root: '/proc', path: 'a' };
    let reject!: (e: Error) => void;
    const first = cache.get(key, () => new Promise<number>((_, rej) => (reject = rej)));
    cache.drop('/proc');
    const second = cache.get(key, async () => 8);
    reject(new Error('late'));
    await expect(first).rejects.toThrow('late');
    expect(cache.has(key)).toBe(true);
    expect(await cache.get(key, async () => 9)).toBe(await second);
  });
});
