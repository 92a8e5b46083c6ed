import { EventEmitter } from 'node:events';
import { formatAddress, type TransportAddress } from './address.js';
import { CHANNEL_MAX, CHANNEL_MIN, StunAttr, StunMethod, TRANSPORT_UDP } from './constants.js';
import { encodeChannelData } from './StreamFramer.js';
import { type AttributeList, errorFrom, StunClient, type StunClientOptions } from './StunClient.js';
import { StunError } from './StunError.js';
import {
  attr,
  type DecodedStunMessage,
  decodeXorAddress,
  getAttribute,
  longTermKey,
  type StunAttribute,
} from './StunMessage.js';

/** Options for {@link TurnClient.connect}: where, how, and the (REST-style) credentials. */
export interface TurnClientOptions extends StunClientOptions {
  username: string;
  password: string;
  /** Refresh the allocation before it expires (default true). */
  autoRefresh?: boolean | undefined;
}

/** A granted allocation. */
export interface TurnAllocation {
  /** The relayed transport address peers send to. */
  relayed: TransportAddress;
  /** Our address as the TURN server saw it. */
  mapped: TransportAddress | undefined;
  /** Seconds the server granted. */
  lifetime: number;
  realm: string;
  /** Time from the first (unauthenticated) Allocate to the success response, ms. */
  allocateMs: number;
  /** RTT of the authenticated Allocate transaction alone, ms. */
  rttMs: number;
}

/** Where a `data` event came from: a Data indication or a bound channel. */
export type TurnDataPath = 'indication' | 'channel';

/** Events of a {@link TurnClient}. */
export interface TurnClientEvents {
  /** Data relayed from a peer. */
  data: [peer: TransportAddress, data: Buffer, path: TurnDataPath];
  /** A background failure (automatic refresh, transport). */
  error: [error: StunError];
  close: [];
}

/** A peer given as an address (IPv4/IPv6 text) and port. */
export interface PeerAddress {
  address: string;
  port: number;
}

/** An attribute, or one that needs the message's transaction ID (XOR addresses). */
type AttributeMaker = StunAttribute | ((transactionId: Buffer) => StunAttribute);

function build(makers: AttributeMaker[]): AttributeList {
  return (transactionId) => makers.map((m) => (typeof m === 'function' ? m(transactionId) : m));
}

function family(address: string): 'IPv4' | 'IPv6' {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}

/**
 * A TURN client (RFC 8656 / RFC 5766) with long-term credentials: Allocate with the
 * 401 realm/nonce exchange (and 438 stale-nonce retry), Refresh, CreatePermission,
 * ChannelBind, Send indications and ChannelData, over UDP, TCP or TLS.
 */
export class TurnClient extends EventEmitter<TurnClientEvents> {
  readonly stun: StunClient;
  #options: TurnClientOptions;
  #realm: string | undefined;
  #nonce: string | undefined;
  #key: Buffer | undefined;
  #allocation: TurnAllocation | undefined;
  #channels = new Map<string, number>();
  #byChannel = new Map<number, TransportAddress>();
  #nextChannel = CHANNEL_MIN;
  #refreshTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(stun: StunClient, options: TurnClientOptions) {
    super();
    this.stun = stun;
    this.#options = options;
    stun.on('indication', (msg) => this.#onIndication(msg));
    stun.on('channelData', (channel, data) => {
      const peer = this.#byChannel.get(channel);
      if (peer) this.emit('data', peer, data, 'channel');
    });
    stun.on('error', (err) => this.#emitError(err));
    stun.on('close', () => {
      this.#stopTimer();
      this.#closed = true;
      this.emit('close');
    });
  }

  /** Connects the transport; no TURN request is made yet. */
  static async connect(options: TurnClientOptions): Promise<TurnClient> {
    return new TurnClient(await StunClient.connect(options), options);
  }

  /** The current allocation, if any. */
  get allocation(): TurnAllocation | undefined {
    return this.#allocation;
  }

  /**
   * Allocates a UDP relay. The first request goes without credentials; the server's 401
   * supplies REALM and NONCE, and the request is repeated signed. 401 on the signed
   * request means the credentials are refused (wrong or expired).
   */
  async allocate(options: { lifetime?: number; family?: 'IPv4' | 'IPv6' } = {}): Promise<TurnAllocation> {
    if (this.#allocation) throw new StunError('state', 'already allocated');
    const started = performance.now();
    const attributes: AttributeMaker[] = [attr.firstByte(StunAttr.RequestedTransport, TRANSPORT_UDP)];
    if (options.lifetime !== undefined) attributes.push(attr.u32(StunAttr.Lifetime, options.lifetime));
    if (options.family === 'IPv6') attributes.push(attr.firstByte(StunAttr.RequestedAddressFamily, 0x02));
    const { response, rttMs } = await this.#authenticated(StunMethod.Allocate, attributes, 'Allocate');
    const relayed = getAttribute(response, StunAttr.XorRelayedAddress);
    if (!relayed) throw new StunError('decode', 'Allocate success without XOR-RELAYED-ADDRESS');
    const mapped = getAttribute(response, StunAttr.XorMappedAddress);
    const lifetime = getAttribute(response, StunAttr.Lifetime)?.readUInt32BE(0) ?? 600;
    this.#allocation = {
      relayed: decodeXorAddress(relayed, response.transactionId),
      mapped: mapped ? decodeXorAddress(mapped, response.transactionId) : undefined,
      lifetime,
      realm: this.#realm ?? '',
      allocateMs: performance.now() - started,
      rttMs,
    };
    this.#scheduleRefresh(lifetime);
    return this.#allocation;
  }

  /** Refreshes the allocation; `lifetime` 0 deletes it. Returns the granted lifetime. */
  async refresh(lifetime?: number): Promise<number> {
    this.#requireAllocation();
    const attributes: AttributeMaker[] =
      lifetime === undefined ? [] : [attr.u32(StunAttr.Lifetime, lifetime)];
    const { response } = await this.#authenticated(StunMethod.Refresh, attributes, 'Refresh');
    const granted = getAttribute(response, StunAttr.Lifetime)?.readUInt32BE(0) ?? lifetime ?? 600;
    if (granted === 0) {
      this.#allocation = undefined;
      this.#stopTimer();
    } else {
      this.#allocation = { ...this.#allocation!, lifetime: granted };
      this.#scheduleRefresh(granted);
    }
    return granted;
  }

  /** Installs permissions for peer IPs (ports are ignored by TURN). 403: the server forbids that peer. */
  async createPermission(peers: Array<string | PeerAddress>): Promise<void> {
    this.#requireAllocation();
    const attributes: AttributeMaker[] = peers.map((p) => {
      const address = typeof p === 'string' ? p : p.address;
      return this.#peerAttribute({ address, port: typeof p === 'string' ? 0 : p.port });
    });
    await this.#authenticated(StunMethod.CreatePermission, attributes, 'CreatePermission');
  }

  /** Binds a channel to a peer (also installs the permission). Returns the channel number. */
  async channelBind(peer: PeerAddress): Promise<number> {
    this.#requireAllocation();
    const key = formatAddress(peer);
    const existing = this.#channels.get(key);
    const channel = existing ?? this.#nextChannel++;
    if (channel > CHANNEL_MAX) throw new StunError('state', 'no channel numbers left');
    await this.#authenticated(
      StunMethod.ChannelBind,
      [attr.channelNumber(channel), this.#peerAttribute(peer)],
      'ChannelBind',
    );
    this.#channels.set(key, channel);
    this.#byChannel.set(channel, { family: family(peer.address), ...peer });
    return channel;
  }

  /** Sends data to a peer through the relay: ChannelData when a channel is bound, else a Send indication. */
  send(peer: PeerAddress, data: Buffer): void {
    this.#requireAllocation();
    const channel = this.#channels.get(formatAddress(peer));
    if (channel !== undefined) {
      this.stun.sendRaw(encodeChannelData(channel, data, this.stun.transport.reliable));
      return;
    }
    this.stun.indicate(
      StunMethod.Send,
      build([this.#peerAttribute(peer), { type: StunAttr.Data, value: data }]),
    );
  }

  /** Deletes the allocation (best effort) and closes the transport. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#stopTimer();
    if (this.#allocation && !this.stun.closed) {
      try {
        await this.refresh(0);
      } catch {
        // The allocation times out on the server anyway.
      }
    }
    this.#closed = true;
    this.stun.close();
  }

  #peerAttribute(peer: PeerAddress): (transactionId: Buffer) => StunAttribute {
    return (transactionId) =>
      attr.xorAddress(StunAttr.XorPeerAddress, { family: family(peer.address), ...peer }, transactionId);
  }

  async #authenticated(
    method: number,
    attributes: AttributeMaker[],
    name: string,
  ): Promise<{ response: DecodedStunMessage; rttMs: number }> {
    // Bounded: first try, then one retry after 401 (no credentials yet) or 438 (stale nonce).
    for (let attempt = 0; attempt < 3; attempt++) {
      const signed = this.#key !== undefined;
      const extra: StunAttribute[] = signed
        ? [
            attr.string(StunAttr.Username, this.#options.username),
            attr.string(StunAttr.Realm, this.#realm!),
            attr.string(StunAttr.Nonce, this.#nonce!),
          ]
        : [];
      const { response, rttMs } = await this.stun.request(method, build([...attributes, ...extra]), {
        integrityKey: this.#key,
      });
      if (response.cls === 'success') return { response, rttMs };
      const error = errorFrom(response, name);
      const realm = getAttribute(response, StunAttr.Realm)?.toString('utf8');
      const nonce = getAttribute(response, StunAttr.Nonce)?.toString('utf8');
      const retryable = (error.status === 401 && !signed) || error.status === 438;
      if (!retryable || attempt === 2 || !nonce) throw error;
      if (realm !== undefined) this.#realm = realm;
      this.#nonce = nonce;
      if (this.#realm === undefined) throw error;
      this.#key = longTermKey(this.#options.username, this.#realm, this.#options.password);
    }
    throw new StunError('state', 'unreachable');
  }

  #onIndication(msg: DecodedStunMessage): void {
    if (msg.method !== StunMethod.Data) return;
    const peer = getAttribute(msg, StunAttr.XorPeerAddress);
    const data = getAttribute(msg, StunAttr.Data);
    if (!peer || !data) return;
    try {
      this.emit('data', decodeXorAddress(peer, msg.transactionId), data, 'indication');
    } catch {
      // Malformed indication: drop it.
    }
  }

  #scheduleRefresh(lifetime: number): void {
    this.#stopTimer();
    if (this.#options.autoRefresh === false) return;
    const seconds = Math.max(lifetime - 60, lifetime / 2, 1);
    this.#refreshTimer = setTimeout(() => {
      this.refresh().catch((err: StunError) => this.#emitError(err));
    }, seconds * 1000);
    this.#refreshTimer.unref();
  }

  #stopTimer(): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
  }

  #requireAllocation(): void {
    if (this.#closed) throw new StunError('state', 'TURN client closed');
    if (!this.#allocation) throw new StunError('state', 'no allocation: call allocate() first');
  }

  #emitError(err: StunError): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
