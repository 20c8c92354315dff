/**
 * Basic auth for `procspec serve` (the web config's `basic_auth_users`), as
 * exporter-toolkit checks it: the Authorization header's user and password
 * against the user's bcrypt hash; an unknown user is checked against a
 * hash of another password, so an answer takes as long whether or not the
 * user exists. bcrypt costs tens of milliseconds by design: the result of a
 * check is kept for the pair (at most CACHE_SIZE pairs, one dropped at
 * random when full, as the toolkit does), so a scraper pays it once, and
 * checks not kept run one at a time, so wrong passwords sent in parallel
 * cost no more CPU than sent in turn.
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** Checks kept (the toolkit keeps 100). */
export const CACHE_SIZE = 100;

/** bcrypt (cost 10) of random bytes no one kept: what an unknown user is checked against. bcryptjs compares the hashes in constant time. */
const UNKNOWN_USER_HASH = '$2b$10$dMsqTfoiArh0vDdyy9yyxOhlsgptJgObXlH9JWK.reONOOkgYpv8a';

/** The user and password of a `Basic` Authorization header (RFC 7617), or undefined for none or a malformed one. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (m === null || m[1]!.length % 4 !== 0) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export class BasicAuth {
  /** sha256 of user, hash and password -> whether they matched. */
  readonly #cache = new Map<string, boolean>();
  /** Checks being made, so the same pair asked for at once is checked once. */
  readonly #pending = new Map<string, Promise<boolean>>();
  /** The last bcrypt check started: the next waits for it. */
  #queue: Promise<unknown> = Promise.resolve();
  /** bcrypt comparisons made (for tests and for knowing the cache works). */
  hashChecks = 0;

  /** Checks kept. */
  get cached(): number {
    return this.#cache.size;
  }

  /** Whether the header names a user of `users` with the right password. */
  async check(users: ReadonlyMap<string, string>, header: string | undefined): Promise<boolean> {
    const cred = basicCredentials(header);
    if (cred === undefined) return false;
    const known = users.get(cred.user);
    const hash = known ?? UNKNOWN_USER_HASH;
    // The key is a digest, so the password is not kept and finding it in the cache takes the same time whatever it is.
    const key = createHash('sha256').update(`${cred.user.length}:${cred.user}\0${hash}\0`).update(cred.password).digest('base64');
    const kept = this.#cache.get(key);
    if (kept !== undefined) return kept && known !== undefined;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#queue.then(() => {
        this.hashChecks++;
        return bcrypt.compare(cred.password, hash);
      });
      this.#queue = pending.catch(() => undefined);
      this.#pending.set(key, pending);
    }
    let ok: boolean;
    try {
      ok = await pending;
    } catch {
      ok = false;
    } finally {
      this.#pending.delete(key);
    }
    if (this.#cache.size >= CACHE_SIZE) {
      const keys = [...this.#cache.keys()];
      this.#cache.delete(keys[Math.floor(Math.random() * keys.length)]!);
    }
    this.#cache.set(key, ok);
    return ok && known !== undefined;
  }
}
