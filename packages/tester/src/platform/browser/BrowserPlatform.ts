import type { HttpRequest, HttpResponse, HttpResult, Platform } from '../Platform.js';

/**
 * The browser implementation for the tester page. A page can neither resolve names nor open
 * raw TCP/UDP sockets, so DNS, TCP-connect, TLS-details and UDP checks are skipped there; the
 * page tests what a browser can: HTTPS (fetch) and WebSocket upgrades. UDP media reachability
 * in the browser needs WebRTC (ICE against the server's probe peer), which the lead wires later.
 */
export class BrowserPlatform implements Platform {
  readonly name = 'browser';
  readonly insecure = false;

  now(): number {
    return performance.now();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async request(r: HttpRequest): Promise<HttpResponse> {
    const init: RequestInit = { method: r.method, signal: AbortSignal.timeout(r.timeoutMs) };
    if (r.headers) init.headers = r.headers;
    if (r.body !== undefined) init.body = r.body;
    const res = await fetch(r.url, init);
    return { status: res.status, body: await res.text() };
  }

  async httpsGet(url: string, timeoutMs: number): Promise<HttpResult> {
    const start = this.now();
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return {
      // A page never sees a redirect's status or target (opaque): it answered, with some 3xx.
      status: res.type === 'opaqueredirect' ? 302 : res.status,
      location: res.headers.get('location') ?? undefined,
      elapsedMs: this.now() - start,
    };
  }

  wsUpgrade(url: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const start = this.now();
      const ws = new WebSocket(url);
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`WebSocket upgrade timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        ws.close();
        resolve(this.now() - start);
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new Error('WebSocket upgrade failed'));
      };
    });
  }
}
