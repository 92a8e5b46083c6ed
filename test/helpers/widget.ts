// Reads the <switchboard-call> widget on a page, from a test, in Chromium (Playwright) or Firefox
// (Puppeteer): one script text both can evaluate.

/** What the widget shows and what its media call has received. */
export interface WidgetMedia {
  state: string;
  position: number | null;
  status: string;
  /** Inbound audio packets from the agent (the tracks on the widget's call view). */
  audio: number;
  /** Video frames decoded from the agent. */
  frames: number;
  /** totalAudioEnergy of the queue's hold audio (the widget's hidden hold player). */
  holdEnergy: number;
}

/**
 * An expression that evaluates, in the page, to a {@link WidgetMedia}. Agent and hold tracks
 * are told apart by the element that plays them, so hold audio never passes for the agent's.
 */
export const WIDGET_MEDIA = `(async () => {
  const widget = document.querySelector('switchboard-call');
  const out = { state: '', position: null, status: '', audio: 0, frames: 0, holdEnergy: 0 };
  if (!widget) return out;
  const ids = (selector) => {
    const source = widget.shadowRoot.querySelector(selector)?.srcObject;
    return new Set(source ? source.getTracks().map((t) => t.id) : []);
  };
  const agent = ids('.remote');
  const hold = ids('.hold');
  const report = await widget.getStats();
  if (report) report.forEach((s) => {
    if (s.type !== 'inbound-rtp' || !s.trackIdentifier) return;
    if (hold.has(s.trackIdentifier)) out.holdEnergy += s.totalAudioEnergy || 0;
    if (!agent.has(s.trackIdentifier)) return;
    if (s.kind === 'audio') out.audio += s.packetsReceived || 0;
    if (s.kind === 'video') out.frames += s.framesDecoded || 0;
  });
  out.state = widget.state;
  out.position = widget.snapshot.position;
  out.status = widget.shadowRoot.querySelector('[role=status]')?.textContent ?? '';
  return out;
})()`;
