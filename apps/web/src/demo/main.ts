import { Call, type SignallingClient } from '@switchboard/sdk';
import { connectClient, fetchJson } from '../shared/platformClient.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');
const params = new URLSearchParams(location.search);
const transport = (params.get('transport') ?? 'auto') as 'websocket' | 'longpoll' | 'auto';

function say(text: string, failed = false): void {
  status.textContent = text;
  status.classList.toggle('fail', failed);
}

/** Exposed for tests and for poking around from the console. */
declare global {
  interface Window {
    switchboardDemo?: { client: SignallingClient; call: Call; remoteTracks: MediaStreamTrack[] };
  }
}

async function join(callId: string): Promise<void> {
  say('Getting a token…');
  const { token } = await fetchJson<{ token: string }>(`/v1/demo/token?call=${encodeURIComponent(callId)}`);
  say('Connecting…');
  const client = await connectClient(token, transport);
  let stream: MediaStream | undefined;
  // ?watch=1 joins receive-only: no camera or microphone is asked for.
  if (params.get('watch') !== '1') {
    say('Asking for camera and microphone…');
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
      $<HTMLVideoElement>('local').srcObject = stream;
    } catch (err) {
      say(`Camera/microphone unavailable (${(err as Error).message}); joining to watch and listen.`, true);
    }
  }
  say(`Connected over ${client.transportKind}; joining ${callId}…`);
  const remoteTracks: MediaStreamTrack[] = [];
  const call = await Call.join(client, callId, {
    ...(stream ? { stream } : {}),
    ...(params.get('name') ? { name: params.get('name') as string } : {}),
    ...(params.get('codec') === 'h264' ? { videoCodec: 'H264' as const } : {}),
  });
  window.switchboardDemo = { client, call, remoteTracks };

  call.on('track', ({ track, streams }) => {
    remoteTracks.push(track);
    const stream = streams[0] ?? new MediaStream([track]);
    const id = `remote-${stream.id}`;
    let figure = document.getElementById(id);
    if (!figure) {
      figure = document.createElement('figure');
      figure.id = id;
      const video = document.createElement('video');
      video.autoplay = true;
      video.playsInline = true;
      video.setAttribute('aria-label', 'Another participant');
      video.srcObject = stream;
      const caption = document.createElement('figcaption');
      caption.textContent = 'Participant';
      figure.append(video, caption);
      $('remotes').append(figure);
    }
  });
  call.on('participantLeft', () => say('A participant left.'));
  call.on('connectionState', (state) => say(`Media ${state} (${client.transportKind}).`, state === 'failed'));
  call.on('quality', (q) => {
    $('quality').textContent = `RTT ${q.rttMs ?? '–'} ms · MOS ${q.mos.toFixed(2)} · ${q.verdict}`;
  });
  call.on('ended', ({ reason }) => say(`Call ended (${reason}).`));

  say(`In call ${callId} over ${client.transportKind}.`);

  const muteAudio = $<HTMLButtonElement>('mute-audio');
  const muteVideo = $<HTMLButtonElement>('mute-video');
  const leave = $<HTMLButtonElement>('leave');
  for (const b of [muteAudio, muteVideo, leave]) b.disabled = false;
  muteAudio.onclick = async () => {
    const muted = muteAudio.getAttribute('aria-pressed') !== 'true';
    await call.mute('audio', muted);
    muteAudio.setAttribute('aria-pressed', String(muted));
    muteAudio.textContent = muted ? 'Unmute microphone' : 'Mute microphone';
  };
  muteVideo.onclick = async () => {
    const muted = muteVideo.getAttribute('aria-pressed') !== 'true';
    await call.mute('video', muted);
    muteVideo.setAttribute('aria-pressed', String(muted));
    muteVideo.textContent = muted ? 'Turn camera on' : 'Turn camera off';
  };
  leave.onclick = async () => {
    await call.leave();
    for (const t of stream?.getTracks() ?? []) t.stop();
    await client.close();
  };
}

const input = $<HTMLInputElement>('call-id');
input.value = params.get('call') ?? input.value;
$<HTMLButtonElement>('join').onclick = () => {
  $<HTMLButtonElement>('join').disabled = true;
  join(input.value).catch((err: Error) => say(`Could not join: ${err.message}`, true));
};
say('Ready. Choose a call and join.');
if (params.get('autojoin') === '1') $<HTMLButtonElement>('join').click();
