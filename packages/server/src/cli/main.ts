#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ApiKeys } from '../auth/ApiKeys.js';
import { TokenService } from '../auth/TokenService.js';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { Platform } from '../platform/Platform.js';
import { PortBindError } from '../platform/PortBindError.js';
import { SqliteStore } from '../store/SqliteStore.js';
import { VERSION } from '../version.js';

interface CommonFlags {
  config?: string;
  dataDir?: string;
  profile?: 'development' | 'production' | 'test';
  set: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function withCommonFlags(command: Command): Command {
  return command
    .option('-c, --config <file>', 'YAML or JSON config file (also SWITCHBOARD_CONFIG)')
    .option('-d, --data-dir <dir>', 'data directory (dataDir)')
    .addOption(
      new Option('-p, --profile <profile>', 'profile').choices(['development', 'production', 'test']),
    )
    .option(
      '-s, --set <key=value>',
      'set any config key, e.g. --set ports.https=9443 (repeatable)',
      collect,
      [],
    );
}

function configFrom(flags: CommonFlags): Readonly<Config> {
  const overrides: ConfigInput = {};
  if (flags.dataDir) overrides.dataDir = flags.dataDir;
  if (flags.profile) overrides.profile = flags.profile;
  return loadConfig({
    ...(flags.config ? { file: flags.config } : {}),
    env: process.env,
    sets: flags.set,
    overrides,
  });
}

/** Prints a failure a user can act on, without a stack trace, and exits. */
function die(err: unknown): never {
  if (err instanceof ConfigError || err instanceof PortBindError) {
    process.stderr.write(`switchboard: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(`switchboard: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}

const program = new Command()
  .name('switchboard')
  .description('Switchboard live-communications platform: video gateway, ACD and connectivity tester.')
  .version(VERSION);

withCommonFlags(
  program
    .command('start')
    .description(
      'Run every role in one process (embedded defaults: SQLite, self-signed TLS, no external service).',
    ),
).action(async (flags: CommonFlags) => {
  let platform: Platform;
  try {
    platform = new Platform(configFrom(flags));
    await platform.start();
  } catch (err) {
    die(err);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`switchboard: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    platform.log.info({ signal }, 'shutting down');
    platform.stop().then(
      () => process.exit(0),
      (err) => die(err),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
});

withCommonFlags(
  program
    .command('token')
    .description('Mint a short-lived access token with explicit grants (prints the token).')
    .requiredOption('-i, --identity <id>', 'who the token speaks for')
    .option('--call <id>', 'grant: join call <id> ("*" for any; repeatable)', collect, [])
    .option('--queue <id>', 'grant: enqueue to queue <id> ("*" for any; repeatable)', collect, [])
    .option('--agent <id>', 'grant: log in as agent <id>')
    .option('--supervise', 'grant: supervise')
    .option('--tester', 'grant: run the connectivity tester')
    .option('--admin', 'grant: admin')
    .option('--name <name>', 'display name')
    .option('--ttl <seconds>', 'lifetime in seconds (capped by auth.maxTokenTtlSeconds)', (v) =>
      Number.parseInt(v, 10),
    )
    .option('--api-key <key>', 'API key to sign with (default: the first configured, or the development key)')
    .option('--json', 'print {token, expiresAt, ttlSeconds} as JSON'),
).action(
  async (
    flags: CommonFlags & {
      identity: string;
      call: string[];
      queue: string[];
      agent?: string;
      supervise?: boolean;
      tester?: boolean;
      admin?: boolean;
      name?: string;
      ttl?: number;
      apiKey?: string;
      json?: boolean;
    },
  ) => {
    try {
      const config = configFrom(flags);
      let keys = [...config.auth.apiKeys];
      if (keys.length === 0) {
        const store = SqliteStore.inDataDir(config.dataDir);
        const saved = store.getMeta('auth.devApiKey');
        store.close();
        if (!saved) {
          throw new ConfigError([
            {
              key: 'auth.apiKeys',
              message: `no API key configured and no development key in ${config.dataDir} yet (run "switchboard start" once, or configure auth.apiKeys)`,
              source: 'configuration',
            },
          ]);
        }
        const colon = saved.indexOf(':');
        keys = [{ key: saved.slice(0, colon), secret: saved.slice(colon + 1) }];
      }
      const apiKey = flags.apiKey ?? keys[0]!.key;
      const tokens = new TokenService(new ApiKeys(keys), config.auth);
      const grants = {
        ...(flags.call.length ? { calls: flags.call } : {}),
        ...(flags.queue.length ? { queues: flags.queue } : {}),
        ...(flags.agent ? { agent: flags.agent } : {}),
        ...(flags.supervise ? { supervise: true } : {}),
        ...(flags.tester ? { tester: true } : {}),
        ...(flags.admin ? { admin: true } : {}),
      };
      if (Object.keys(grants).length === 0) {
        process.stderr.write(
          'switchboard token: give at least one grant (--call, --queue, --agent, --supervise, --tester, --admin)\n',
        );
        process.exit(64);
      }
      const minted = await tokens.mint({
        apiKey,
        identity: flags.identity,
        grants,
        name: flags.name,
        ttlSeconds: flags.ttl,
      });
      process.stdout.write(flags.json ? `${JSON.stringify(minted)}\n` : `${minted.token}\n`);
    } catch (err) {
      die(err);
    }
  },
);

withCommonFlags(
  program.command('config').description('Validate the configuration and print it (secrets hidden).'),
).action((flags: CommonFlags) => {
  try {
    const config = configFrom(flags);
    const shown = {
      ...config,
      auth: { ...config.auth, apiKeys: config.auth.apiKeys.map((k) => ({ key: k.key, secret: '[hidden]' })) },
      turn: { ...config.turn, ...(config.turn.secret ? { secret: '[hidden]' } : {}) },
    };
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  } catch (err) {
    die(err);
  }
});

program.parseAsync(process.argv).catch(die);
