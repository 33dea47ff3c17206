// Shared pieces of the run-folder and scaling tests: the planted workspace, the CLI as a child process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import type { RunInfo } from '../../../src/shared/results';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';

export const repoRoot = path.join(__dirname, '..', '..', '..');
export const quiet: CliIO = { out() {}, err() {} };

/** The CLI started as `node --import tsx src/cli/main.ts`, words as in a shell. */
export const cliWords = [process.execPath, '--import', 'tsx', path.join(repoRoot, 'src', 'cli', 'main.ts')];

export function spawnCli(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(cliWords[0]!, [...cliWords.slice(1), ...args], { cwd: repoRoot });
}

export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args);
  let stdout = '', stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d; });
  child.stderr.on('data', (d: Buffer) => { stderr += d; });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * The planted two-stream workspace: 2 subroutines × 2 seeds, with the random-init control 8 work items.
 * `seeds`, `randomInit` and the epochs change its size.
 */
export function plantedWorkspace(prefix: string, o: { epochs?: number; seeds?: number[]; randomInit?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const controls = { randomInit: o.randomInit ?? true, randomAblations: 3, ablationModes: ['zero', 'mean'] };
  const extra = { seeds: o.seeds ?? [0, 1], controls };
  const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: o.epochs ?? 3 }, extra);
  return { dir, spec };
}

export const readRunInfo = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunInfo;

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

