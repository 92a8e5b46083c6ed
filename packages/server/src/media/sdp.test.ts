import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { announceAddress, reviveBundleOnlyMlines, sdpCandidates } from './sdp.js';

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
