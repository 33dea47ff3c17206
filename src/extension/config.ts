// The extension's settings (package.json `contributes.configuration`), read fresh on every use.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MaskMethod } from '../shared/spec';
import { RUNS_DIR } from '../shared/results';
import type { FindOptions } from '../shared/jobs';

export interface MaskDefaults {
  method: MaskMethod;
  granularity: 'weight' | 'unit';
  init: number;
  lambda: number;
  lr: number;
  epochs: number;
  batch: number;
  temperature: [number, number];
}

export interface Settings {
  /** 0 = let onnxruntime choose. */
  threads: number;
  resultsFolder: string;
  randomAblations: number;
  seeds: number;
  mask: MaskDefaults;
}

export function readSettings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration('subnetworkLens', scope);
  const machine = vscode.workspace.getConfiguration('subnetworkLens');
  return {
    threads: machine.get<number>('threads', 0),
    resultsFolder: c.get<string>('resultsFolder', RUNS_DIR) || RUNS_DIR,
    randomAblations: c.get<number>('randomAblations', 100),
    seeds: c.get<number>('seeds', 3),
    mask: {
      method: c.get<MaskMethod>('mask.method', 'continuous-sparsification'),
      granularity: c.get<'weight' | 'unit'>('mask.granularity', 'weight'),
      init: c.get<number>('mask.init', 0.05),
      lambda: c.get<number>('mask.lambda', 1e-8),
      lr: c.get<number>('mask.lr', 0.01),
      epochs: c.get<number>('mask.epochs', 90),
      batch: c.get<number>('mask.batch', 64),
      temperature: c.get<[number, number]>('mask.temperature', [1, 200]),
    },
  };
}

/** Absolute results folder of a workspace folder (the setting may be absolute or relative to the folder). */
export function resultsFolder(folder: vscode.WorkspaceFolder): string {
  const setting = readSettings(folder.uri).resultsFolder;
  return path.isAbsolute(setting) ? setting : path.join(folder.uri.fsPath, setting);
}

/** `threads` as FindOptions/AblateOptions want it: undefined lets the engine decide. */
/** The `subnetworkLens.executionProvider` setting (machine-wide: it names what this machine has). */
export function deviceOption(): FindOptions['device'] {
  return vscode.workspace.getConfiguration('subnetworkLens').get<FindOptions['device']>('executionProvider', 'cpu');
}

/** The `subnetworkLens.parallelJobs` setting: `auto` or a number of compute processes for one find. */
export function parallelJobsOption(): string | number {
  return vscode.workspace.getConfiguration('subnetworkLens').get<string | number>('parallelJobs', 'auto');
}

export function threadsOption(): number | undefined {
  const t = readSettings().threads;
  return t > 0 ? t : undefined;
}
