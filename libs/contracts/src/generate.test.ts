import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventCatalogue, eventTypes } from './catalogue.ts';
import { generateContracts } from './generate.ts';

const generatedDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated');

describe('generated contracts', () => {
  const files = generateContracts();

  it('are up to date with the zod schemas (run `npm run contracts` and commit)', () => {
    for (const [path, text] of files) expect(readFileSync(join(generatedDir, path), 'utf8'), path).toBe(text);
    const onDisk = readdirSync(join(generatedDir, 'events')).map((n) => `events/${n}`).sort();
    expect(onDisk).toEqual([...files.keys()].filter((p) => p.startsWith('events/')).sort());
  });

  it('describe every subject as an AsyncAPI 3 channel with the envelope payload', () => {
    const doc = JSON.parse(files.get('asyncapi.json') ?? '{}');
    expect(doc.asyncapi).toBe('3.0.0');
    for (const type of eventTypes) {
      const { subject } = eventCatalogue[type];
      expect(doc.channels[subject].address).toBe(subject);
      const payload = doc.components.messages[type].payload.schema;
      expect(payload.properties.type.const).toBe(type);
      expect(payload.required).toEqual(expect.arrayContaining(['id', 'streamId', 'occurredAt', 'data']));
      expect(doc.operations[`publish${type}`].action).toBe('send');
    }
    const schema = JSON.parse(files.get('events/tiktok.share.publish_completed.v1.json') ?? '{}');
    expect(schema.properties.data.properties.postIds.items.type).toBe('string');
  });
});
