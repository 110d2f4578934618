/**
 * `npm run contracts`: writes libs/contracts/generated/{events/<subject>.json, asyncapi.json}
 * from the zod schemas, removing stale event files. Commit the result; a test fails when stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateContracts } from '../src/generate.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated');
const files = generateContracts();

mkdirSync(join(outDir, 'events'), { recursive: true });
for (const name of readdirSync(join(outDir, 'events'))) {
  if (!files.has(`events/${name}`)) rmSync(join(outDir, 'events', name));
}
for (const [path, text] of files) writeFileSync(join(outDir, path), text);
console.log(`wrote ${files.size} files to ${outDir}`);
