/**
 * Content negotiation of a scrape (RFC 9110 Accept and Accept-Encoding):
 * OpenMetrics when the Accept header prefers it to the text format, text
 * 0.0.4 otherwise, and for any header that does not parse; gzip when
 * Accept-Encoding allows it.
 */
import { type Format, OPENMETRICS, TEXT } from './exposition.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QUOTED = /^"(?:[^"\\]|\\.)*"$/;
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/** One element of a list header: its value and parameters (names lower-cased, quotes removed). */
interface Element {
  value: string;
  params: Map<string, string>;
  q: number;
}

/** Splits at `sep` outside double-quoted strings. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\' && i + 1 < text.length) {
      cur += c + text[++i]!;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return quoted ? [] : out;
}

/** The elements of a list header, or undefined when any of it does not parse. */
function parseList(header: string, value: RegExp): Element[] | undefined {
  if (header.length > 4096) return undefined;
  const out: Element[] = [];
  for (const raw of splitOutsideQuotes(header, ',')) {
    const item = raw.trim();
    if (item === '') continue;
    const [head, ...rest] = splitOutsideQuotes(item, ';').map((s) => s.trim());
    if (head === undefined || !value.test(head)) return undefined;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq <= 0) return undefined;
      const name = p.slice(0, eq).trim().toLowerCase();
      let v = p.slice(eq + 1).trim();
      if (!TOKEN.test(name) || !(TOKEN.test(v) || QUOTED.test(v))) return undefined;
      if (QUOTED.test(v)) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
      if (name === 'q') {
        if (!QVALUE.test(v)) return undefined;
        q = Number(v);
      } else params.set(name, v);
    }
    out.push({ value: head.toLowerCase(), params, q });
  }
  return out;
}

const MEDIA = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** How specifically a media range matches a type we offer: 3 exact (with an acceptable version), 2 type/*, 1 *\/*, 0 not. */
function match(e: Element, type: string, versions: readonly string[]): number {
  const version = e.params.get('version');
  if (e.value === type) return version === undefined || versions.includes(version) ? 3 : 0;
  if (e.value === `${type.split('/')[0]}/*`) return 2;
  return e.value === '*/*' ? 1 : 0;
}

/** The q of the most specific ranges that match a type, and how specific they are. */
function quality(list: readonly Element[], type: string, versions: readonly string[]): { q: number; level: number; version?: string } {
  let best = { q: 0, level: 0 } as { q: number; level: number; version?: string };
  for (const e of list) {
    const level = match(e, type, versions);
    if (level === 0 || level < best.level) continue;
    if (level > best.level || e.q > best.q) {
      const version = e.params.get('version');
      best = version !== undefined && level === 3 ? { q: e.q, level, version } : { q: e.q, level };
    }
  }
  return best;
}

/**
 * The format an Accept header asks for. OpenMetrics when its q is above the
 * text format's, or equal and named exactly where the text format is not;
 * the text format otherwise, and when the header is absent or malformed.
 */
export function negotiateFormat(accept: string | undefined): Format {
  if (accept === undefined) return TEXT;
  // A scraper sends the same header every time: its answer is kept, not parsed again.
  if (accept !== lastAccept) {
    lastFormat = formatOf(accept);
    lastAccept = accept;
  }
  return lastFormat;
}

/** The last Accept header negotiated, and its format. */
let lastAccept: string | undefined;
let lastFormat: Format = TEXT;

function formatOf(accept: string): Format {
  const list = parseList(accept, MEDIA);
  if (list === undefined) return TEXT;
  const om = quality(list, 'application/openmetrics-text', ['1.0.0', '0.0.1']);
  const text = quality(list, 'text/plain', ['0.0.4']);
  const prefer = om.q > 0 && (om.q > text.q || (om.q === text.q && om.level === 3 && text.level < 3));
  if (!prefer) return TEXT;
  return om.version === '0.0.1' ? { kind: 'openmetrics', version: '0.0.1' } : OPENMETRICS;
}

/** Whether an Accept-Encoding header allows gzip (named with q above 0, or `*` when gzip is not refused); false when malformed. */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  if (header !== lastEncoding) {
    lastGzip = gzipIn(header);
    lastEncoding = header;
  }
  return lastGzip;
}

/** The last Accept-Encoding header, and whether it allows gzip. */
let lastEncoding: string | undefined;
let lastGzip = false;

function gzipIn(header: string): boolean {
  const list = parseList(header, TOKEN);
  if (list === undefined) return false;
  const gzip = list.find((e) => e.value === 'gzip' || e.value === 'x-gzip');
  if (gzip !== undefined) return gzip.q > 0;
  const any = list.find((e) => e.value === '*');
  return any !== undefined && any.q > 0;
}
