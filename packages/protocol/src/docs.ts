import { z } from 'zod';
import { EVENTS, REQUESTS } from './messages/index.js';

function schemaLine(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
  };
  const props = json.properties ? Object.keys(json.properties) : [];
  return props.length ? props.map((p) => `\`${p}\``).join(', ') : '—';
}

/** Renders the message catalogue as `docs/protocol-messages.md`. */
export function renderProtocolDocs(): string {
  const requests = Object.entries(REQUESTS).map(([type, def]) => {
    const grant = 'grant' in def && def.grant ? def.grant : '—';
    return `| \`${type}\` | ${def.stage} | ${schemaLine(def.params)} | ${schemaLine(def.result)} | ${grant} | ${def.doc} |`;
  });
  const events = Object.entries(EVENTS).map(([event, schema]) => `| \`${event}\` | ${schemaLine(schema)} |`);
  return [
    '# Protocol messages',
    '',
    '<!-- Generated from packages/protocol/src/messages.ts by `npm run docs`; a test fails when they differ. -->',
    '',
    'See [protocol.md](protocol.md) for the envelope, transports, sequencing and resume.',
    '',
    '## Requests (client → server)',
    '',
    '| type | stage | data | result | grant | meaning |',
    '|---|---|---|---|---|---|',
    ...requests,
    '',
    '## Events (server → client)',
    '',
    '| event | data |',
    '|---|---|',
    ...events,
    '',
  ].join('\n');
}
