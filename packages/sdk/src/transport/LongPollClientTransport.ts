import type { ErrorBody, RequestFrame, ServerFrame, SessionInfo } from '@switchboard/protocol';
import { RESUME_KEY_HEADER, SwitchboardError } from '@switchboard/protocol/runtime';
import type { ClientTransport, FetchLike, Handshake, TransportHandlers } from './ClientTransport.js';

interface PollBody {
  frames: ServerFrame[];
  closed?: ErrorBody;
}

async function errorOf(response: Response): Promise<SwitchboardError> {
  try {
    const body = (await response.json()) as { error?: ErrorBody };
    if (body.error?.code) return SwitchboardError.fromBody(body.error);
  } catch {
    // fall through
  }
  return new SwitchboardError('SB_ERR_INTERNAL', `HTTP ${response.status}`);
}

/** Signalling over the HTTPS long-poll API (8089): for networks where WebSocket fails. */
export class LongPollClientTransport implements ClientTransport {
  readonly kind = 'longpoll' as const;
  readonly #base: string;
  readonly #fetch: FetchLike;
  #session: { id: string; key: string } | null = null;
  #lastSeq = 0;
  #running = false;
  #abort: AbortController | null = null;
  #outbox: RequestFrame[] = [];
  #sending = false;

  readonly #openTimeoutMs: number;

  /**
   * `base` is the API origin, e.g. `https://rtc.example.com:8089`. `openTimeoutMs` bounds the
   * session creation: a firewall that drops packets (rather than refusing) would otherwise
   * hold the client on this route for the browser's whole TCP connect timeout.
   */
  constructor(base: string, fetchImpl: FetchLike, openTimeoutMs = 10_000) {
    this.#base = base.replace(/\/$/, '');
    this.#fetch = fetchImpl;
    this.#openTimeoutMs = openTimeoutMs;
  }

  async open(handshake: Handshake, handlers: TransportHandlers): Promise<SessionInfo | null> {
    let info: SessionInfo | null = null;
    if (handshake.kind === 'auth') {
      const url = `${this.#base}/v1/lp/sessions`;
      const response = await this.#fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: handshake.token }),
        signal: AbortSignal.timeout(this.#openTimeoutMs),
      }).catch((err: unknown) => {
        if ((err as Error).name !== 'TimeoutError') throw err;
        throw new SwitchboardError(
          'SB_ERR_UNREACHABLE',
          `No answer from ${url} in ${this.#openTimeoutMs} ms.`,
        );
      });
      if (!response.ok) throw await errorOf(response);
      info = (await response.json()) as SessionInfo;
      this.#session = { id: info.sessionId, key: info.resumeKey };
      this.#lastSeq = 0;
    } else {
      this.#session = { id: handshake.sessionId, key: handshake.resumeKey };
      this.#lastSeq = handshake.lastSeq;
      // A zero-hold poll proves the session is still there before we call it resumed.
      const body = await this.#poll(0);
      this.#running = true;
      for (const frame of body.frames) this.#take(frame, handlers);
    }
    this.#running = true;
    void this.#loop(handlers);
    return info;
  }

  async #poll(holdMs?: number): Promise<PollBody> {
    const session = this.#session!;
    this.#abort = new AbortController();
    const hold = holdMs === undefined ? '' : `&holdMs=${holdMs}`;
    const response = await this.#fetch(
      `${this.#base}/v1/lp/sessions/${session.id}/poll?ack=${this.#lastSeq}${hold}`,
      {
        headers: { [RESUME_KEY_HEADER]: session.key },
        signal: this.#abort.signal,
      },
    );
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as PollBody;
  }

  #take(frame: ServerFrame, handlers: TransportHandlers): void {
    if (frame.seq <= this.#lastSeq) return;
    this.#lastSeq = frame.seq;
    handlers.frame(frame);
  }

  async #loop(handlers: TransportHandlers): Promise<void> {
    while (this.#running) {
      try {
        const body = await this.#poll();
        for (const frame of body.frames) this.#take(frame, handlers);
        if (body.closed) {
          this.#running = false;
          handlers.lost(body.closed);
          return;
        }
      } catch (err) {
        if (!this.#running) return;
        this.#running = false;
        handlers.lost(err instanceof SwitchboardError ? err.toBody() : null);
        return;
      }
    }
  }

  send(frame: RequestFrame): void {
    this.#outbox.push(frame);
    void this.#flush();
  }

  /** Sends queued frames in order, batched, one POST at a time. */
  async #flush(): Promise<void> {
    if (this.#sending || !this.#session) return;
    this.#sending = true;
    try {
      while (this.#outbox.length > 0 && this.#running) {
        const batch = this.#outbox.splice(0, 32);
        const response = await this.#fetch(`${this.#base}/v1/lp/sessions/${this.#session.id}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [RESUME_KEY_HEADER]: this.#session.key },
          body: JSON.stringify(batch.length === 1 ? batch[0] : batch),
        });
        if (!response.ok) {
          const error = await errorOf(response);
          if (error.code !== 'SB_ERR_RATE_LIMITED') throw error;
          this.#outbox.unshift(...batch);
          await new Promise((r) => setTimeout(r, Number(error.data?.retryAfterMs ?? 500)));
        }
      }
    } catch {
      // The poll loop notices a dead session and reports it; frames are resent after resume.
    } finally {
      this.#sending = false;
    }
  }

  acknowledge(): void {
    // Long-poll acknowledges in every poll (`ack=`).
  }

  close(): void {
    this.#running = false;
    this.#abort?.abort();
  }

  /** Ends the session on the server (used by `SignallingClient.close`). */
  async deleteSession(): Promise<void> {
    if (!this.#session) return;
    await this.#fetch(`${this.#base}/v1/lp/sessions/${this.#session.id}`, {
      method: 'DELETE',
      headers: { [RESUME_KEY_HEADER]: this.#session.key },
    }).catch(() => undefined);
  }
}
