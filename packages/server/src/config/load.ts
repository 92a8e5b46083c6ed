import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type Config, type ConfigInput, ConfigSchema, type ParsedConfig } from './schema.js';

/** One problem found in the configuration, naming the key and where its value came from. */
export interface ConfigProblem {
  key: string;
  message: string;
  source: string;
}

/** Start-up stops with this when the configuration is invalid. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.key}: ${p.message} (from ${p.source})`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface ConfigSources {
  /** Path of a YAML or JSON file. */
  file?: string;
  /** Usually `process.env`; only `SWITCHBOARD_*` variables are read. */
  env?: NodeJS.ProcessEnv;
  /** `key.path=value` assignments from the command line (`--set`). */
  sets?: string[];
  /** Already-structured overrides (from named CLI flags or tests); applied last. */
  overrides?: ConfigInput;
  /** Whether the process may bind ports below 1024; defaults to "running as root". */
  privilegedAllowed?: boolean;
}

type Tree = Record<string, unknown>;

const ENV_PREFIX = 'SWITCHBOARD_';

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** A scalar from an env var or `--set`: JSON when it parses as JSON, else the raw string. */
function scalar(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function setPath(tree: Tree, keys: string[], value: unknown): void {
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1]!] = value;
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: Tree, over: Tree, source: string, sources: Map<string, string>, prefix = ''): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (isTree(value) && isTree(out[key])) {
      out[key] = merge(out[key] as Tree, value, source, sources, at);
    } else {
      out[key] = value;
      sources.set(at, source);
    }
    if (isTree(value)) recordSources(value, at, source, sources);
  }
  return out;
}

function recordSources(tree: Tree, prefix: string, source: string, sources: Map<string, string>): void {
  for (const [key, value] of Object.entries(tree)) {
    const at = `${prefix}.${key}`;
    sources.set(at, source);
    if (isTree(value)) recordSources(value, at, source, sources);
  }
}

function readFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      { key: '(file)', message: `cannot read: ${(err as Error).message}`, source: file },
    ]);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError([
      { key: '(file)', message: `not valid YAML/JSON: ${(err as Error).message}`, source: file },
    ]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) {
    throw new ConfigError([{ key: '(file)', message: 'must hold a mapping of keys', source: file }]);
  }
  return parsed;
}

function fromEnv(env: NodeJS.ProcessEnv): { tree: Tree; names: Map<string, string> } {
  const tree: Tree = {};
  const names = new Map<string, string>();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === `${ENV_PREFIX}CONFIG` || raw === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').map(camel);
    setPath(tree, keys, scalar(raw));
    names.set(keys.join('.'), `environment variable ${name}`);
  }
  return { tree, names };
}

function fromSets(sets: string[]): Tree {
  const tree: Tree = {};
  for (const assignment of sets) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError([
        { key: assignment, message: 'expected key.path=value', source: `--set ${assignment}` },
      ]);
    }
    setPath(tree, assignment.slice(0, eq).split('.'), scalar(assignment.slice(eq + 1)));
  }
  return tree;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

function sourceOf(key: string, sources: Map<string, string>): string {
  for (let at = key; at; at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '') {
    const source = sources.get(at);
    if (source) return source;
  }
  return 'defaults';
}

/**
 * Builds the configuration from defaults < file < environment < `--set` < overrides,
 * validates it once, resolves the privileged-port profile and freezes the result.
 * Throws {@link ConfigError} naming every bad key.
 */
export function loadConfig(sources: ConfigSources = {}): Readonly<Config> {
  const origin = new Map<string, string>();
  let tree: Tree = {};
  const file = sources.file ?? sources.env?.[`${ENV_PREFIX}CONFIG`];
  if (file) tree = merge(tree, readFile(file), `config file ${file}`, origin);
  if (sources.env) {
    const env = fromEnv(sources.env);
    tree = merge(tree, env.tree, 'the environment', origin);
    for (const [key, name] of env.names) origin.set(key, name);
  }
  if (sources.sets?.length) tree = merge(tree, fromSets(sources.sets), '--set', origin);
  if (sources.overrides) tree = merge(tree, sources.overrides as Tree, 'command-line flags', origin);

  const result = ConfigSchema.safeParse(tree);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = issue.path.map(String).join('.') || '(root)';
        const withUnknown =
          issue.code === 'unrecognized_keys'
            ? issue.keys.map((k) => (key === '(root)' ? k : `${key}.${k}`))
            : [];
        return {
          key: withUnknown.length ? withUnknown.join(', ') : key,
          message: describeIssue(issue),
          source: sourceOf(withUnknown[0] ?? key, origin),
        };
      }),
    );
  }
  const parsed = result.data;
  const resolved = resolvePorts(parsed, sources.privilegedAllowed ?? process.getuid?.() === 0);
  resolved.dataDir = path.resolve(resolved.dataDir);
  return deepFreeze(resolved);
}

function resolvePorts(parsed: ParsedConfig, privilegedAllowed: boolean): Config {
  const { privileged } = parsed.ports;
  const shift = privileged === 'shifted' || (privileged === 'auto' && !privilegedAllowed);
  const http = parsed.ports.http ?? (shift ? 8080 : 80);
  const https = parsed.ports.https ?? (shift ? 8443 : 443);
  const shifted = shift && (parsed.ports.http === undefined || parsed.ports.https === undefined);
  return { ...parsed, ports: { ...parsed.ports, http, https, shifted } };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
