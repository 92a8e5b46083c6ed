/**
 * A quiet, synthesised hold melody while the visitor waits: the platform does not stream
 * hold audio before an agent answers (the media call starts on `acd.callConnecting`), and a
 * silent wait feels like a dead line. Web Audio only — no file to fetch.
 */
export class HoldMusic {
  #context: AudioContext | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  get playing(): boolean {
    return this.#timer !== null;
  }

  /** Starts the loop (call from a user gesture, or the browser keeps it suspended). */
  start(): void {
    if (this.#timer || typeof AudioContext === 'undefined') return;
    this.#context ??= new AudioContext();
    const context = this.#context;
    void context.resume().catch(() => undefined);
    // A slow C-major arpeggio: calm, and clearly not a ringing tone.
    const notes = [261.63, 329.63, 392.0, 523.25, 392.0, 329.63];
    let i = 0;
    const play = () => {
      const osc = context.createOscillator();
      const gain = context.createGain();
      const now = context.currentTime;
      osc.frequency.value = notes[i++ % notes.length] ?? 440;
      gain.gain.setValueAtTime(0, now);
      gain.gain.linearRampToValueAtTime(0.04, now + 0.05);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.55);
      osc.connect(gain).connect(context.destination);
      osc.start(now);
      osc.stop(now + 0.6);
    };
    play();
    this.#timer = setInterval(play, 600);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Stops and releases the audio device. Idempotent. */
  close(): void {
    this.stop();
    void this.#context?.close().catch(() => undefined);
    this.#context = null;
  }
}
