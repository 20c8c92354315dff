/** `npm run fixtures:update`: writes each fixture's expected .json from the current parsers, for review in the diff. */
import { writeFileSync } from 'node:fs';
import { registry } from '../generated/index.js';
import { findFixtures, outcome } from '../test/support/fixtures.js';

for (const f of findFixtures(registry)) writeFileSync(f.expectedFile, outcome(f));
process.stdout.write('fixtures updated: review `git diff test/fixtures`\n');
