import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  announceAddress,
  rejectedMids,
  reviveBundleOnlyMlines,
  sdpCandidates,
  unrejectInactiveMlines,
} from './sdp.js';

// Shape of a Firefox max-bundle offer: the first m-line carries the transport, the
// others are port 0 + a=bundle-only.
const FIREFOX_LIKE = [
  'v=0',
  'o=mozilla...THIS_IS_SDPARTA-99.0 1 0 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 109',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=sendonly',
  'a=rtpmap:109 opus/48000/2',
  'm=video 0 UDP/TLS/RTP/SAVPF 120',
  'c=IN IP4 0.0.0.0',
  'a=bundle-only',
  'a=mid:1',
  'a=sendonly',
  'a=rtpmap:120 VP8/90000',
  'm=video 0 UDP/TLS/RTP/SAVPF 120',
  'c=IN IP4 0.0.0.0',
  'a=mid:2',
  'a=inactive',
  'a=rtpmap:120 VP8/90000',
  '',
].join('\r\n');

describe('reviveBundleOnlyMlines', () => {
  it('turns a port-0 bundle-only m-line in the BUNDLE group into a live m-line', () => {
    const out = reviveBundleOnlyMlines(FIREFOX_LIKE);
    const mLines = out.split('\r\n').filter((l) => l.startsWith('m='));
    assert.equal(mLines[1], 'm=video 9 UDP/TLS/RTP/SAVPF 120');
    assert.equal(out.includes('a=bundle-only'), false);
  });

  it('leaves a port-0 m-line without bundle-only rejected', () => {
    const out = reviveBundleOnlyMlines(FIREFOX_LIKE);
    const mLines = out.split('\r\n').filter((l) => l.startsWith('m='));
    assert.equal(mLines[2], 'm=video 0 UDP/TLS/RTP/SAVPF 120');
  });

  it('leaves a bundle-only m-line whose mid is not in a BUNDLE group rejected', () => {
    const sdp = FIREFOX_LIKE.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0');
    const out = reviveBundleOnlyMlines(sdp);
    assert.ok(
      out.includes('m=video 0 UDP/TLS/RTP/SAVPF 120\r\nc=IN IP4 0.0.0.0\r\na=bundle-only\r\na=mid:1'),
    );
  });

  it('does not change an SDP without bundle-only', () => {
    const sdp = FIREFOX_LIKE.replace('a=bundle-only\r\n', '').replace(
      'm=video 0 UDP/TLS/RTP/SAVPF 120\r\nc=IN IP4 0.0.0.0\r\na=mid:1',
      'm=video 9 UDP/TLS/RTP/SAVPF 120\r\nc=IN IP4 0.0.0.0\r\na=mid:1',
    );
    assert.equal(reviveBundleOnlyMlines(sdp), sdp);
  });

  it('accepts LF-only line endings', () => {
    const out = reviveBundleOnlyMlines(FIREFOX_LIKE.replaceAll('\r\n', '\n'));
    assert.ok(out.includes('m=video 9 UDP/TLS/RTP/SAVPF 120'));
  });
});

// What werift 0.24 answers to a receive-only client's first offer (nothing to send yet):
// every m-line inactive, and port 0 on each.
const WERIFT_INACTIVE_ANSWER = [
  'v=0',
  'o=- 1 0 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2',
  'm=audio 0 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 127.0.0.1',
  'a=mid:0',
  'a=inactive',
  'a=candidate:1 1 udp 2130706431 127.0.0.1 31001 typ host',
  'm=video 0 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 127.0.0.1',
  'a=mid:1',
  'a=inactive',
  'm=video 0 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 127.0.0.1',
  'a=mid:2',
  'a=inactive',
  '',
].join('\r\n');

describe('unrejectInactiveMlines', () => {
  it('gives live inactive m-lines a port (9 when no m-line has one), so they are not read as rejected', () => {
    const out = unrejectInactiveMlines(WERIFT_INACTIVE_ANSWER, () => true);
    assert.deepEqual(
      out.split('\r\n').filter((l) => l.startsWith('m=')),
      ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'm=video 9 UDP/TLS/RTP/SAVPF 96'],
    );
    assert.equal(rejectedMids(out).size, 0);
  });

  it('uses the port of the first m-line that has one', () => {
    const withPort = WERIFT_INACTIVE_ANSWER.replace('m=audio 0 ', 'm=audio 31001 ').replace(
      'a=mid:0\r\na=inactive',
      'a=mid:0\r\na=sendonly',
    );
    const out = unrejectInactiveMlines(withPort, () => true);
    assert.ok(out.includes('m=video 31001 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 127.0.0.1\r\na=mid:1'));
  });

  it('keeps port 0 where the mid is not live (a stopped or client-rejected transceiver)', () => {
    const out = unrejectInactiveMlines(WERIFT_INACTIVE_ANSWER, (mid) => mid !== '2');
    assert.deepEqual([...rejectedMids(out)], ['2']);
  });

  it('leaves port-0 m-lines that are not inactive alone', () => {
    const sdp = WERIFT_INACTIVE_ANSWER.replace('a=mid:1\r\na=inactive', 'a=mid:1\r\na=recvonly');
    assert.ok(rejectedMids(unrejectInactiveMlines(sdp, () => true)).has('1'));
  });
});

describe('rejectedMids', () => {
  it('is port 0 without a=bundle-only', () => {
    assert.deepEqual([...rejectedMids(FIREFOX_LIKE)], ['2']);
  });
});

describe('announceAddress / sdpCandidates', () => {
  const sdp = [
    'v=0',
    'm=audio 19200 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 10.0.0.5',
    'a=candidate:1 1 udp 2130706431 10.0.0.5 19200 typ host',
    'a=candidate:2 1 udp 2130706431 10.0.0.6 19200 typ host',
    '',
  ].join('\r\n');

  it('rewrites the listen address to the announced one in candidates and c= lines', () => {
    const out = announceAddress(sdp, '10.0.0.5', '203.0.113.7');
    const c = sdpCandidates(out);
    assert.deepEqual(
      c.map((x) => [x.address, x.port, x.type]),
      [
        ['203.0.113.7', 19200, 'host'],
        ['10.0.0.6', 19200, 'host'],
      ],
    );
    assert.ok(out.includes('c=IN IP4 203.0.113.7'));
  });

  it('is the identity when nothing is announced differently', () => {
    assert.equal(announceAddress(sdp, '10.0.0.5', '10.0.0.5'), sdp);
  });
});
