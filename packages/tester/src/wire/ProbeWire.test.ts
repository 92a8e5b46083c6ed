import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DOWN_REQUEST_BYTES,
  decodeDownRequest,
  decodeHeader,
  decodeReplyTime,
  decodeReport,
  ECHO_REPLY_BYTES,
  encodeDownRequest,
  encodeHeader,
  encodeReply,
  encodeReport,
  hasToken,
  MessageType,
  pacingFor,
  REPORT_BYTES,
  tokenFromHex,
  tokenToHex,
} from './ProbeWire.js';

const token = tokenFromHex('0123456789abcdef');

describe('probe wire format', () => {
  it('round-trips a header with its token, stream, sequence and time', () => {
    const buf = encodeHeader(
      { type: MessageType.UpData, token, streamId: 7, seq: 4242, sendTimeMs: 1234.5678 },
      100,
    );
    assert.equal(buf.byteLength, 100);
    const h = decodeHeader(buf)!;
    assert.equal(h.type, MessageType.UpData);
    assert.equal(tokenToHex(h.token), '0123456789abcdef');
    assert.equal(h.streamId, 7);
    assert.equal(h.seq, 4242);
    assert.equal(h.sendTimeMs, 1234.5678);
    assert.ok(hasToken(buf, token));
    assert.ok(!hasToken(buf, tokenFromHex('0123456789abcdee')));
  });

  it('rejects datagrams that are not probe packets', () => {
    assert.equal(decodeHeader(new Uint8Array(10)), undefined);
    assert.equal(decodeHeader(new Uint8Array(64)), undefined);
    const bad = encodeHeader(
      { type: MessageType.EchoRequest, token, streamId: 0, seq: 0, sendTimeMs: 0 },
      40,
    );
    bad[3] = 99;
    assert.equal(decodeHeader(bad), undefined);
  });

  it('carries the receive time in replies, a report, and a downlink request', () => {
    const req = decodeHeader(
      encodeHeader({ type: MessageType.EchoRequest, token, streamId: 1, seq: 2, sendTimeMs: 3 }, 40),
    )!;
    const reply = encodeReply(req, MessageType.EchoReply, 99.25);
    assert.equal(reply.byteLength, ECHO_REPLY_BYTES);
    assert.equal(decodeReplyTime(reply), 99.25);
    const report = encodeReport(req, {
      received: 10,
      duplicates: 1,
      reordered: 2,
      bytes: 1000,
      jitterMs: 1.5,
      deliveredKbps: 40.25,
      delayTrendMs: -0.5,
    });
    assert.equal(report.byteLength, REPORT_BYTES);
    assert.deepEqual(decodeReport(report), {
      received: 10,
      duplicates: 1,
      reordered: 2,
      bytes: 1000,
      jitterMs: 1.5,
      deliveredKbps: 40.25,
      delayTrendMs: -0.5,
    });
    const down = encodeDownRequest(req, { intervalMs: 20, packetBytes: 200, packetsPerTick: 2, ticks: 150 });
    assert.equal(down.byteLength, DOWN_REQUEST_BYTES);
    assert.deepEqual(decodeDownRequest(down), {
      intervalMs: 20,
      packetBytes: 200,
      packetsPerTick: 2,
      ticks: 150,
    });
  });

  it('paces 40 kbps as 100-byte packets every 20 ms and splits high rates into datagrams ≤ 1200 bytes', () => {
    assert.deepEqual(pacingFor(40, 20), { packetBytes: 100, packetsPerTick: 1 });
    assert.deepEqual(pacingFor(80, 20), { packetBytes: 200, packetsPerTick: 1 });
    const high = pacingFor(2560, 20);
    assert.ok(high.packetBytes <= 1200);
    assert.ok(Math.abs((high.packetBytes * high.packetsPerTick * 8) / 20 - 2560) < 2560 * 0.01);
  });
});
