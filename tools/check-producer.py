#!/usr/bin/env python3
"""Parse every file of a producer fixture tree (producers/<name>/proc) with the
procspec CLI in one run and report, per file: refused (with the error), or
parsed, and the keys/tokens that landed in `extra` / `extraTokens` (text the
specs do not name). Usage: tools/check-producer.py producers/linux-5.4/proc"""
import json, os, subprocess, sys

root = sys.argv[1]
cli = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bin', 'procspec.js')
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
               if not os.path.islink(os.path.join(d, f)))
refused = {}
seen = {}
# one run for the whole tree (ndjson: every record names its file); the
# files that give no record are refused, their errors on stderr
p = subprocess.run(['node', cli, 'parse', *files, '--root', root, '--format', 'ndjson'],
                   capture_output=True, text=True)
for line in p.stdout.splitlines():
    r = json.loads(line)
    seen.setdefault(r.pop('file', None), []).append(r)
errs = p.stderr.strip().splitlines()
for f in files:
    if f not in seen:
        mine = [e for e in errs if f in e]
        if mine:
            refused[f] = mine
        else:  # a table with no rows gives no ndjson record: parse it alone
            q = subprocess.run(['node', cli, 'parse', f, '--root', root, '--format', 'json'],
                               capture_output=True, text=True)
            if q.returncode != 0 or q.stderr.strip():
                refused[f] = q.stderr.strip().splitlines()[:3]
            else:
                seen[f] = [json.loads(q.stdout)]

def extras(v, path=''):
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ('extra', 'extraTokens') and x not in (None, {}, []):
                out.append('%s%s=%s' % (path, k, json.dumps(x)[:160]))
            else:
                out += extras(x, path + k + '.')
    elif isinstance(v, list):
        for i, x in enumerate(v):
            r = extras(x, path + '[%d].' % i)
            out += r
            if r:
                break
    return out

for f in files:
    rel = os.path.relpath(f, root)
    if f in refused:
        print('REFUSED', rel, '|', ' '.join(refused[f]))
    else:
        e = extras(seen[f])
        print('ok     ', rel, ('| ' + '; '.join(e)) if e else '')
