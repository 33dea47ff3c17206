import * as path from 'node:path';

/** How this CLI was started (node, its flags such as --import tsx, the script), to start it again elsewhere. */
export function cliCommand(): string[] {
  return [process.execPath, ...process.execArgv, path.resolve(process.argv[1] ?? 'subnetwork-lens')];
}
