// The "Subnetwork Lens" output channel. Engine messages and job outcomes go here; stacks never do.
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Subnetwork Lens', { log: true });
  }

  info(line: string): void {
    this.channel.info(line);
  }

  warn(line: string): void {
    this.channel.warn(line);
  }

  error(line: string): void {
    this.channel.error(line);
  }

  /** Appends a block of text (a results table) as-is. */
  block(text: string): void {
    for (const line of text.split('\n')) this.channel.info(line);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
