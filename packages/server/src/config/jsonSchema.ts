import { z } from 'zod';
import { ConfigSchema } from './schema.js';

/** The JSON Schema of the config file (for editors), generated from the one config schema. */
export function configJsonSchema(): object {
  return {
    ...z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://switchboard.dev/schemas/config.schema.json',
    title: 'Switchboard configuration',
  };
}

interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  default?: unknown;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  minimum?: number;
  maximum?: number;
}

function typeOf(node: SchemaNode): string {
  if (node.anyOf) return node.anyOf.map(typeOf).join(' \\| ');
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const type = Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
  if (type === 'array' && node.items) return `array of ${typeOf(node.items)}`;
  if (node.minimum !== undefined || node.maximum !== undefined) {
    const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : '…';
    return `${type} (${node.minimum ?? '…'}–${max})`;
  }
  return type;
}

function rows(node: SchemaNode, prefix: string, out: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (child.properties) {
      rows(child, at, out);
      continue;
    }
    const env = `SWITCHBOARD_${at
      .split('.')
      .map((k) => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
      .join('__')}`;
    const def = child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``;
    out.push(
      `| \`${at}\` | ${typeOf(child)} | ${def} | \`${env}\` | ${(child.description ?? '').replace(/\|/g, '\\|')} |`,
    );
  }
}

/** The configuration reference page (`docs/configuration.md`), generated from the schema. */
export function renderConfigReference(): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from packages/server/src/config/schema.ts by `npm run docs`; a test fails when they differ. -->',
    '',
    'Sources, later ones winning: built-in defaults < the file given by `--config` (or `SWITCHBOARD_CONFIG`),',
    'YAML or JSON < environment variables < `--set key.path=value` flags < named flags (`--data-dir`, `--profile`).',
    'Values from the environment and `--set` are read as JSON when they parse as JSON (numbers, booleans,',
    'arrays), else as strings. The whole configuration is validated once at start-up; an invalid value stops',
    'start-up with a message naming the key, the expected form and where the value came from.',
    'Editors can validate a config file with [`config.schema.json`](../config.schema.json); a commented',
    'example is [`config.sample.yaml`](../config.sample.yaml).',
    '',
    '| key | type | default | environment | meaning |',
    '|---|---|---|---|---|',
  ];
  rows(configJsonSchema() as SchemaNode, '', out);
  out.push('');
  return out.join('\n');
}
