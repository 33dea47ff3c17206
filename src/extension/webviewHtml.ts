// The HTML page of the layer-graph webview. Strings only (no vscode import): the extension host
// fills in asWebviewUri() results, and the browser tests serve the same page over HTTP.
//
// CSP: nothing by default; scripts only with the nonce; styles only from the extension's files (the
// one stylesheet is linked with cytoscape's well-known id so cytoscape never injects a <style>);
// lit/@vscode-elements use constructable stylesheets (adoptedStyleSheets), which style-src does not
// block; element.style set from script (CSSOM) is not an inline style attribute and is allowed.

export interface WebviewHtmlOptions {
  /** dist/webview.js as a webview URI. */
  scriptUri: { toString(): string } | string;
  /** media/webview.css as a webview URI. */
  styleUri: { toString(): string } | string;
  /** Fresh random value per page load (base64 or hex). */
  nonce: string;
  /** `webview.cspSource`, e.g. `https://*.vscode-cdn.net`. */
  cspSource: string;
  title?: string;
}

/** The Content-Security-Policy the page carries (also used verbatim by the browser tests as an HTTP header). */
export function webviewCsp(nonce: string, cspSource: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function webviewHtml(options: WebviewHtmlOptions): string {
  const { nonce, cspSource } = options;
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const styleHref = attr(String(options.styleUri));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(webviewCsp(nonce, cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link id="__________cytoscape_stylesheet" rel="stylesheet" href="${styleHref}" nonce="${attr(nonce)}">
<title>${text(options.title ?? 'Subnetwork Lens')}</title>
</head>
<body>
<div id="app" data-nonce="${attr(nonce)}"><p class="loading" role="status">Loading the layer graph…</p></div>
<script nonce="${attr(nonce)}" src="${attr(String(options.scriptUri))}"></script>
</body>
</html>
`;
}
