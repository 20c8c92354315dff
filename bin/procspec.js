#!/usr/bin/env node
// The procspec command, run from the built copy in dist/ (built by `npm start` and `npm test`,
// by `prepack` in the published package, or by `npm run build`): plain Node, no tsx.
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
  process.stderr.write('procspec: dist/ is not built: run `npm run build` in the procspec folder\n');
  process.exit(1);
}

process.exitCode = await main(process.argv);
