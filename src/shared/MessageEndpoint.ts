// One end of an envelope channel (src/shared/envelope.ts) with request/reply bookkeeping: the host and the
// webview each hold one (no DOM or vscode imports here).
import { isEnvelope, type Envelope } from './envelope';
import { RemoteError, toWireError } from './wireError';

/**
 * `post` is how envelopes leave (webview: `vscode.postMessage`; host: `panel.webview.postMessage`); feed
 * every incoming envelope to `receive`. The handler's return value answers requests; a throw answers with
 * the envelope's `error`.
 */
export class MessageEndpoint<In extends { type: string }, Out extends { type: string }> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(body: In): void; reject(e: Error): void }>();

  constructor(
    private readonly postEnvelope: (envelope: Envelope<Out>) => unknown,
    private readonly handler: (body: In, envelope: Envelope<In>) => Out | void | Promise<Out | void>,
  ) {}

  /** Sends a notification. */
  post(body: Out): number {
    const messageId = this.nextId++;
    this.postEnvelope({ messageId, body });
    return messageId;
  }

  /** Sends a request and resolves with the reply's body (rejects with RemoteError). */
  request(body: Out): Promise<In> {
    const messageId = this.nextId++;
    return new Promise<In>((resolve, reject) => {
      this.pending.set(messageId, { resolve, reject });
      this.postEnvelope({ messageId, wantsReply: true, body });
    });
  }

  /** Handles one incoming envelope (anything else is ignored and returns false). */
  async receive(message: unknown): Promise<boolean> {
    if (!isEnvelope(message)) return false;
    const envelope = message as Envelope<In>;
    if (envelope.inReplyTo !== undefined && this.pending.has(envelope.inReplyTo)) {
      const waiter = this.pending.get(envelope.inReplyTo)!;
      this.pending.delete(envelope.inReplyTo);
      if (envelope.error) waiter.reject(new RemoteError(envelope.error));
      else waiter.resolve(envelope.body as In);
      return true;
    }
    if (envelope.body === null) return true;
    const inReplyTo = envelope.messageId;
    try {
      const out = await this.handler(envelope.body, envelope);
      if (envelope.wantsReply) {
        const body = out ?? ({ type: 'ack' } as unknown as Out);
        this.postEnvelope({ messageId: this.nextId++, inReplyTo, body });
      }
    } catch (e) {
      if (!envelope.wantsReply) throw e;
      this.postEnvelope({ messageId: this.nextId++, inReplyTo, body: null, error: toWireError(e) });
    }
    return true;
  }

  /** Rejects every request still waiting (e.g. when the panel is disposed). */
  dispose(): void {
    const gone = { name: 'Disposed', message: 'the other end went away before answering' };
    for (const w of this.pending.values()) w.reject(new RemoteError(gone));
    this.pending.clear();
  }
}
