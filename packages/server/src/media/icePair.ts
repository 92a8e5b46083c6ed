import type { Socket } from 'node:dgram';
import { UdpTransport } from 'werift';
import { srtpKeysOf } from './weriftPatches.js';

/** The werift ICE connection fields the fast path sends through. */
export interface IceConnectionInternals {
  nominated?: {
    protocol: { transport?: unknown };
    remoteAddr: [string, number];
  };
  canSendApplicationData(): boolean;
  send(data: Buffer): Promise<void>;
}

/**
 * Sends an already protected packet on the connection's nominated pair: straight on its UDP
 * socket (no promise, no ICE bookkeeping), through werift for any other transport (TCP/TURN).
 * Returns false when there is no nominated pair, or consent expired (RFC 7675: no application
 * data on that 5-tuple), and nothing was sent.
 */
export function sendOnNominatedPair(connection: IceConnectionInternals, packet: Buffer): boolean {
  const pair = connection.nominated;
  if (!pair || !connection.canSendApplicationData()) return false;
  const transport = pair.protocol.transport;
  if (transport instanceof UdpTransport) {
    (transport as unknown as { socket: Socket }).socket.send(packet, pair.remoteAddr[1], pair.remoteAddr[0]);
  } else {
    connection.send(packet).catch(() => {});
  }
  return true;
}

/** The werift DTLS transport fields an SRTCP send needs. */
export interface SrtcpTransport {
  state: string;
  srtcp: { localContext: { getSrtcpSsrcState(ssrc: number): { srtcpIndex: number } } };
  iceTransport: { connection: IceConnectionInternals };
  bytesSent?: number;
  packetsSent?: number;
}

/**
 * Protects a plaintext (compound) RTCP packet with our SRTCP keys and sends it on the
 * transport's nominated pair. The index is werift's counter for the packet's SSRC, so the
 * RTCP werift still sends itself (PLI, NACK) never repeats one. False when nothing was sent
 * (not connected, no AES-CM keys, no pair).
 */
export function sendSrtcp(dtls: SrtcpTransport, plain: Buffer): boolean {
  const keys = srtpKeysOf(dtls);
  if (!keys || dtls.state !== 'connected') return false;
  const counter = dtls.srtcp.localContext.getSrtcpSsrcState(plain.readUInt32BE(4));
  counter.srtcpIndex = counter.srtcpIndex >= MAX_SRTCP_INDEX ? 0 : counter.srtcpIndex + 1;
  const packet = keys.localRtcp.protectRtcp(plain, counter.srtcpIndex);
  if (!sendOnNominatedPair(dtls.iceTransport.connection, packet)) return false;
  dtls.bytesSent = (dtls.bytesSent ?? 0) + packet.length;
  dtls.packetsSent = (dtls.packetsSent ?? 0) + 1;
  return true;
}

const MAX_SRTCP_INDEX = 0x7fffffff;
