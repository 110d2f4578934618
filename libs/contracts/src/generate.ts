/**
 * Builds the published documents from the zod schemas: one JSON Schema per event subject and an
 * AsyncAPI 3.0 document. Pure (no I/O) so a test can regenerate in memory and compare with the
 * committed files; `scripts/generate.ts` writes them.
 */
import { z } from 'zod';
import { eventCatalogue, eventTypes, streams, type EventType } from './catalogue.ts';

/** Relative path (under libs/contracts/generated) → file content. */
export type GeneratedFiles = Map<string, string>;

// Input mode: no `additionalProperties: false`, because within a version events only grow and
// subscribers validating with these schemas must accept fields added later.
function eventJsonSchema(type: EventType, target: 'draft-2020-12' | 'draft-7'): Record<string, unknown> {
  return z.toJSONSchema(eventCatalogue[type].envelope, { io: 'input', target }) as Record<string, unknown>;
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function eventSchemaFile(type: EventType): string {
  const e = eventCatalogue[type];
  const { $schema, ...rest } = eventJsonSchema(type, 'draft-2020-12');
  return toJson({ $schema, $id: `urn:tiktok-share:event:${e.subject}`, title: e.type, description: e.description, ...rest });
}

function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const type of eventTypes) {
    const e = eventCatalogue[type];
    const { $schema: _ignored, ...payload } = eventJsonSchema(type, 'draft-7');
    messages[type] = {
      name: type,
      title: type,
      summary: e.description,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: { 'Nats-Msg-Id': { type: 'string', description: 'The event id; JetStream deduplicates on it.' } },
      },
      payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: payload },
      'x-producer': e.producer,
      'x-version': e.version,
    };
    channels[e.subject] = {
      address: e.subject,
      title: type,
      description: `${e.description} Stream ${streams[e.producer].name}.`,
      messages: { [type]: { $ref: `#/components/messages/${type}` } },
    };
    operations[`publish${type}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${escapePointer(e.subject)}` },
      messages: [{ $ref: `#/channels/${escapePointer(e.subject)}/messages/${type}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Share to TikTok — integration events',
      version: '1.0.0',
      description:
        'Events published to NATS JetStream by the auth, quota and publisher services. Subjects are ' +
        'tiktok.<aggregate>.<event>.v<version>; within a version changes are additive only. Events never carry tokens.',
    },
    defaultContentType: 'application/json',
    servers: { nats: { host: 'localhost:4222', protocol: 'nats', description: 'NATS JetStream (deployment specific)' } },
    channels,
    operations,
    components: { messages },
  };
}

// JSON Pointer escaping for `$ref`s to channel keys (subjects contain no `/` or `~`, but be exact).
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Every generated file, deterministic (stable key order from the catalogue).
 * @example for (const [path, text] of generateContracts()) writeFileSync(join(dir, path), text);
 */
export function generateContracts(): GeneratedFiles {
  const files: GeneratedFiles = new Map();
  for (const type of eventTypes) files.set(`events/${eventCatalogue[type].subject}.json`, eventSchemaFile(type));
  files.set('asyncapi.json', toJson(asyncApiDocument()));
  return files;
}
