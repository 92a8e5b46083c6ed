// Per-packet CPU of the forwarding code alone (no sockets, no event loop), for werift's
// object path and the fast path, on one core: decrypt + rewrite + re-encrypt of one
// 1:1-forwarded packet. Complements run.mjs, whose /proc figures include the kernel's UDP
// work and every timer, and swing with the machine's other load.
import { RtpHeader, RtpPacket, SrtpSession } from 'werift';
import { rtpHeaderLength } from '../../packages/server/dist/media/rtpBytes.js';
import { SRTP_TAG_LENGTH, SrtpContext } from '../../packages/server/dist/media/SrtpContext.js';

const k = (b) => Buffer.alloc(16, b);
const s = (b) => Buffer.alloc(14, b);
const session = (a, b) =>
  new SrtpSession({
    keys: { localMasterKey: k(a), localMasterSalt: s(a), remoteMasterKey: k(b), remoteMasterSalt: s(b) },
    profile: 1,
  });
const N = Number(process.argv[2] ?? 20000);

function packets(size) {
  // A fresh publisher per list: werift's SRTP keeps a ROC per SSRC.
  const publisher = session(1, 2);
  const out = [];
  for (let i = 0; i < N; i++) {
    const header = new RtpHeader({
      sequenceNumber: i & 0xffff,
      timestamp: i * 960,
      ssrc: 1111,
      payloadType: 111,
      extension: true,
      extensions: [
        { id: 1, payload: Buffer.from([0x01, 0x02]) },
        { id: 3, payload: Buffer.from([0x7f]) },
      ],
    });
    out.push(publisher.encrypt(Buffer.alloc(size, 7), header));
  }
  return out;
}

function werift(list) {
  const inbound = session(2, 1);
  const outbound = session(3, 4);
  for (const buf of list) {
    const rtp = RtpPacket.deSerialize(inbound.decrypt(buf));
    const out = rtp.clone();
    out.header.ssrc = 2222;
    out.header.sequenceNumber = (rtp.header.sequenceNumber + 100) & 0xffff;
    out.header.extensions = [{ id: 2, payload: rtp.header.extensions[0].payload }];
    outbound.encrypt(out.payload, out.header);
  }
}

function fast(list) {
  const inbound = SrtpContext.fromMaster(k(1), s(1));
  const outbound = SrtpContext.fromMaster(k(3), s(3));
  for (const buf of list) {
    const hl = rtpHeaderLength(buf, buf.length - SRTP_TAG_LENGTH);
    const plain = inbound.unprotect(buf, hl, 0);
    const out = Buffer.allocUnsafe(plain.length);
    plain.copy(out);
    out.writeUInt32BE(2222, 8);
    out.writeUInt16BE((plain.readUInt16BE(2) + 100) & 0xffff, 2);
    out[16] = 0x21;
    outbound.protect(out, hl, 0);
  }
}

for (const size of [120, 1100]) {
  const list = packets(size);
  for (const [name, fn] of [
    ['werift', werift],
    ['fast', fast],
  ]) {
    fn(list.slice(0, 2000)); // warm up
    const t0 = process.cpuUsage();
    fn(list);
    const t1 = process.cpuUsage(t0);
    console.log(`${size} B ${name}: ${((t1.user + t1.system) / N).toFixed(1)} µs CPU per forwarded packet`);
  }
}
