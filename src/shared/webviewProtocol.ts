// Messages between the extension host and the layer-graph webview (webview/main.ts).
//
// Every message travels in one envelope, `{ messageId, inReplyTo?, wantsReply?, body, error? }`.
// - A notification is `{ messageId, body }`.
// - A request sets `wantsReply: true`; the other side answers with `{ messageId, inReplyTo, body }`
//   or, when its handler throws, `{ messageId, inReplyTo, body: null, error: { name, message } }`,
//   which rejects the caller's promise (a request never goes unanswered).
// - Handshake: the webview posts `ready` (a request) as the last step of its start-up; the host
//   answers it with `init` (as the reply). Later the host may send `overlay`, `select`, `error`
//   at any time. After a reload the webview restores its UI state from `vscode.getState()` once
//   `init` arrives.
// Both ends can use `MessageEndpoint` below (no DOM or vscode imports here).
//
// Assets (see src/extension/webviewHtml.ts): dist/webview.js (iife bundle) and media/webview.css,
// which is linked with id `__________cytoscape_stylesheet` so cytoscape does not inject a <style>.
import type { LayerGraphView, OverlayView } from './viewModel';
import type { WireError } from './wireError';

// ---------------------------------------------------------------- host → webview

/** Reply to `ready`: the layer graph to draw (and, optionally, an overlay already known). */
export interface InitMessage {
  type: 'init';
  view: LayerGraphView;
  /** Window title shown above the graph, e.g. the model file name. */
  title?: string;
  overlay?: OverlayView | null;
}

/** A run's subnetworks, overlap and ablation results to draw over the graph (null clears it). */
export interface OverlayMessage {
  type: 'overlay';
  overlay: OverlayView | null;
  /** Show only this subroutine's subnetwork / only this seed, when the user opened one from the tree. */
  subroutine?: string;
  seed?: number;
}

/** Select (and reveal) a node, or show only one subroutine / seed of the current overlay. */
export interface SelectMessage {
  type: 'select';
  nodeId?: string;
  subroutine?: string;
  seed?: number;
}

/** Something went wrong on the host side (e.g. the model cannot be read); shown in place of the graph. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

/** Reply to `export`: where the file was saved, or null when the user cancelled. */
export interface ExportedMessage {
  type: 'exported';
  path: string | null;
}

/** Generic acknowledgement of a request that has nothing to return. */
export interface AckMessage {
  type: 'ack';
}

export type ToWebview = InitMessage | OverlayMessage | SelectMessage | ErrorMessage | ExportedMessage | AckMessage;

// ---------------------------------------------------------------- webview → host

/** Sent last during start-up (a request); the host answers with `init`. */
export interface ReadyMessage {
  type: 'ready';
}

/** Save the graph picture: PNG as base64 (no data: prefix), SVG as text. Request; reply `exported`. */
export interface ExportMessage {
  type: 'export';
  format: 'png' | 'svg';
  /** Suggested file name, e.g. `model.layers.svg`. */
  fileName: string;
  data: string;
  encoding: 'base64' | 'utf8';
}

/** The user selected a node (for the host's status bar / reveal in other views). */
export interface NodeSelectedMessage {
  type: 'nodeSelected';
  nodeId: string | null;
}

/** A problem inside the webview worth logging on the host (uncaught error, CSP violation). */
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type FromWebview = ReadyMessage | ExportMessage | NodeSelectedMessage | LogMessage | AckMessage;

// ---------------------------------------------------------------- envelope and endpoint

export interface Envelope<B> {
  messageId: number;
  inReplyTo?: number;
  /** Set on requests: the receiver must answer (with a body or an error). */
  wantsReply?: boolean;
  body: B | null;
  error?: WireError;
}

/** Raised on the caller's side when the other end answered a request with an error. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(readonly remoteName: string, message: string) {
    super(message);
  }
}

export function isEnvelope(x: unknown): x is Envelope<unknown> {
  return !!x && typeof x === 'object' && typeof (x as Envelope<unknown>).messageId === 'number' && 'body' in (x as object);
}

/**
 * One end of the channel. `post` is how envelopes leave (webview: `vscode.postMessage`; host:
 * `panel.webview.postMessage`); feed every incoming envelope to `receive`. The handler's return
 * value answers requests; a throw answers with `error`.
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
      if (envelope.error) waiter.reject(new RemoteError(envelope.error.name, envelope.error.message));
      else waiter.resolve(envelope.body as In);
      return true;
    }
    if (envelope.body === null) return true;
    try {
      const out = await this.handler(envelope.body, envelope);
      if (envelope.wantsReply) {
        this.postEnvelope({ messageId: this.nextId++, inReplyTo: envelope.messageId, body: out ?? ({ type: 'ack' } as unknown as Out) });
      }
    } catch (e) {
      const error = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
      if (envelope.wantsReply) this.postEnvelope({ messageId: this.nextId++, inReplyTo: envelope.messageId, body: null, error });
      else throw e;
    }
    return true;
  }

  /** Rejects every request still waiting (e.g. when the panel is disposed). */
  dispose(): void {
    for (const w of this.pending.values()) w.reject(new RemoteError('Disposed', 'the other end went away before answering'));
    this.pending.clear();
  }
}
