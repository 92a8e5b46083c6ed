import type { Socket } from 'node:dgram';
import { UdpTransport } from 'werift';

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
