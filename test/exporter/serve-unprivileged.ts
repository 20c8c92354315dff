/**
 * `procspec serve` that gives up root before it reads anything: its modules
 * are loaded as root (the repository may sit in a folder only root can
 * enter, as a CI clone in a mktemp folder does), then the process becomes
 * the user and group nobody (65534) with no supplementary groups, and
 * serves with the arguments given. Run by test/exporter/unprivileged.test.ts.
 */
import { serveCommand } from '../../cli/serve.js';

const { setgroups, setgid, setuid } = process;
if (setgroups === undefined || setgid === undefined || setuid === undefined) throw new Error('a POSIX system is needed to change the user');
setgroups([]);
setgid(65534);
setuid(65534);
process.exitCode = await serveCommand(process.argv.slice(2));
