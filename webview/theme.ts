// VS Code theme colours for canvas drawing. Cytoscape styles cannot use CSS variables, so the
// --vscode-* values are read with getComputedStyle and handed to the graph again when the theme
// changes (VS Code swaps the body class vscode-light / vscode-dark / vscode-high-contrast[-light]).

export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  background: string;
  foreground: string;
  muted: string;
  border: string;
  focus: string;
  nodeFill: string;
  groupFill: string;
  edge: string;
  highlight: string;
  fontFamily: string;
  fontSize: number;
}

/** Okabe & Ito's colour-blind-safe palette without black: one colour per subnetwork. */
export const SUBNETWORK_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00',
  '#CC79A7', '#999999'];

export function subnetworkColour(index: number): string {
  return SUBNETWORK_COLOURS[index % SUBNETWORK_COLOURS.length]!;
}

export function readTheme(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const cls = document.body.classList;
  const kind: Theme['kind'] = cls.contains('vscode-high-contrast-light') ? 'high-contrast-light'
    : cls.contains('vscode-high-contrast') ? 'high-contrast'
    : cls.contains('vscode-light') ? 'light' : 'dark';
  const light = kind === 'light' || kind === 'high-contrast-light';
  const hc = kind.startsWith('high-contrast');
  const background = v('--vscode-editor-background', light ? '#ffffff' : '#1e1e1e');
  const foreground = v('--vscode-editor-foreground', light ? '#333333' : '#cccccc');
  return {
    kind,
    background,
    foreground,
    muted: v('--vscode-descriptionForeground', light ? '#717171' : '#9d9d9d'),
    border: hc ? v('--vscode-contrastBorder', foreground)
      : v('--vscode-editorWidget-border', light ? '#c8c8c8' : '#454545'),
    focus: v('--vscode-focusBorder', light ? '#0090f1' : '#007fd4'),
    nodeFill: v('--vscode-editorWidget-background', light ? '#f3f3f3' : '#252526'),
    groupFill: v('--vscode-sideBar-background', light ? '#f8f8f8' : '#1b1b1c'),
    edge: hc ? foreground : v('--vscode-editorLineNumber-foreground', light ? '#999999' : '#6e7681'),
    highlight: hc ? v('--vscode-contrastActiveBorder', '#f38518')
      : v('--vscode-editorLink-activeForeground', light ? '#0000ff' : '#4e94ce'),
    fontFamily: v('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: parseFloat(v('--vscode-font-size', '13')) || 13,
  };
}

/** Calls `onChange` whenever the body class or its inline style (where VS Code puts the variables) changes. */
export function watchTheme(onChange: (theme: Theme) => void): () => void {
  let last = JSON.stringify(readTheme());
  const observer = new MutationObserver(() => {
    const theme = readTheme();
    const key = JSON.stringify(theme);
    if (key === last) return;
    last = key;
    onChange(theme);
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}
