/** Runs the procspec command from the sources (bin/procspec.js runs the built copy). */
import { main } from './main.js';

process.exitCode = await main(process.argv);
