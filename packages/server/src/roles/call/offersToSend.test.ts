import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offersToSend } from './offersToSend.js';

const session = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const section = (kind: string, port: number, dir?: string) =>
  `m=${kind} ${port} UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:${kind}\r\n${dir ? `a=${dir}\r\n` : ''}`;

describe('offersToSend (a monitor may only offer to receive)', () => {
  it('a receive-only or inactive offer sends nothing', () => {
    assert.equal(
      offersToSend(session + section('audio', 9, 'recvonly') + section('video', 9, 'recvonly')),
      false,
    );
    assert.equal(offersToSend(session + section('audio', 9, 'inactive')), false);
  });
  it('a sendonly or sendrecv m-line sends', () => {
    assert.equal(
      offersToSend(session + section('audio', 9, 'recvonly') + section('video', 9, 'sendonly')),
      true,
    );
    assert.equal(offersToSend(session + section('audio', 9, 'sendrecv')), true);
  });
  it('an m-line without a direction is sendrecv (RFC 3264), so it sends', () => {
    assert.equal(offersToSend(session + section('audio', 9)), true);
  });
  it('a rejected m-line (port 0) sends nothing, whatever its direction', () => {
    assert.equal(offersToSend(session + section('video', 0, 'sendonly')), false);
  });
});
