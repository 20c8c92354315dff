/**
 * For the permission tests: loads procspec, drops to the user nobody (uid
 * and gid 65534), then does what the arguments say and prints one JSON line
 * per result.
 *   read ID=PID[,PID...]...
 *                     ProcFs.read of spec ID for each pid, for each ID: {id, pid, ok} or {id, pid, code}
 *   list ROOT         a listing of ROOT: {rows, uids, hidden}
 */
import { ProcFs } from '../../runtime/index.js';
import { ProcfsError } from '../../runtime/core/errors.js';

const [mode, ...args] = process.argv.slice(2);
const fs = new ProcFs(mode === 'list' ? { root: args[0]! } : {});
// Facts of the root (page size, clock tick) are read once, before the privileges go.
fs.context('x');
process.setgroups!([]);
process.setgid!(65534);
process.setuid!(65534);

if (mode === 'read') {
  for (const arg of args) {
    const [id, pids] = arg.split('=') as [string, string];
    for (const pid of pids.split(',')) {
      try {
        fs.read(id as never, { pid: Number(pid) });
        process.stdout.write(`${JSON.stringify({ id, pid, ok: true })}\n`);
      } catch (err) {
        if (!(err instanceof ProcfsError)) throw err;
        process.stdout.write(`${JSON.stringify({ id, pid, code: err.code })}\n`);
      }
    }
  }
} else if (mode === 'list') {
  const l = fs.processes({ groups: ['base', 'credentials'] });
  process.stdout.write(
    `${JSON.stringify({ rows: l.rows.length, uids: [...new Set(l.rows.map((r) => r.credentials?.uid.real))], hidden: l.hidden ?? null })}\n`,
  );
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exitCode = 2;
}
