#!/usr/bin/env node
// Parses every file of a producer tree (producers/<name>/proc/...) with the
// spec its path selects, and prints one line a file: `ok`, `refused` with the
// parse error, or `nospec`; for files that parse, the fields the spec names
// that the file does not print (`missing`) and the keys or tokens the spec does
// not name (`extra`). Run after `npm run build`:
//   node tools/check-producer.mjs producers/linux-3.10/proc [--all]
// Without --all, per-task copies (task/<tid>/...) of per-process files are
// checked but only reported when their result differs from the process's.
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ProcFs, ProcfsError, registry, specForPath } from '../dist/runtime/index.js';

const root = process.argv[2];
const all = process.argv.includes('--all');
if (root === undefined) {
  process.stderr.write('usage: node tools/check-producer.mjs <tree>/proc [--all]\n');
  process.exit(2);
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Field names a layout names at its top level (keyed entries, tokens, pairs). */
function namesOf(layout) {
  if (layout === undefined || layout === null) return [];
  switch (layout.kind) {
    case 'keyed': return layout.entries.map((e) => e.field?.name ?? e.name).filter(Boolean);
    case 'line': return [...(layout.tokens ?? []), ...(layout.pairs?.fields ?? [])].map((t) => t.field?.name ?? t.name).filter(Boolean);
    case 'table': return (layout.tokens ?? []).map((t) => t.field?.name ?? t.name).filter(Boolean);
    case 'blocks': return namesOf(layout.body);
    default: return [];
  }
}

function sample(value, layout) {
  if (layout.kind === 'blocks' && Array.isArray(value)) return value[0];
  if (layout.kind === 'table' && Array.isArray(value)) return value[0];
  if (layout.kind === 'table' && value && Array.isArray(value.rows)) return value.rows[0];
  return value;
}

function extrasOf(v) {
  if (v === null || typeof v !== 'object') return [];
  const out = [];
  if (v.extra && typeof v.extra === 'object') out.push(...Object.keys(v.extra));
  if (Array.isArray(v.extraTokens) && v.extraTokens.length > 0) out.push(`extraTokens(${v.extraTokens.length})`);
  return out;
}

const fs = new ProcFs({ root });
const seen = new Map();
let refused = 0;
for (const file of walk(root)) {
  const rel = relative(root, file);
  const generic = rel.replace(/^\d+\/task\/\d+\//, 'pid/task/').replace(/^\d+\//, 'pid/');
  const entry = specForPath(registry, join('/proc', rel));
  let line;
  if (entry === undefined) line = 'nospec';
  else {
    try {
      const value = entry.parse(readFileSync(file), fs.context(file));
      const s = sample(value, entry.model.layout);
      const missing = s && typeof s === 'object' ? namesOf(entry.model.layout).filter((n) => s[n] === undefined) : [];
      const extra = extrasOf(s);
      line = `ok ${entry.id}` + (missing.length ? ` missing: ${missing.join(' ')}` : '') + (extra.length ? ` extra: ${extra.join(' ')}` : '');
    } catch (err) {
      if (!(err instanceof ProcfsError)) throw err;
      refused++;
      line = `refused ${entry.id}: ${err.message}`;
    }
  }
  const key = generic.replace(/^pid\/task\//, 'pid/');
  const shown = line.replace(/:\d+:\d+:/, ':');
  if (!all && rel.includes('/task/') && seen.get(key) === shown.replace(file, '')) continue;
  if (!rel.includes('/task/')) seen.set(key, shown.replace(file, ''));
  process.stdout.write(`${rel}\t${line}\n`);
}
process.exit(refused > 0 ? 1 : 0);
