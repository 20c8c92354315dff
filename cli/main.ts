/**
 * The procspec command: `parse` a /proc file (live or a saved copy) to JSON,
 * `list` the specs, and `summary`, a readable snapshot of the live machine.
 * Exit codes: 0 done, 1 a file could not be read or parsed, 2 bad usage.
 */
import { Command, CommanderError } from 'commander';
import { basename } from 'node:path';
import { ProcFs, ProcfsError, registry, specForPath, toJson, writers } from '../runtime/index.js';
import { COLUMNS, psCommand, type PsOptions } from './ps.js';
import { readFileSync } from '../runtime/read.js';
import { summary } from './summary.js';

function parseCommand(files: string[], opts: { as?: string; root?: string; pageSize?: string; clockTick?: string; bigEndian?: boolean }): number {
  const fs = new ProcFs({
    ...(opts.root !== undefined ? { root: opts.root } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: Number(opts.pageSize) } : {}),
    ...(opts.clockTick !== undefined ? { clockTick: Number(opts.clockTick) } : {}),
    ...(opts.bigEndian === true ? { littleEndian: false } : {}),
  });
  let status = 0;
  const results: Record<string, unknown> = {};
  for (const file of files) {
    const entry = opts.as !== undefined ? registry.find((e) => e.id === opts.as) : specForPath(registry, file);
    if (entry === undefined) {
      const near = registry
        .map((e) => e.id)
        .filter((id) => id.includes(basename(file)) || basename(file).includes(basename(id)))
        .slice(0, 5);
      process.stderr.write(
        `procspec: ${opts.as !== undefined ? `no spec named ${opts.as}` : `no spec matches ${file}`}${near.length ? ` (nearest: ${near.join(', ')})` : ''}; use --as SPEC (see \`procspec list\`)\n`,
      );
      status = 1;
      continue;
    }
    try {
      const value = entry.parse(readFileSync(file), fs.context(file));
      if (files.length === 1) process.stdout.write(`${toJson(value)}\n`);
      else results[file] = value;
    } catch (err) {
      if (!(err instanceof ProcfsError)) throw err;
      process.stderr.write(`procspec: ${err.message}\n`);
      status = 1;
    }
  }
  if (files.length > 1) process.stdout.write(`${toJson(results)}\n`);
  return status;
}

function listCommand(json: boolean): number {
  const rows = [
    ...registry.map((e) => ({ id: e.id, paths: e.model.paths, access: e.model.sampling, description: e.model.description })),
    ...writers.map((e) => ({ id: e.id, paths: e.model.paths, access: 'write', description: e.model.description })),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (json) {
    process.stdout.write(`${toJson(rows)}\n`);
    return 0;
  }
  const width = Math.max(...rows.map((e) => e.id.length));
  for (const e of rows) process.stdout.write(`${e.id.padEnd(width)}  ${e.access.padEnd(7)}  ${e.paths.join(' ')}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = new Command();
  program
    .name('procspec')
    .description('Typed parsers for Linux /proc files, generated from YAML specs. JSON output writes 64-bit values (bigints) as decimal strings.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command('parse')
    .description('parse /proc files (live or saved copies) and print JSON; sizes in bytes, times in seconds')
    .argument('<file...>', 'files to parse; the spec is found from the path (…/meminfo, …/1234/stat, …/net/dev)')
    .option('--as <spec>', 'parse with this spec (see `procspec list`)')
    .option('--root <dir>', 'procfs root whose units (page size, clock tick) apply', '/proc')
    .option('--page-size <bytes>', 'bytes per page, for a copy from another machine')
    .option('--clock-tick <hz>', 'clock ticks per second, for a copy from another machine')
    .option('--big-endian', 'the copy comes from a big-endian machine (s390x): addresses in net/tcp and the like')
    .action((files: string[], opts: { as?: string; root?: string; pageSize?: string; clockTick?: string; bigEndian?: boolean }) => {
      status = parseCommand(files, opts);
    });
  program
    .command('list')
    .description('list the specs with their paths')
    .option('--json', 'as JSON')
    .action((opts: { json?: boolean }) => {
      status = listCommand(opts.json === true);
    });
  program
    .command('ps')
    .description('list processes, reading only the files the columns need')
    .option('-o, --columns <list>', `columns: ${Object.keys(COLUMNS).join(', ')}`, 'pid,ppid,state,time,rss,args')
    .option('--sort <column>', 'sort by a column (-column for descending)')
    .option('--tree', 'children under their parents')
    .option('-L, --threads', 'one row per thread')
    .option('-p, --pid <pid>', 'only this process (with -L: its threads)')
    .option('--root <dir>', 'procfs root', '/proc')
    .option('--json', 'as JSON')
    .action((opts: PsOptions & { root: string }) => {
      try {
        status = psCommand(new ProcFs({ root: opts.root }), opts);
      } catch (err) {
        if (err instanceof ProcfsError || (err instanceof Error && /^unknown (sort )?column/.test(err.message))) {
          process.stderr.write(`procspec ps: ${err.message}\n`);
          status = err instanceof ProcfsError ? 1 : 2;
        } else throw err;
      }
    });
  program
    .command('summary')
    .description('a readable summary of the live machine (or --root)')
    .option('--root <dir>', 'procfs root', '/proc')
    .option('--json', 'as JSON')
    .action((opts: { root: string; json?: boolean }) => {
      status = summary(new ProcFs({ root: opts.root }), opts.json === true);
    });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return status;
}
