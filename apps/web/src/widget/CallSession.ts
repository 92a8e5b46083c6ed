import { Call, HOLD_AUDIO_PARTICIPANT_ID, SignallingClient } from '@switchboard/sdk';
import { mediaErrorCode, type WidgetErrorCode } from './errorText.js';
import {
  INITIAL_SNAPSHOT,
  isLive,
  transition,
  type WidgetError,
  type WidgetEvent,
  type WidgetSnapshot,
} from './widgetState.js';

/** Where and how to call; from the element's attributes. */
export interface CallSessionOptions {
  /** Platform origin, e.g. `https://sb.example.com`. */
  server: string;
  queue: string;
  channel: 'audio' | 'video';
  /** A user token minted by the site's back-end, or… */
  token?: string | undefined;
  /** …a public widget key (`web.widgetKeys`) exchanged at `POST /v1/widget/token`. */
  widgetKey?: string | undefined;
}

/** What the session tells the element. */
export interface CallSessionEvents {
  change: WidgetSnapshot;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
  /** The queue's hold audio while the user waits; null once it stops. */
  holdStream: MediaStream | null;
}

interface ClientConfig {
  websocketUrl: string;
  apiUrl: string;
  fallbackWebsocketUrl: string;
}

/** Codes that mean the server answered and refused us, rather than the network failing. */
const CONNECT_REFUSALS =
  /^SB_ERR_(TOKEN_|AUTH_|FORBIDDEN|BAD_CREDENTIALS|RATE_LIMITED|TOO_MANY_CONNECTIONS|SERVER_DRAINING|WIDGET_KEY_INVALID|ORIGIN_NOT_ALLOWED)/;

/** A failure carrying the code the user will be told about. */
class Failure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function failure(code: WidgetErrorCode, message: string): Failure {
  return new Failure(code, message);
}

/** A Switchboard code when `err` carries one (SwitchboardError or an HTTP error body). */
function codeOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SB_ERR_') ? code : null;
}

async function readError(res: Response): Promise<Failure> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return new Failure(body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
}

/**
 * One call attempt of the widget, from "Call us" to hang-up: media, token, signalling
 * session, queue, media call. Owns everything it opens; `close()` releases it all.
 */
export class CallSession {
  readonly #options: CallSessionOptions;
  readonly #listeners: { [K in keyof CallSessionEvents]: Set<(data: CallSessionEvents[K]) => void> } = {
    change: new Set(),
    localStream: new Set(),
    remoteStream: new Set(),
    holdStream: new Set(),
  };
  #snapshot: WidgetSnapshot = INITIAL_SNAPSHOT;
  #client: SignallingClient | null = null;
  #call: Call | null = null;
  #callId: string | null = null;
  #contactId: string | null = null;

  /** The ACD contact of this call once enqueued (for the host page, e.g. a CRM note). */
  get contactId(): string | null {
    return this.#contactId;
  }
  #local: MediaStream | null = null;
  #closed = false;

  constructor(options: CallSessionOptions) {
    this.#options = options;
  }

  get snapshot(): WidgetSnapshot {
    return this.#snapshot;
  }

  get localStream(): MediaStream | null {
    return this.#local;
  }

  /** The media call's peer connection, once joined (for `getStats()`). */
  get peerConnection(): RTCPeerConnection | null {
    return this.#call?.pc ?? null;
  }

  on<K extends keyof CallSessionEvents>(
    event: K,
    listener: (data: CallSessionEvents[K]) => void,
  ): () => void {
    this.#listeners[event].add(listener);
    return () => this.#listeners[event].delete(listener);
  }

  #emit<K extends keyof CallSessionEvents>(event: K, data: CallSessionEvents[K]): void {
    for (const listener of this.#listeners[event]) {
      try {
        listener(data);
      } catch (err) {
        console.error('[switchboard-call] listener threw', err);
      }
    }
  }

  #dispatch(event: WidgetEvent): void {
    const next = transition(this.#snapshot, event);
    if (next === this.#snapshot) return;
    this.#snapshot = next;
    this.#emit('change', next);
    if (!isLive(next.state)) void this.#release();
  }

  #fail(err: unknown): void {
    const error: WidgetError =
      err instanceof Failure
        ? { code: err.code, message: err.message }
        : { code: codeOf(err) ?? 'WIDGET_NETWORK_BLOCKED', message: String((err as Error)?.message ?? err) };
    this.#dispatch({ type: 'failed', error });
  }

  /** Asks for media, gets a token, connects and joins the queue. */
  async start(): Promise<void> {
    this.#dispatch({ type: 'start' });
    try {
      await this.#start();
    } catch (err) {
      this.#fail(err);
    }
  }

  async #start(): Promise<void> {
    const { channel, queue } = this.#options;
    if (!navigator.mediaDevices?.getUserMedia || typeof RTCPeerConnection === 'undefined') {
      throw failure('WIDGET_UNSUPPORTED', 'getUserMedia or RTCPeerConnection is missing (insecure page?)');
    }
    // Media first: a user who cannot be heard should not wait in the queue to find out.
    try {
      this.#local = await navigator.mediaDevices.getUserMedia({ audio: true, video: channel === 'video' });
    } catch (err) {
      const name = (err as DOMException)?.name ?? '';
      throw failure(mediaErrorCode(name), `${name}: ${(err as Error)?.message ?? ''}`);
    }
    this.#emit('localStream', this.#local);
    const config = await this.#fetch<ClientConfig>('/v1/client-config', { method: 'GET' });
    const client = new SignallingClient({
      token: () => this.#token(),
      websocketUrl: config.websocketUrl,
      apiUrl: config.apiUrl,
      fallbackWebsocketUrl: config.fallbackWebsocketUrl,
    });
    this.#client = client;
    this.#listen(client);
    try {
      await client.connect();
    } catch (err) {
      const code = codeOf(err);
      if (err instanceof Failure || (code && CONNECT_REFUSALS.test(code))) throw err;
      // Anything else (SB_ERR_UNREACHABLE from every route) means no transport got through:
      // the network is in the way.
      const detail = `${code ?? ''} ${(err as Error)?.message ?? err}`.trim();
      throw failure('WIDGET_NETWORK_BLOCKED', `signalling unreachable: ${detail}`);
    }
    if (this.#closed) return;
    const ticket = await client.request('contact.enqueue', { queueId: queue, channel });
    this.#contactId = ticket.contactId;
    this.#dispatch({ type: 'queued', position: ticket.position, estimatedWaitMs: ticket.estimatedWaitMs });
    // Into the contact's call at once: the queue's hold audio plays there while the user waits,
    // the agent's media arrives there later with no new set-up, and a media path that cannot
    // work shows now rather than when an agent answers.
    await this.#enterCall(ticket.callId);
  }

  /** A fresh token per new signalling session: the given one, or one bought with the widget key. */
  async #token(): Promise<string> {
    if (this.#options.token) return this.#options.token;
    if (!this.#options.widgetKey)
      throw failure('WIDGET_MISSING_CREDENTIALS', 'no token or widget-key attribute');
    const key = encodeURIComponent(this.#options.widgetKey);
    const minted = await this.#fetch<{ token: string }>(`/v1/widget/token?key=${key}`, { method: 'POST' });
    return minted.token;
  }

  async #fetch<T>(path: string, init: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.#options.server), { ...init, credentials: 'omit' });
    } catch (err) {
      throw failure('WIDGET_NETWORK_BLOCKED', `${path}: ${(err as Error)?.message ?? err}`);
    }
    if (!res.ok) throw await readError(res);
    return (await res.json()) as T;
  }

  #listen(client: SignallingClient): void {
    const mine = (contactId: string) => contactId === this.#contactId;
    client.on('contact.position', (e) => {
      if (mine(e.contactId))
        this.#dispatch({ type: 'position', position: e.position, estimatedWaitMs: e.estimatedWaitMs });
    });
    client.on('acd.callConnecting', (e) => {
      if (mine(e.contactId)) void this.#agentAnswered(e.callId);
    });
    client.on('contact.callback', (e) => {
      if (mine(e.contactId)) void this.#agentAnswered(e.callId);
    });
    client.on('acd.callEnded', (e) => {
      if (mine(e.contactId)) this.#dispatch({ type: 'ended', reason: `${e.endedBy}: ${e.reason}` });
    });
    client.on('contact.ended', (e) => {
      if (mine(e.contactId) && e.outcome !== 'answered' && e.outcome !== 'callback')
        this.#dispatch({ type: 'ended', reason: e.reason ?? e.outcome ?? 'ended' });
    });
    client.on('closed', ({ error }) => {
      if (error) this.#fail(error);
      else this.#dispatch({ type: 'ended', reason: 'disconnected' });
    });
  }

  /** An agent took the call: media continues in the call the user is in (or joins it now). */
  async #agentAnswered(callId: string): Promise<void> {
    this.#dispatch({ type: 'agentConnecting' });
    await this.#enterCall(callId);
    if (this.#call?.pc.connectionState === 'connected') this.#dispatch({ type: 'mediaUp' });
  }

  /** Joins the contact's media call once, publishing the user's microphone (and camera). */
  async #enterCall(callId: string): Promise<void> {
    const client = this.#client;
    if (!client || this.#callId === callId) return;
    this.#callId = callId;
    try {
      const call = await Call.join(client, callId, this.#local ? { stream: this.#local } : {});
      if (this.#closed || !isLive(this.#snapshot.state) || this.#callId !== callId) {
        await call.leave();
        return;
      }
      this.#call = call;
      const remote = new MediaStream();
      const hold = new MediaStream();
      call.on('track', ({ track, participantId }) => {
        if (participantId === HOLD_AUDIO_PARTICIPANT_ID) {
          hold.addTrack(track);
          this.#emit('holdStream', hold);
          return;
        }
        remote.addTrack(track);
        this.#emit('remoteStream', remote);
      });
      // The hold audio stops for good when the agent's media arrives (the server unpublishes it).
      // (It comes back, as a new track, when the agent puts the call on hold.)
      const offHold = client.on('call.trackUnpublished', (e) => {
        if (e.callId !== callId || e.track.participantId !== HOLD_AUDIO_PARTICIPANT_ID) return;
        for (const track of hold.getTracks()) hold.removeTrack(track);
        this.#emit('holdStream', null);
      });
      call.on('ended', offHold);
      call.on('connectionState', (state) => {
        if (state === 'connected') this.#dispatch({ type: 'mediaUp' });
        if (state === 'failed') this.#fail(failure('WIDGET_MEDIA_BLOCKED', 'ICE failed'));
      });
      call.on('ended', ({ reason }) => {
        if (this.#call === call) this.#dispatch({ type: 'ended', reason });
      });
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Leaves the media call (the contact stays in the queue). */
  async #leaveCall(): Promise<void> {
    const call = this.#call;
    this.#call = null;
    this.#callId = null;
    this.#emit('holdStream', null);
    await call?.leave().catch(() => undefined);
  }

  /** Leave the queue and be called back here when an agent is free (keeps the place). */
  async requestCallback(): Promise<void> {
    if (!this.#client || !this.#contactId || this.#snapshot.state !== 'waiting') return;
    try {
      await this.#client.request('contact.callback', { contactId: this.#contactId });
      this.#dispatch({ type: 'callbackRequested' });
      // No hold audio for someone who asked not to hold; the ring-back joins the call again.
      await this.#leaveCall();
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Leave the queue, or hang up the call. */
  async hangUp(): Promise<void> {
    if (!isLive(this.#snapshot.state)) return;
    const client = this.#client;
    const contactId = this.#contactId;
    if (client && contactId) {
      // Tell the ACD first (abandon or hang-up is recorded as the user's); a dead network must
      // not keep the user waiting for the hang-up button, so this waits 2 s at most.
      const cancelled = client.request('contact.cancel', { contactId }).catch(() => undefined);
      await Promise.race([cancelled, new Promise((r) => setTimeout(r, 2000))]);
    }
    this.#dispatch({ type: 'ended', reason: 'user-hangup' });
  }

  /** Mutes or unmutes the microphone (`audio`) or turns the camera off/on (`video`). */
  async setMuted(kind: 'audio' | 'video', muted: boolean): Promise<void> {
    for (const track of this.#local?.getTracks() ?? []) if (track.kind === kind) track.enabled = !muted;
    await this.#call?.mute(kind, muted).catch(() => undefined);
  }

  /** Switches microphone or camera: a new track replaces the old one without renegotiation. */
  async useDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const local = this.#local;
    if (!local) return;
    const constraints = { deviceId: { exact: deviceId } };
    let fresh: MediaStream;
    try {
      fresh = await navigator.mediaDevices.getUserMedia(
        kind === 'audio' ? { audio: constraints } : { video: constraints },
      );
    } catch (err) {
      const name = (err as DOMException)?.name ?? '';
      this.#fail(failure(mediaErrorCode(name), `${name}: switching device`));
      return;
    }
    const track = fresh.getTracks()[0];
    if (!track) return;
    const old = local.getTracks().find((t) => t.kind === kind);
    track.enabled = old?.enabled ?? true;
    const sender = this.#call?.pc.getSenders().find((s) => s.track?.kind === kind);
    await sender?.replaceTrack(track);
    if (old) {
      local.removeTrack(old);
      old.stop();
    }
    local.addTrack(track);
    this.#emit('localStream', local);
  }

  async #release(): Promise<void> {
    const call = this.#call;
    const client = this.#client;
    this.#call = null;
    this.#client = null;
    for (const track of this.#local?.getTracks() ?? []) track.stop();
    this.#local = null;
    this.#emit('localStream', null);
    this.#emit('remoteStream', null);
    this.#emit('holdStream', null);
    await call?.leave().catch(() => undefined);
    await client?.close().catch(() => undefined);
  }

  /** Ends everything (the element left the page). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (isLive(this.#snapshot.state)) await this.hangUp();
    await this.#release();
  }
}
