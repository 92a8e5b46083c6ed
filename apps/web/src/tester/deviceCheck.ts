import type { CheckResult, Metric } from '@switchboard/tester';
import { makeCheck } from '@switchboard/tester';

export interface DeviceOutcome {
  check: CheckResult;
  /** The camera/microphone stream when permission was given (the WebRTC leg sends it). */
  stream?: MediaStream;
}

const base = {
  id: 'media.devices',
  group: 'rtc' as const,
  audiences: ['agent' as const, 'user' as const],
  title: 'Camera and microphone: permission and devices',
  unit: 'devices',
};

/** Why getUserMedia failed, in words a person can act on. */
function explain(err: unknown): { summary: string; recommendation: string } {
  const name = (err as DOMException)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return {
        summary: 'Permission to use the camera and microphone was denied.',
        recommendation:
          'Allow camera and microphone for this site (the camera icon in the address bar, or the browser’s site settings; a company policy may block it), then run the test again.',
      };
    case 'NotReadableError':
    case 'AbortError':
      return {
        summary: 'The camera or microphone is in use by another application or failed to start.',
        recommendation:
          'Close other applications that use the camera or microphone, then run the test again.',
      };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return {
        summary: 'No microphone was found.',
        recommendation: 'Connect a headset or microphone (agents and users need one for calls).',
      };
    default:
      return {
        summary: `The camera and microphone could not be opened (${name || String(err)}).`,
        recommendation: 'Check the devices are connected and allowed for this site, then run the test again.',
      };
  }
}

/**
 * Camera and microphone as a browser sees them: the devices present (enumerateDevices) and
 * whether this site may use them (getUserMedia). A microphone is needed (fail without one or
 * without permission); a missing camera is a warning (audio calls still work).
 */
export async function checkDevices(now: () => number): Promise<DeviceOutcome> {
  const start = now();
  const done = (init: Omit<Parameters<typeof makeCheck>[0], keyof typeof base>): CheckResult =>
    makeCheck({ ...base, durationMs: now() - start, ...init });
  if (!navigator.mediaDevices?.getUserMedia) {
    return {
      check: done({
        verdict: 'fail',
        summary: 'This browser offers no camera or microphone access here (the page needs HTTPS).',
        recommendation: 'Open the page over https:// in a current Chrome, Edge, Firefox or Safari.',
      }),
    };
  }
  const count = async (): Promise<{ mics: number; cams: number }> => {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return {
      mics: devices.filter((d) => d.kind === 'audioinput').length,
      cams: devices.filter((d) => d.kind === 'videoinput').length,
    };
  };
  let stream: MediaStream;
  let cameraMissing = false;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (err) {
    const name = (err as DOMException)?.name;
    if (name !== 'NotFoundError' && name !== 'OverconstrainedError') {
      const { mics, cams } = await count().catch(() => ({ mics: 0, cams: 0 }));
      return { check: done({ verdict: 'fail', value: mics + cams, ...explain(err) }) };
    }
    // No camera: try the microphone alone, which is what an audio call needs.
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      cameraMissing = true;
    } catch (err2) {
      const { mics, cams } = await count().catch(() => ({ mics: 0, cams: 0 }));
      return { check: done({ verdict: 'fail', value: mics + cams, ...explain(err2) }) };
    }
  }
  // Labels are only readable once permission is given, so enumerate after getUserMedia.
  const { mics, cams } = await count();
  const label = (kind: 'audio' | 'video'): string =>
    stream.getTracks().find((t) => t.kind === kind)?.label || 'unnamed';
  const metrics: Metric[] = [
    { name: 'microphones', value: mics, unit: 'devices' },
    { name: 'cameras', value: cams, unit: 'devices' },
  ];
  return {
    stream,
    check: done({
      verdict: cameraMissing ? 'warn' : 'pass',
      value: mics + cams,
      metrics,
      summary: cameraMissing
        ? `Microphone allowed (${label('audio')}); no camera found: audio calls only.`
        : `Allowed: microphone ${label('audio')}, camera ${label('video')} (${mics} microphone(s), ${cams} camera(s)).`,
      recommendation: cameraMissing ? 'Connect a camera for video calls.' : undefined,
    }),
  };
}
