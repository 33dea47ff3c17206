// Starts code-server 4.100.3 (VS Code 1.100.3, installed by scripts/install-code-server.sh into
// .tools/) on 127.0.0.1 in its own process group, and headless Chromium pointed at it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';

export const REPO = path.resolve(__dirname, '..', '..');
export const CODE_SERVER = path.join(REPO, '.tools', 'code-server', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO, 'test-artifacts', 'vscode');
/** The extension folder under test: the repo, or SNL_EXTENSION_PATH (e.g. an unpacked VSIX). */
export const EXTENSION = process.env.SNL_EXTENSION_PATH ? path.resolve(process.env.SNL_EXTENSION_PATH) : REPO;

/** Why code-server or Chromium cannot be started here, or undefined when both are installed. */
export function missingTools(): string | undefined {
  if (!fs.existsSync(CODE_SERVER)) {
    return `code-server is not installed (${path.relative(REPO, CODE_SERVER)} missing); ` +
      'run scripts/install-code-server.sh';
  }
  if (!fs.existsSync(CHROMIUM)) {
    return `Chromium is not installed at ${CHROMIUM}; ` +
      'run scripts/install-code-server.sh --chromium (or apt-get install -y chromium)';
  }
  return undefined;
}

/** Why the integration tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  const tools = missingTools();
  if (tools) return tools;
  for (const f of ['dist/extension.js', 'dist/worker.js', 'dist/test/index.js']) {
    if (!fs.existsSync(path.join(EXTENSION, f))) return `${path.join(EXTENSION, f)} is missing; run npm run build`;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  port: number;
  origin: string;
  /** URL that opens `folder` with the extension under development and its in-host tests. */
  url(folder: string, withTests: boolean): string;
  stop(): Promise<void>;
  logFile: string;
}

export interface StartOptions {
  /** Folder for user data, extensions, config and the log. */
  home: string;
  /** Workspace trust on (folders open in Restricted Mode) or off (everything trusted). */
  trust: boolean;
  /** Extension folder under development (default: the repo). */
  extensionPath?: string;
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const port = await freePort();
  const home = options.home;
  const userData = path.join(home, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(home, 'extensions'), { recursive: true });
  const settings: Record<string, unknown> = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': options.trust,
    // Restricted Mode without the modal asking: the folder just opens untrusted.
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'always',
    'window.commandCenter': false,
    'chat.commandCenter.enabled': false,
  };
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const config = path.join(home, 'config.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const logFile = path.join(home, 'code-server.log');
  const out = fs.openSync(logFile, 'a');
  const args = [
    '--config', config,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userData,
    '--extensions-dir', path.join(home, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(options.trust ? [] : ['--disable-workspace-trust']),
  ];
  const child: ChildProcess = spawn(CODE_SERVER, args, {
    detached: true, // own process group: stop() kills code-server and every extension host it forked
    stdio: ['ignore', out, out],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'xdg-config'), XDG_DATA_HOME: path.join(home, 'xdg-data') },
  });
  fs.closeSync(out);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `code-server exited (${signal ?? code}); see ${logFile}`;
  });
  const origin = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      const r = await fetch(`${origin}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > 60_000)
      throw new Error(`code-server did not answer on ${origin} within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const ext = options.extensionPath ?? EXTENSION;
  return {
    port,
    origin,
    logFile,
    url(folder, withTests) {
      const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
      const payload = [['extensionDevelopmentPath', remote(ext)],
        ...(withTests ? [['extensionTestsPath', remote(path.join(ext, 'dist', 'test', 'index.js'))]] : [])];
      return `${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}
