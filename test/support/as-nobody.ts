/**
 * Runs the procspec command as the unprivileged user nobody: every module is
 * loaded first (as root, so the repository's folder need not be readable by
 * nobody), then the process drops to uid and gid 65534 and runs the command.
 */
import { main } from '../../cli/main.js';

process.setgroups!([]);
process.setgid!(65534);
process.setuid!(65534);
process.exitCode = await main(process.argv);
