import type { ErrorCode } from '@switchboard/protocol';

/** Failures the widget detects itself (beside the server's `SB_ERR_*` codes). */
export type WidgetErrorCode =
  | 'WIDGET_PERMISSION_DENIED'
  | 'WIDGET_NO_DEVICE'
  | 'WIDGET_DEVICE_BUSY'
  | 'WIDGET_UNSUPPORTED'
  | 'WIDGET_NETWORK_BLOCKED'
  | 'WIDGET_MEDIA_BLOCKED'
  | 'WIDGET_MISSING_CREDENTIALS';

/** What the user reads, and whether a network check (the tester page) would help. */
export interface ErrorText {
  text: string;
  /** Show the link to the connectivity tester. */
  tester: boolean;
}

const TRY_LATER = 'Please try again in a few minutes.';
const RELOAD = 'Please reload the page and try again.';
const SITE = 'This call button is not set up correctly; please tell the website’s owner.';

const WIDGET_TEXT: Record<WidgetErrorCode, ErrorText> = {
  WIDGET_PERMISSION_DENIED: {
    text: 'Your browser blocked the microphone or camera. Allow access for this site (the camera icon in the address bar), then try again.',
    tester: false,
  },
  WIDGET_NO_DEVICE: {
    text: 'No microphone (or camera, for a video call) was found. Plug one in, then try again.',
    tester: false,
  },
  WIDGET_DEVICE_BUSY: {
    text: 'Your microphone or camera is in use by another application. Close it, then try again.',
    tester: false,
  },
  WIDGET_UNSUPPORTED: {
    text: 'This browser cannot make calls from this page. Use a recent Chrome, Edge, Firefox or Safari over https.',
    tester: false,
  },
  WIDGET_NETWORK_BLOCKED: {
    text: 'We cannot reach the call service from your network. A firewall or proxy may block it.',
    tester: true,
  },
  WIDGET_MEDIA_BLOCKED: {
    text: 'The call connected but no audio or video can get through your network. A firewall may block it.',
    tester: true,
  },
  WIDGET_MISSING_CREDENTIALS: { text: SITE, tester: false },
};

/** Every code the server can send; the user side only meets some, but none shows raw. */
const SERVER_TEXT: Record<ErrorCode, string> = {
  SB_ERR_BAD_JSON: RELOAD,
  SB_ERR_BAD_FRAME: RELOAD,
  SB_ERR_UNSUPPORTED_VERSION: 'This page is out of date. Please reload it.',
  SB_ERR_UNKNOWN_TYPE: 'This page is out of date. Please reload it.',
  SB_ERR_INVALID_PARAMS: SITE,
  SB_ERR_FRAME_TOO_LARGE: RELOAD,
  SB_ERR_RATE_LIMITED: `Too many attempts from your network. ${TRY_LATER}`,
  SB_ERR_TOO_MANY_CONNECTIONS: `Too many calls from your network at once. ${TRY_LATER}`,
  SB_ERR_AUTH_REQUIRED: SITE,
  SB_ERR_AUTH_TIMEOUT: `The connection was too slow to start. ${RELOAD}`,
  SB_ERR_UNREACHABLE: 'We cannot reach the call service from your network. A firewall or proxy may block it.',
  SB_ERR_TOKEN_EXPIRED: `Your session has expired. ${RELOAD}`,
  SB_ERR_TOKEN_INVALID: SITE,
  SB_ERR_FORBIDDEN: SITE,
  SB_ERR_LISTEN_ONLY: SITE,
  SB_ERR_BAD_CREDENTIALS: SITE,
  SB_ERR_ALREADY_AUTHENTICATED: RELOAD,
  SB_ERR_SESSION_NOT_FOUND: `Your connection was lost. ${RELOAD}`,
  SB_ERR_SESSION_EXPIRED: `Your connection was lost for too long. ${RELOAD}`,
  SB_ERR_SESSION_REPLACED: 'This call continued in another tab or window.',
  SB_ERR_IDLE_TIMEOUT: `Your connection went quiet and was closed. ${RELOAD}`,
  SB_ERR_SERVER_DRAINING: 'The call service is restarting. Please try again in a moment.',
  SB_ERR_NOT_FOUND: SITE,
  SB_ERR_METHOD_NOT_ALLOWED: SITE,
  SB_ERR_PORTS_EXHAUSTED: `The call service is very busy. ${TRY_LATER}`,
  SB_ERR_PORT_UNAVAILABLE: `The call service is very busy. ${TRY_LATER}`,
  SB_ERR_MEDIA_WORKER_LOST: 'The call was cut off on our side. Please call again.',
  SB_ERR_CALL_NOT_FOUND: 'The call has already ended.',
  SB_ERR_PARTICIPANT_NOT_FOUND: 'You are no longer in this call.',
  SB_ERR_TRACK_NOT_FOUND:
    'Your audio or video could not be found in the call. Try hanging up and calling again.',
  SB_ERR_NEGOTIATION_FAILED:
    'Your browser and the call service could not agree on audio/video. Try another browser.',
  SB_ERR_QUEUE_NOT_FOUND: SITE,
  SB_ERR_QUEUE_CLOSED:
    'We are closed right now, so we cannot take your call. Please try again during opening hours.',
  SB_ERR_QUEUE_FULL: `All our agents are busy and the queue is full. ${TRY_LATER}`,
  SB_ERR_QUEUE_NOT_EMPTY: SITE,
  SB_ERR_AGENT_NOT_FOUND: SITE,
  SB_ERR_AGENT_BUSY: SITE,
  SB_ERR_NOT_YOUR_AGENT: SITE,
  SB_ERR_CONTACT_NOT_FOUND: 'Your call is no longer in the queue.',
  SB_ERR_CONTACT_ENDED: 'Your call has already ended.',
  SB_ERR_NOT_YOUR_CONTACT: 'This call belongs to another session.',
  SB_ERR_OFFER_NOT_FOUND: SITE,
  SB_ERR_OFFER_NOT_YOURS: SITE,
  SB_ERR_OFFER_EXPIRED: SITE,
  SB_ERR_OFFER_RESCINDED: SITE,
  SB_ERR_INVALID_TRANSITION: 'That is not possible at this point of the call.',
  SB_ERR_WIDGET_KEY_INVALID: SITE,
  SB_ERR_ORIGIN_NOT_ALLOWED: SITE,
  SB_ERR_INTERNAL: `Something went wrong on our side. ${TRY_LATER}`,
};

/** The human text for an error code; an unknown code is shown as is so support can look it up. */
export function errorText(code: string): ErrorText {
  if (Object.hasOwn(WIDGET_TEXT, code)) return WIDGET_TEXT[code as WidgetErrorCode];
  if (Object.hasOwn(SERVER_TEXT, code)) return { text: SERVER_TEXT[code as ErrorCode], tester: false };
  return { text: `Something went wrong (error ${code}). ${TRY_LATER}`, tester: false };
}

/** The widget code for a `getUserMedia` failure (a DOMException name). */
export function mediaErrorCode(name: string): WidgetErrorCode {
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'WIDGET_PERMISSION_DENIED';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'WIDGET_NO_DEVICE';
    case 'NotReadableError':
    case 'AbortError':
      return 'WIDGET_DEVICE_BUSY';
    default:
      return 'WIDGET_UNSUPPORTED';
  }
}

/** "about 3 minutes", for the estimated wait; null when no agent is staffed. */
export function waitText(estimatedWaitMs: number | null): string {
  if (estimatedWaitMs === null) return 'No agent is available right now; you keep your place.';
  const minutes = Math.round(estimatedWaitMs / 60_000);
  if (minutes < 1) return 'Estimated wait: less than a minute.';
  if (minutes === 1) return 'Estimated wait: about 1 minute.';
  return `Estimated wait: about ${minutes} minutes.`;
}
