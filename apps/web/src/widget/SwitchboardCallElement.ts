import { CallSession } from './CallSession.js';
import { errorText, waitText } from './errorText.js';
import { WIDGET_CSS } from './styles.js';
import { INITIAL_SNAPSHOT, isLive, type WidgetSnapshot, type WidgetStateName } from './widgetState.js';

export type { WidgetError, WidgetSnapshot, WidgetStateName } from './widgetState.js';

/** The detail of the `switchboard-state` event: the widget's snapshot after each change. */
export type SwitchboardStateEvent = CustomEvent<WidgetSnapshot>;

declare global {
  interface HTMLElementTagNameMap {
    'switchboard-call': SwitchboardCallElement;
  }
  interface HTMLElementEventMap {
    'switchboard-state': SwitchboardStateEvent;
  }
}

// The origin this script was loaded from: the platform, when a site embeds
// <script src="https://sb.example.com/widget/switchboard-call.js">. Read now, at load:
// `currentScript` is null once the script has run.
const scriptSrc = (document.currentScript as HTMLScriptElement | null)?.src;
const DEFAULT_SERVER = scriptSrc ? new URL(scriptSrc).origin : location.origin;

const TEMPLATE = `
<section class="card" part="card" aria-labelledby="title">
  <h2 id="title"></h2>
  <p class="status" role="status" aria-live="polite"></p>
  <p class="wait" aria-live="polite"></p>
  <div class="error" role="alert" hidden>
    <p class="text"></p>
    <p class="code"></p>
    <p class="tester" hidden><a target="_blank" rel="noopener">Check your connection with our network tester</a></p>
  </div>
  <div class="media" hidden>
    <!-- A live call has no caption track to offer. -->
    <video class="remote" autoplay playsinline aria-label="The agent"></video>
    <video class="local" autoplay playsinline muted aria-label="You"></video>
  </div>
  <audio class="hold" autoplay></audio>
  <div class="actions">
    <button type="button" class="start primary"></button>
    <button type="button" class="callback" hidden>Call me back instead</button>
    <button type="button" class="music" aria-pressed="true" hidden>Hold music</button>
    <button type="button" class="mute" aria-pressed="false" hidden>Mute microphone</button>
    <button type="button" class="camera" aria-pressed="false" hidden>Turn camera off</button>
    <button type="button" class="hangup danger" hidden></button>
  </div>
  <details class="devices" hidden>
    <summary>Microphone and camera</summary>
    <label>Microphone <select class="mic"></select></label>
    <label class="cam-label">Camera <select class="cam"></select></label>
  </details>
</section>`;

/**
 * `<switchboard-call queue="sales" channel="video" widget-key="…">`: a call button for a
 * contact-center queue, in its own shadow DOM. Attributes: `queue`, `channel`
 * (`audio`|`video`), `token` or `widget-key`, `server` (default: where this script came
 * from), `heading`. Emits `switchboard-state` (bubbles, composed) on every change.
 */
export class SwitchboardCallElement extends HTMLElement {
  static readonly observedAttributes = ['queue', 'channel', 'heading'];
  readonly #root: ShadowRoot;
  #session: CallSession | null = null;
  #snapshot: WidgetSnapshot = INITIAL_SNAPSHOT;
  #micMuted = false;
  #cameraOff = false;
  #musicWanted = true;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = WIDGET_CSS;
    this.#root.append(style);
    this.#root.append(document.createRange().createContextualFragment(TEMPLATE));
    this.#el('.start').addEventListener('click', () => void this.start());
    this.#el('.hangup').addEventListener('click', () => void this.hangUp());
    this.#el('.callback').addEventListener('click', () => void this.requestCallback());
    this.#el('.music').addEventListener('click', () => {
      this.#musicWanted = !this.#musicWanted;
      this.#render();
    });
    this.#el('.mute').addEventListener('click', () => void this.#toggle('audio'));
    this.#el('.camera').addEventListener('click', () => void this.#toggle('video'));
    this.#el<HTMLSelectElement>('.mic').addEventListener('change', (e) =>
      this.#session?.useDevice('audio', (e.target as HTMLSelectElement).value),
    );
    this.#el<HTMLSelectElement>('.cam').addEventListener('change', (e) =>
      this.#session?.useDevice('video', (e.target as HTMLSelectElement).value),
    );
  }

  connectedCallback(): void {
    this.#render();
  }

  disconnectedCallback(): void {
    void this.#session?.close();
    this.#session = null;
  }

  attributeChangedCallback(): void {
    this.#render();
  }

  /** The current state name (`idle`, `waiting`, `in-call`, …). */
  get state(): WidgetStateName {
    return this.#snapshot.state;
  }

  /** The ACD contact id of the current or last call (null before enqueueing). */
  get contactId(): string | null {
    return this.#session?.contactId ?? null;
  }

  /** The whole current snapshot (state, position, estimated wait, error). */
  get snapshot(): WidgetSnapshot {
    return this.#snapshot;
  }

  get channel(): 'audio' | 'video' {
    return this.getAttribute('channel') === 'video' ? 'video' : 'audio';
  }

  get server(): string {
    return this.getAttribute('server') || DEFAULT_SERVER;
  }

  /** Starts a call (what the call button does). Ignored while a call is live. */
  async start(): Promise<void> {
    if (isLive(this.#snapshot.state)) return;
    void this.#session?.close();
    this.#micMuted = false;
    this.#cameraOff = false;
    const session = new CallSession({
      server: this.server,
      queue: this.getAttribute('queue') ?? 'default',
      channel: this.channel,
      token: this.getAttribute('token') || undefined,
      widgetKey: this.getAttribute('widget-key') || undefined,
    });
    this.#session = session;
    session.on('change', (snapshot) => {
      if (session !== this.#session) return;
      this.#snapshot = snapshot;
      this.#render();
      if (snapshot.state === 'waiting' || snapshot.state === 'in-call') void this.#listDevices();
      this.dispatchEvent(
        new CustomEvent('switchboard-state', { detail: snapshot, bubbles: true, composed: true }),
      );
    });
    session.on('localStream', (stream) => {
      this.#el<HTMLVideoElement>('.local').srcObject = stream;
    });
    session.on('holdStream', (stream) => {
      const hold = this.#el<HTMLAudioElement>('.hold');
      hold.srcObject = stream;
      if (stream) void hold.play().catch(() => undefined);
    });
    session.on('remoteStream', (stream) => {
      const remote = this.#el<HTMLVideoElement>('.remote');
      remote.srcObject = stream;
      if (stream) void remote.play().catch(() => undefined);
    });
    await session.start();
  }

  /** Leaves the queue or hangs up. */
  async hangUp(): Promise<void> {
    await this.#session?.hangUp();
  }

  /** Asks to be called back on this page instead of holding (while waiting). */
  async requestCallback(): Promise<void> {
    await this.#session?.requestCallback();
  }

  /** The media call's WebRTC statistics; null before the agent answers. */
  async getStats(): Promise<RTCStatsReport | null> {
    return (await this.#session?.peerConnection?.getStats()) ?? null;
  }

  async #toggle(kind: 'audio' | 'video'): Promise<void> {
    if (kind === 'audio') this.#micMuted = !this.#micMuted;
    else this.#cameraOff = !this.#cameraOff;
    const muted = kind === 'audio' ? this.#micMuted : this.#cameraOff;
    await this.#session?.setMuted(kind, muted);
    this.#render();
  }

  async #listDevices(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    const current = this.#session?.localStream?.getTracks() ?? [];
    const fill = (select: HTMLSelectElement, kind: MediaDeviceKind, trackKind: string) => {
      const inUse = current.find((t) => t.kind === trackKind)?.getSettings().deviceId;
      select.replaceChildren(
        ...devices
          .filter((d) => d.kind === kind)
          .map((d, i) => {
            const option = new Option(
              d.label || `${trackKind === 'audio' ? 'Microphone' : 'Camera'} ${i + 1}`,
            );
            option.value = d.deviceId;
            option.selected = d.deviceId === inUse;
            return option;
          }),
      );
    };
    fill(this.#el('.mic'), 'audioinput', 'audio');
    fill(this.#el('.cam'), 'videoinput', 'video');
  }

  #el<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.#root.querySelector(selector) as T;
  }

  #render(): void {
    const s = this.#snapshot;
    const video = this.channel === 'video';
    const live = isLive(s.state);
    const inCall = s.state === 'connecting' || s.state === 'in-call';
    this.#el('#title').textContent = this.getAttribute('heading') || 'Talk to us';
    const start = this.#el('.start');
    start.hidden = live;
    start.textContent =
      s.state === 'idle'
        ? `Start ${video ? 'video' : 'audio'} call`
        : `Call again (${video ? 'video' : 'audio'})`;
    const hangup = this.#el('.hangup');
    hangup.hidden = !live;
    hangup.textContent = inCall ? 'Hang up' : 'Leave the queue';
    this.#el('.callback').hidden = s.state !== 'waiting';
    const music = this.#el('.music');
    music.hidden = s.state !== 'waiting';
    music.setAttribute('aria-pressed', String(this.#musicWanted));
    // The queue's hold audio (from the server) plays while waiting, unless switched off.
    this.#el<HTMLAudioElement>('.hold').muted = !this.#musicWanted;
    const mute = this.#el('.mute');
    mute.hidden = !inCall;
    mute.setAttribute('aria-pressed', String(this.#micMuted));
    mute.textContent = this.#micMuted ? 'Unmute microphone' : 'Mute microphone';
    const camera = this.#el('.camera');
    camera.hidden = !inCall || !video;
    camera.setAttribute('aria-pressed', String(this.#cameraOff));
    camera.textContent = this.#cameraOff ? 'Turn camera on' : 'Turn camera off';
    this.#el('.devices').hidden = !(s.state === 'waiting' || inCall);
    this.#el('.cam-label').hidden = !video;
    const media = this.#el('.media');
    media.hidden = !inCall;
    media.classList.toggle('audio-only', !video);
    this.#el('.status').textContent = statusText(s, video);
    this.#el('.wait').textContent =
      s.state === 'waiting' || s.state === 'callback' ? waitText(s.estimatedWaitMs) : '';
    const box = this.#el('.error');
    box.hidden = s.error === null;
    if (s.error) {
      const text = errorText(s.error.code);
      this.#el('.error .text').textContent = text.text;
      this.#el('.error .code').textContent = `Error code: ${s.error.code}`;
      this.#el('.tester').hidden = !text.tester;
      this.#el<HTMLAnchorElement>('.tester a').href = new URL('/tester/', this.server).href;
    }
  }
}

function statusText(s: WidgetSnapshot, video: boolean): string {
  switch (s.state) {
    case 'idle':
      return `Talk to one of our agents by ${video ? 'video' : 'audio'} call, right from this page.`;
    case 'starting':
      return 'Connecting…';
    case 'waiting':
      return s.position && s.position > 0
        ? `You are number ${s.position} in the queue.`
        : 'You are in the queue.';
    case 'callback':
      return 'We will call you back on this page when an agent is free. Please keep it open.';
    case 'connecting':
      return 'An agent is answering. Connecting the call…';
    case 'in-call':
      return 'You are connected to an agent.';
    case 'ended':
      return 'The call has ended. Thank you for calling!';
    case 'error':
      return 'The call could not go on.';
  }
}
