import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { sendWithoutLookup } from './weriftPatches.js';

describe('werift patch 10: media sockets send to IP literals without a lookup', () => {
  it('skips the lookup for a literal, still resolves a name, and delivers both', async () => {
    const lookups: string[] = [];
    const rx = createSocket('udp4');
    const tx = createSocket({
      type: 'udp4',
      lookup: (host, options, callback) => {
        lookups.push(host);
        lookup(host, options, callback);
      },
    });
    rx.bind(0, '127.0.0.1');
    tx.bind(0, '127.0.0.1');
    await Promise.all([once(rx, 'listening'), once(tx, 'listening')]);
    lookups.length = 0;
    sendWithoutLookup(tx);
    const port = rx.address().port;
    const got: string[] = [];
    const all = new Promise<void>((resolve) =>
      rx.on('message', (m) => {
        got.push(m.toString());
        if (got.length === 3) resolve();
      }),
    );

    tx.send('literal', port, '127.0.0.1');
    tx.send('literal again', port, '127.0.0.1');
    tx.send('name', port, 'localhost');
    await all;
    assert.deepEqual(got.sort(), ['literal', 'literal again', 'name']);
    assert.deepEqual(lookups, ['localhost'], 'only the name was looked up');
    rx.close();
    tx.close();
  });
});
