// The one message format of both channels: host ↔ worker (src/shared/workerProtocol.ts, over the fork IPC
// channel) and host ↔ webview (src/shared/webviewProtocol.ts, over postMessage).
//
// - A notification is `{ messageId, body }`.
// - A request sets `wantsReply: true`; it is answered exactly once, by `{ messageId, inReplyTo, body }`
//   or, when it failed, by `{ messageId, inReplyTo, body: null, error: { name, message } }`.
// - Every body is `{ type, ... }` with one `type` per kind of message across both channels.
import type { WireError } from './wireError';

export interface Envelope<B> {
  messageId: number;
  /** The request this message answers. */
  inReplyTo?: number;
  /** Set on requests: the receiver must answer (with a body or an error). */
  wantsReply?: boolean;
  body: B | null;
  error?: WireError;
}

export function isEnvelope(x: unknown): x is Envelope<unknown> {
  return !!x && typeof x === 'object' && typeof (x as Envelope<unknown>).messageId === 'number' && 'body' in x;
}

/** An envelope whose body is one of the `types` (a reply with an error has no body and also passes). */
export function isEnvelopeOf<B extends { type: string }>(x: unknown, types: readonly B['type'][]): x is Envelope<B> {
  if (!isEnvelope(x)) return false;
  const body = x.body as { type?: unknown } | null;
  if (body === null) return x.inReplyTo !== undefined && !!x.error;
  return typeof body === 'object' && types.includes(body.type as B['type']);
}
