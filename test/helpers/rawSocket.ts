import WebSocket from 'ws';

export interface RawFrame {
  v?: number;
  seq?: number;
  re?: string | null;
  type?: string | null;
  result?: Record<string, unknown>;
  error?: { code: string; message: string; data?: Record<string, unknown> };
  event?: string;
  data?: unknown;
}

/** A bare WebSocket for feeding the server hostile or hand-made frames. */
export class RawSocket {
  readonly ws: WebSocket;
  readonly frames: RawFrame[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(url: string, ca: string) {
    this.ws = new WebSocket(url, { ca, maxPayload: 64 * 1024 * 1024 });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as RawFrame);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async open(url: string, ca: string): Promise<RawSocket> {
    const socket = new RawSocket(url, ca);
    await socket.opened;
    return socket;
  }

  send(data: string | Buffer | object): void {
    this.ws.send(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  }

  /** Waits for the first frame (from index `from`) that matches. */
  async next(match: (f: RawFrame) => boolean = () => true, timeoutMs = 5000, from = 0): Promise<RawFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`No matching frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request frame and returns its response. */
  async request(id: string, type: string, data?: unknown): Promise<RawFrame> {
    this.send({ v: 1, id, type, data });
    return this.next((f) => f.re === id);
  }

  async auth(token: string): Promise<RawFrame> {
    return this.request('auth-1', 'auth', { token });
  }

  close(): void {
    this.ws.close();
  }
}
