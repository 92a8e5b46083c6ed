import {
  isRequestType,
  REQUESTS,
  type RequestFrame,
  RequestFrameSchema,
  type RequestType,
  SUPPORTED_VERSIONS,
  SwitchboardError,
} from '@switchboard/protocol';

/** A request that passed every boundary check: its `data` matches its type's schema. */
export interface ValidRequest {
  id: string;
  type: RequestType;
  params: unknown;
}

export type ParseOutcome =
  | { ok: true; request: ValidRequest }
  | { ok: false; error: SwitchboardError; re: string | null; type: string | null };

function fail(error: SwitchboardError, re: string | null = null, type: string | null = null): ParseOutcome {
  return { ok: false, error, re, type };
}

/** Checks one raw frame: size, JSON, envelope, version, type, parameters — in that order. */
export function parseFrame(raw: string, maxBytes: number): ParseOutcome {
  if (Buffer.byteLength(raw, 'utf8') > maxBytes) {
    return fail(
      new SwitchboardError('SB_ERR_FRAME_TOO_LARGE', `Frames are limited to ${maxBytes} bytes.`, {
        maxBytes,
      }),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail(new SwitchboardError('SB_ERR_BAD_JSON', 'The frame is not valid JSON.'));
  }
  return parseValue(json);
}

/** The checks of {@link parseFrame} after JSON decoding (long-poll bodies arrive decoded). */
export function parseValue(json: unknown): ParseOutcome {
  const envelope = RequestFrameSchema.safeParse(json);
  if (!envelope.success) {
    const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
    return fail(
      new SwitchboardError('SB_ERR_BAD_FRAME', 'Expected {"v": 1, "id": "…", "type": "…", "data": {…}}.', {
        issues: envelope.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      }),
      typeof id === 'string' && id.length <= 64 ? id : null,
    );
  }
  const frame: RequestFrame = envelope.data;
  if (!SUPPORTED_VERSIONS.includes(frame.v)) {
    return fail(
      new SwitchboardError('SB_ERR_UNSUPPORTED_VERSION', `Protocol version ${frame.v} is not supported.`, {
        supported: [...SUPPORTED_VERSIONS],
      }),
      frame.id,
      frame.type,
    );
  }
  if (!isRequestType(frame.type)) {
    return fail(
      new SwitchboardError('SB_ERR_UNKNOWN_TYPE', `Unknown message type "${frame.type}".`),
      frame.id,
      frame.type,
    );
  }
  const params = REQUESTS[frame.type].params.safeParse(frame.data);
  if (!params.success) {
    return fail(
      new SwitchboardError('SB_ERR_INVALID_PARAMS', `Invalid data for "${frame.type}".`, {
        issues: params.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      }),
      frame.id,
      frame.type,
    );
  }
  return { ok: true, request: { id: frame.id, type: frame.type, params: params.data } };
}
