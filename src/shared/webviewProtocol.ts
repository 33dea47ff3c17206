// The bodies of the messages between the extension host and the layer-graph webview (webview/main.ts),
// each sent in an envelope (src/shared/envelope.ts) through a MessageEndpoint (src/shared/MessageEndpoint.ts)
// at both ends; a request whose handler throws is answered with the envelope's error, which rejects the
// caller's promise with a RemoteError (a request never goes unanswered).
// - Handshake: the webview posts `ready` (a request) as the last step of its start-up; the host
//   answers it with `init` (as the reply). Later the host may send `overlay`, `select`, `error`
//   at any time. After a reload the webview restores its UI state from `vscode.getState()` once
//   `init` arrives.
//
// Assets (see src/extension/webviewHtml.ts): dist/webview.js (iife bundle) and media/webview.css,
// which is linked with id `__________cytoscape_stylesheet` so cytoscape does not inject a <style>.
import type { LayerGraphView, OverlayView } from './viewModel';

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
export interface ShowErrorMessage {
  type: 'showError';
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

export type ToWebview = InitMessage | OverlayMessage | SelectMessage | ShowErrorMessage | ExportedMessage | AckMessage;

// ---------------------------------------------------------------- webview → host

/** Sent last during start-up (a request); the host answers with `init`. */
export interface WebviewReadyMessage {
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
export interface WebviewLogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type FromWebview = WebviewReadyMessage | ExportMessage | NodeSelectedMessage | WebviewLogMessage | AckMessage;
