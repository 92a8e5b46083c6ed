/**
 * The ring of an incoming offer, generated with WebAudio (no sound file): the North American
 * ring cadence, 440 + 480 Hz for 2 s, then 4 s of silence, until `stop()`.
 */
export class Ringer {
  #context: AudioContext | null = null;
  #gain: GainNode | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  /** Creates the audio context; call it from a user gesture (the login click) so it may play. */
  unlock(): void {
    if (this.#context) return;
    try {
      this.#context = new AudioContext();
    } catch {
      this.#context = null;
    }
  }

  get ringing(): boolean {
    return this.#timer !== null;
  }

  start(): void {
    this.unlock();
    const ctx = this.#context;
    if (!ctx || this.#timer) return;
    void ctx.resume().catch(() => undefined);
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    for (const hz of [440, 480]) {
      const osc = ctx.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      osc.start();
    }
    this.#gain = gain;
    const burst = () => {
      const t = ctx.currentTime;
      gain.gain.cancelScheduledValues(t);
      gain.gain.setValueAtTime(0, t);
      gain.gain.linearRampToValueAtTime(0.12, t + 0.05);
      gain.gain.setValueAtTime(0.12, t + 2);
      gain.gain.linearRampToValueAtTime(0, t + 2.05);
    };
    burst();
    this.#timer = setInterval(burst, 6000);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    // Disconnecting the gain silences and frees its oscillators.
    this.#gain?.disconnect();
    this.#gain = null;
  }
}
