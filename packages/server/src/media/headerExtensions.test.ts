import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adoptClientExtensionIds, extmapOf } from './headerExtensions.js';

const MID = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const ABS = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const TWCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

describe('header extension ids', () => {
  it('reads a=extmap lines, with or without a direction', () => {
    const map = extmapOf(`v=0\r\na=extmap:4 ${MID}\r\na=extmap:1/sendonly ${LEVEL}\r\n`);
    assert.equal(map.get(MID), 4);
    assert.equal(map.get(LEVEL), 1);
  });

  it('takes the client’s ids (Firefox numbering) and keeps one id per extension across kinds', () => {
    const ours = {
      audio: [
        { id: 1, uri: MID },
        { id: 2, uri: LEVEL },
        { id: 3, uri: ABS },
        { id: 4, uri: TWCC },
      ],
      video: [
        { id: 5, uri: MID },
        { id: 6, uri: ABS },
        { id: 7, uri: TWCC },
      ],
    };
    adoptClientExtensionIds(
      ours,
      new Map([
        [MID, 3],
        [LEVEL, 1],
        [ABS, 4],
        [TWCC, 7],
      ]),
    );
    assert.deepEqual(
      ours.audio.map((e) => e.id),
      [3, 1, 4, 7],
    );
    assert.deepEqual(
      ours.video.map((e) => e.id),
      [3, 4, 7],
    );
  });

  it('gives extensions the client lacks the lowest free ids, never one the client uses', () => {
    const ours = {
      audio: [
        { id: 1, uri: MID },
        { id: 2, uri: TWCC },
      ],
      video: [{ id: 3, uri: TWCC }],
    };
    adoptClientExtensionIds(
      ours,
      new Map([
        [MID, 1],
        ['urn:x', 2],
      ]),
    );
    assert.equal(ours.audio[0]!.id, 1);
    assert.equal(ours.audio[1]!.id, 3);
    assert.equal(ours.video[0]!.id, 3, 'same extension, same id on every m-line');
  });
});
