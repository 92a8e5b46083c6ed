import { EventEmitter } from 'node:events';
import type { TransportAddress } from './address.js';
import { StunAttr, StunMethod } from './constants.js';
import { decodeChannelData } from './StreamFramer.js';
import { StunError } from './StunError.js';
import {
  attr,
  type DecodedStunMessage,
  decodeAddress,
  decodeErrorCode,
  decodeStunMessage,
  decodeXorAddress,
  encodeStunMessage,
  getAttribute,
  isStunMessage,
  newTransactionId,
  type StunAttribute,
  verifyFingerprint,
  verifyMessageIntegrity,
} from './StunMessage.js';
import { openStunTransport, type StunTransport, type StunTransportOptions } from './StunTransport.js';

/** Options for {@link StunClient.connect}. */
export interface StunClientOptions extends StunTransportOptions {
  /** First UDP retransmission timeout (RFC 8489 RTO; default 500 ms, doubled each time). */
  rtoMs?: number | undefined;
  /** Give up on a transaction after this long (default 5000 ms, UDP and streams). */
  transactionTimeoutMs?: number | undefined;
  /** SOFTWARE attribute to send; none by default. */
  software?: string | undefined;
}

/** A finished request/response exchange. */
export interface StunExchange {
  response: DecodedStunMessage;
  /** Milliseconds from the first transmission to the response. */
  rttMs: number;
  /** UDP retransmissions made (when > 0 the RTT includes a retransmission timeout: Karn). */
  retransmits: number;
}

/** Result of a Binding request. */
export interface BindingResult {
  /** Our address as the server saw it (XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from old servers). */
  mapped: TransportAddress;
  /** Our own socket address, to compare with `mapped` (equal: no NAT on this path). */
  local: TransportAddress;
  /** The server address the request went to. */
  server: TransportAddress;
  rttMs: number;
  retransmits: number;
  /** RFC 5780 OTHER-ADDRESS when the server offers NAT-behaviour discovery. */
  otherAddress: TransportAddress | undefined;
  software: string | undefined;
}

/** Events of a {@link StunClient}. */
export interface StunClientEvents {
  /** A STUN indication from the server (TURN Data indications arrive here). */
  indication: [message: DecodedStunMessage];
  /** A ChannelData frame (TURN channels). */
  channelData: [channel: number, data: Buffer];
  /** A transport failure after connect; pending transactions fail with it too. */
  error: [error: StunError];
  close: [];
}

interface Pending {
  resolve: (x: StunExchange) => void;
  reject: (e: StunError) => void;
  timers: NodeJS.Timeout[];
  sentAt: number;
  retransmits: number;
  integrityKey: Buffer | undefined;
}

/**
 * Attributes of a message, or a function of its transaction ID (XOR-encoded addresses
 * are masked with it).
 */
export type AttributeList = StunAttribute[] | ((transactionId: Buffer) => StunAttribute[]);

/** Request options for {@link StunClient.request}. */
export interface StunRequestOptions {
  /** Sign with MESSAGE-INTEGRITY using this key and require it on success responses. */
  integrityKey?: Buffer | undefined;
  /** UDP only: send to another server address through the same local socket. */
  to?: { address: string; port: number } | undefined;
}

/**
 * A STUN client over UDP, TCP or TLS: transactions with retransmission (UDP), response
 * matching by transaction ID, FINGERPRINT on every request, and Binding.
 * TURN builds on it ({@link TurnClient}).
 */
export class StunClient extends EventEmitter<StunClientEvents> {
  readonly transport: StunTransport;
  #options: StunClientOptions;
  #pending = new Map<string, Pending>();
  #closed = false;

  private constructor(transport: StunTransport, options: StunClientOptions) {
    super();
    this.transport = transport;
    this.#options = options;
    transport.on('frame', (frame) => this.#onFrame(frame));
    transport.on('error', (err) => {
      this.#failAll(err);
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    transport.on('close', () => {
      this.#closed = true;
      this.#failAll(new StunError('transport', 'connection closed'));
      this.emit('close');
    });
  }

  /** Opens the transport (TCP/TLS: connects and completes the handshake). */
  static async connect(options: StunClientOptions): Promise<StunClient> {
    return new StunClient(await openStunTransport(options), options);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** SOFTWARE attribute to add, if configured. */
  get softwareAttributes(): StunAttribute[] {
    return this.#options.software ? [attr.string(StunAttr.Software, this.#options.software)] : [];
  }

  /**
   * Sends a request and resolves with the response of either class (success or error);
   * rejects only on timeout, transport failure or failed integrity.
   */
  request(
    method: number,
    attributes: AttributeList,
    options: StunRequestOptions = {},
  ): Promise<StunExchange> {
    if (this.#closed) return Promise.reject(new StunError('state', 'client closed'));
    const transactionId = newTransactionId();
    const list = typeof attributes === 'function' ? attributes(transactionId) : attributes;
    const bytes = encodeStunMessage(
      { method, cls: 'request', transactionId, attributes: [...list, ...this.softwareAttributes] },
      { integrityKey: options.integrityKey, fingerprint: true },
    );
    const key = transactionId.toString('hex');
    return new Promise<StunExchange>((resolve, reject) => {
      const pending: Pending = {
        resolve,
        reject,
        timers: [],
        sentAt: performance.now(),
        retransmits: 0,
        integrityKey: options.integrityKey,
      };
      this.#pending.set(key, pending);
      const send = (): void => {
        try {
          this.transport.send(bytes, options.to);
        } catch (err) {
          this.#settle(key, undefined, err as StunError);
        }
      };
      send();
      const total = this.#options.transactionTimeoutMs ?? 5000;
      pending.timers.push(
        setTimeout(
          () => this.#settle(key, undefined, new StunError('timeout', `no response within ${total} ms`)),
          total,
        ),
      );
      if (!this.transport.reliable) {
        // RFC 8489 §6.2.1: retransmit at RTO, 3·RTO, 7·RTO … until the overall timeout.
        let at = 0;
        let rto = this.#options.rtoMs ?? 500;
        for (let i = 0; i < 16; i++) {
          at += rto;
          rto *= 2;
          if (at >= total) break;
          pending.timers.push(
            setTimeout(() => {
              pending.retransmits++;
              send();
            }, at),
          );
        }
      }
    });
  }

  /** Sends an indication (no response). */
  indicate(method: number, attributes: AttributeList): void {
    if (this.#closed) throw new StunError('state', 'client closed');
    const transactionId = newTransactionId();
    const list = typeof attributes === 'function' ? attributes(transactionId) : attributes;
    this.transport.send(
      encodeStunMessage(
        { method, cls: 'indication', transactionId, attributes: list },
        { fingerprint: true },
      ),
    );
  }

  /** Sends raw bytes (ChannelData). */
  sendRaw(frame: Buffer): void {
    if (this.#closed) throw new StunError('state', 'client closed');
    this.transport.send(frame);
  }

  /**
   * Binding request: our server-reflexive address and the RTT. With `to` (UDP only) the
   * request goes to another server through the same socket, for the NAT mapping check.
   */
  async binding(to?: { address: string; port: number }): Promise<BindingResult> {
    const { response, rttMs, retransmits } = await this.request(StunMethod.Binding, [], { to });
    if (response.cls === 'error') throw errorFrom(response, 'Binding');
    const xor = getAttribute(response, StunAttr.XorMappedAddress);
    const plain = getAttribute(response, StunAttr.MappedAddress);
    if (!xor && !plain) throw new StunError('decode', 'Binding response without a mapped address');
    const other = getAttribute(response, StunAttr.OtherAddress);
    const software = getAttribute(response, StunAttr.Software);
    return {
      mapped: xor ? decodeXorAddress(xor, response.transactionId) : decodeAddress(plain!),
      local: this.transport.local,
      server: to ? { family: to.address.includes(':') ? 'IPv6' : 'IPv4', ...to } : this.transport.server,
      rttMs,
      retransmits,
      otherAddress: other ? decodeAddress(other) : undefined,
      software: software?.toString('utf8'),
    };
  }

  /** Closes the transport; pending transactions fail. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(new StunError('state', 'client closed'));
    this.transport.close();
  }

  #onFrame(frame: Buffer): void {
    if (frame.length >= 4 && (frame[0]! & 0xc0) === 0x40) {
      try {
        const { channel, data } = decodeChannelData(frame);
        this.emit('channelData', channel, data);
      } catch {
        // A malformed frame from the network is dropped, not fatal.
      }
      return;
    }
    if (!isStunMessage(frame)) return;
    let msg: DecodedStunMessage;
    try {
      msg = decodeStunMessage(frame);
    } catch {
      return;
    }
    if (getAttribute(msg, StunAttr.Fingerprint) && !verifyFingerprint(frame)) return;
    if (msg.cls === 'indication') {
      this.emit('indication', msg);
      return;
    }
    if (msg.cls === 'request') return;
    const key = msg.transactionId.toString('hex');
    const pending = this.#pending.get(key);
    if (!pending) return;
    if (
      msg.cls === 'success' &&
      pending.integrityKey &&
      !verifyMessageIntegrity(frame, pending.integrityKey)
    ) {
      this.#settle(key, undefined, new StunError('integrity', 'response MESSAGE-INTEGRITY does not verify'));
      return;
    }
    this.#settle(key, {
      response: msg,
      rttMs: performance.now() - pending.sentAt,
      retransmits: pending.retransmits,
    });
  }

  #settle(key: string, result: StunExchange | undefined, error?: StunError): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    this.#pending.delete(key);
    for (const t of pending.timers) clearTimeout(t);
    if (result) pending.resolve(result);
    else pending.reject(error ?? new StunError('state', 'transaction abandoned'));
  }

  #failAll(error: StunError): void {
    for (const key of [...this.#pending.keys()]) this.#settle(key, undefined, error);
  }
}

/** Turns an error-class response into a {@link StunError}. */
export function errorFrom(response: DecodedStunMessage, method: string): StunError {
  const value = getAttribute(response, StunAttr.ErrorCode);
  const { status, reason } = value ? decodeErrorCode(value) : { status: 0, reason: 'no ERROR-CODE' };
  return StunError.response(status, reason, method);
}
