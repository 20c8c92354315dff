/**
 * `procspec delays`: the delay accounting of a task, like the kernel's
 * getdelays tool. `delays -- COMMAND [ARGS...]` runs the command and, when it
 * exits, prints its delays from the taskstats exit record of its thread group
 * (the listener is registered before the child is spawned, so the record
 * cannot be missed; Node reaps the child itself, so a TASKSTATS_CMD_GET
 * before reaping is not possible). A single-threaded command sends only its
 * pid record, which then is the whole process. `-p PID` / `-t TGID` print a
 * live thread's / process's delays. Needs CAP_NET_ADMIN (root).
 * Exit status: the command's (128 + signal number if killed); with -p/-t 0;
 * 1 when the statistics cannot be had; 2 bad usage; 127 the command could not start.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ExitListener, ProcfsError, TaskstatsClient, toJson, type TaskRecord, type Taskstats } from '../runtime/index.js';
import type { DelayKind } from '../runtime/accounting/taskstats-layout.js';

export interface DelaysOptions {
  pid?: string;
  tgid?: string;
  json?: boolean;
}

/** Row labels, in getdelays' order. */
const LABELS: Record<DelayKind, string> = {
  cpu: 'CPU',
  blkio: 'block I/O',
  swapin: 'swap-in',
  freepages: 'reclaim',
  thrashing: 'thrashing',
  compact: 'compaction',
  wpcopy: 'wpcopy',
  irq: 'IRQ',
};

/** What is printed about one task: who, how it ended, and its statistics. */
interface Report {
  command?: string[];
  kind: 'pid' | 'tgid';
  id: number;
  exitStatus?: number;
  signal?: string;
  stats: Taskstats;
}

function render(r: Report): string {
  const f = r.stats.fields;
  const who = `${r.command !== undefined ? r.command.join(' ') : (f.acComm ?? '')} (${r.kind} ${r.id})`.trim();
  const lines = [
    `${who}: taskstats version ${r.stats.version}${r.exitStatus !== undefined ? `, exit status ${r.exitStatus}` : ''}${r.signal !== undefined ? `, killed by ${r.signal}` : ''}`,
    ...(f.acUtime !== undefined && f.acStime !== undefined && f.acEtime !== undefined
      ? [`CPU time: user ${f.acUtime.toFixed(3)} s, system ${f.acStime.toFixed(3)} s, elapsed ${f.acEtime.toFixed(3)} s`]
      : []),
    `${'delay'.padEnd(11)}${'count'.padStart(10)}${'total (s)'.padStart(14)}${'average (ms)'.padStart(15)}`,
  ];
  for (const [kind, label] of Object.entries(LABELS) as [DelayKind, string][]) {
    const d = r.stats.delays[kind];
    if (d === undefined) continue;
    lines.push(`${label.padEnd(11)}${String(d.count).padStart(10)}${d.total.toFixed(6).padStart(14)}${(d.average * 1e3).toFixed(3).padStart(15)}`);
  }
  if (r.stats.delayAccountingOff === true) {
    lines.push('delay accounting is off (kernel.task_delayacct=0): delays other than CPU are not counted; `sysctl kernel.task_delayacct=1` turns it on');
  }
  return `${lines.join('\n')}\n`;
}

function print(r: Report, json: boolean): void {
  process.stdout.write(json ? `${toJson(r)}\n` : render(r));
}

/** Runs `command`, and returns its exit record (tgid record, else its main thread's pid record). */
async function runAndRecord(command: string[]): Promise<{ record: TaskRecord | undefined; code: number | null; signal: NodeJS.Signals | null }> {
  const listener = new ExitListener({ ref: false });
  const records: TaskRecord[] = [];
  listener.on('record', (r) => records.push(r));
  let lost = 0;
  listener.on('lost', (l) => (lost += l.count ?? 1));
  let failure: Error | undefined;
  listener.on('error', (e) => (failure = e));
  const ignore = () => {};
  process.on('SIGINT', ignore); // ^C goes to the command; its record is still printed
  try {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit' });
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // The kernel sent the records in do_exit, before the child could be reaped: they are queued now.
    listener.drain();
    if (failure !== undefined) throw failure;
    const pid = child.pid!;
    const record = records.find((r) => r.kind === 'tgid' && r.id === pid) ?? records.find((r) => r.kind === 'pid' && r.id === pid);
    if (record === undefined && lost > 0) throw new ProcfsError('io', `the exit record of ${command[0]} was among ${lost} records lost (receive buffer full)`);
    return { record, ...ended };
  } finally {
    process.off('SIGINT', ignore);
    listener.close();
  }
}

export async function delaysCommand(args: string[], opts: DelaysOptions): Promise<number> {
  const json = opts.json === true;
  const modes = [args.length > 0, opts.pid !== undefined, opts.tgid !== undefined].filter(Boolean).length;
  if (modes !== 1) {
    process.stderr.write('procspec delays: give one of -- COMMAND [ARGS...], -p PID or -t TGID\n');
    return 2;
  }
  try {
    if (args.length === 0) {
      const kind = opts.pid !== undefined ? 'pid' : 'tgid';
      const text = (opts.pid ?? opts.tgid)!;
      if (!/^[0-9]+$/.test(text)) {
        process.stderr.write(`procspec delays: bad ${kind} ${JSON.stringify(text)}\n`);
        return 2;
      }
      const id = Number(text);
      const client = new TaskstatsClient();
      try {
        print({ kind, id, stats: kind === 'pid' ? client.pid(id) : client.tgid(id) }, json);
      } finally {
        client.close();
      }
      return 0;
    }
    let ran: Awaited<ReturnType<typeof runAndRecord>>;
    try {
      ran = await runAndRecord(args);
    } catch (err) {
      if (err instanceof ProcfsError) throw err;
      process.stderr.write(`procspec delays: ${args[0]}: ${(err as Error).message}\n`);
      return 127;
    }
    const status = ran.code ?? 128 + (ran.signal !== null ? constants.signals[ran.signal] : 0);
    if (ran.record === undefined) {
      process.stderr.write(`procspec delays: no exit record of ${args[0]} arrived\n`);
      return 1;
    }
    print(
      {
        command: args,
        kind: ran.record.kind,
        id: ran.record.id,
        ...(ran.code !== null ? { exitStatus: ran.code } : {}),
        ...(ran.signal !== null ? { signal: ran.signal } : {}),
        stats: ran.record.stats,
      },
      json,
    );
    return status;
  } catch (err) {
    if (!(err instanceof ProcfsError)) throw err;
    process.stderr.write(`procspec delays: ${err.message}\n`);
    return 1;
  }
}
