// A Slurm batch script that runs a sharded find as a job array: task K of N runs shard K/N into the
// shared run folder; the task that finishes the last work item writes the results.
import * as path from 'node:path';
import { shellQuote } from './shellQuote';

export interface ClusterPlan {
  /** The command that starts the CLI on the compute node, as words (e.g. ['subnetwork-lens']). */
  command: string[];
  specPath: string;
  runDir: string;
  shards: number;
  /** Cores per shard, passed to find as --threads. */
  cpus: number;
  gpus?: number;
  /** Working directory of every task (relative paths in `command` resolve against it). */
  workingDir: string;
}

export interface SlurmOptions {
  partition?: string;
  /** Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
  time?: string;
}

export const SLURM_TIME = /^(\d+-)?\d+(:\d{1,2}){0,2}$/;

export function slurmScript(plan: ClusterPlan, options: SlurmOptions = {}): string {
  const logs = path.join(plan.runDir, 'logs');
  const directives = [
    `--job-name=${`subnetwork-lens-${path.basename(plan.runDir)}`.replace(/[^\w.-]/g, '_')}`,
    `--array=0-${plan.shards - 1}`,
    '--ntasks=1',
    `--cpus-per-task=${plan.cpus}`,
    `--chdir=${plan.workingDir}`,
    `--output=${path.join(logs, 'shard-%a.out')}`,
    `--error=${path.join(logs, 'shard-%a.err')}`,
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
    ...(plan.gpus ? [`--gres=gpu:${plan.gpus}`] : []),
  ];
  const find = [...plan.command, 'find', plan.specPath, '--out', plan.runDir].map(shellQuote).join(' ');
  return [
    '#!/bin/bash',
    `# ${plan.shards} shards of one subnetwork-lens run; submit with:`,
    `#   sbatch ${shellQuote(path.join(plan.runDir, 'slurm.sbatch'))}`,
    ...directives.map((d) => `#SBATCH ${shellQuote(d)}`),
    'set -euo pipefail',
    // scancel sends SIGTERM: find stops after the current step; saved items stay for a rerun or --resume.
    `exec ${find} --shard "$SLURM_ARRAY_TASK_ID/${plan.shards}" --threads ${plan.cpus}`,
    '',
  ].join('\n');
}
