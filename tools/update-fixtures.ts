/** `npm run fixtures:update`: writes each fixture's and producer file's expected .json from the current parsers, for review in the diff. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { registry } from '../generated/index.js';
import { findFixtures, outcome } from '../test/support/fixtures.js';
import { findProducerFixtures, producerOutcome } from '../test/support/producers.js';

for (const f of findFixtures(registry)) writeFileSync(f.expectedFile, outcome(f));
for (const f of findProducerFixtures(registry)) {
  if (!f.spec) continue;
  mkdirSync(dirname(f.expectedFile), { recursive: true });
  writeFileSync(f.expectedFile, producerOutcome(f));
}
process.stdout.write('fixtures updated: review `git diff test/fixtures test/producers`\n');
