import { createRequire } from 'node:module';

interface VideoSource {
  createTrack(): MediaStreamTrack;
  onFrame(frame: { width: number; height: number; data: Uint8Array }): void;
}
interface AudioSource {
  createTrack(): MediaStreamTrack;
  onData(data: { samples: Int16Array; sampleRate: number; numberOfFrames?: number }): void;
}
export interface WrtcSink {
  stop(): void;
  onframe?: (e: unknown) => void;
  ondata?: (e: unknown) => void;
}
export interface Wrtc {
  RTCPeerConnection: typeof RTCPeerConnection;
  MediaStream: typeof MediaStream;
  nonstandard: {
    RTCVideoSource: new () => VideoSource;
    RTCAudioSource: new () => AudioSource;
    RTCVideoSink: new (t: MediaStreamTrack) => WrtcSink;
    RTCAudioSink: new (t: MediaStreamTrack) => WrtcSink;
  };
}

/** libwebrtc for Node (@roamhq/wrtc): a real WebRTC endpoint that is not a browser. */
export const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc;

/**
 * Synthetic camera (320×240 I420, 30 fps, a moving pattern so VP8 has work) and microphone
 * (a 48 kHz tone) as one MediaStream. `stop()` ends the tracks and the timers.
 */
export function syntheticStream(): { stream: MediaStream; stop(): void } {
  const video = new wrtc.nonstandard.RTCVideoSource();
  const audio = new wrtc.nonstandard.RTCAudioSource();
  const videoTrack = video.createTrack();
  const audioTrack = audio.createTrack();
  const width = 320;
  const height = 240;
  const frame = new Uint8Array((width * height * 3) / 2);
  let n = 0;
  const videoTimer = setInterval(() => {
    n++;
    for (let i = 0; i < width * height; i += 7) frame[i] = (i + n * 5) & 0xff;
    video.onFrame({ width, height, data: frame });
  }, 33);
  let t = 0;
  const audioTimer = setInterval(() => {
    const samples = new Int16Array(480);
    for (let i = 0; i < 480; i++)
      samples[i] = Math.round(6000 * Math.sin((t++ * 2 * Math.PI * 440) / 48_000));
    audio.onData({ samples, sampleRate: 48_000, numberOfFrames: 480 });
  }, 10);
  return {
    stream: new wrtc.MediaStream([audioTrack, videoTrack]),
    stop() {
      clearInterval(videoTimer);
      clearInterval(audioTimer);
      videoTrack.stop();
      audioTrack.stop();
    },
  };
}
