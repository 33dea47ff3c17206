// `subnetwork-lens plan`: a Slurm or Kubernetes job that runs a find as shards.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../command';
import { defineCommand } from '../defineCommand';
import { shellQuote } from '../../core/runStore/shellQuote';
import { cliCommand } from '../cliCommand';
import type { ClusterPlan } from '../../core/runStore/slurmScript';

export const plan = defineCommand({
  name: 'plan',
  summary: 'Write a Slurm job array or a Kubernetes Indexed Job that runs a find as N shards into one folder.',
  positional: { metavar: 'SPEC.subnet.json', noun: 'task spec (*.subnet.json)' },
  description: [
    'Give exactly one of --slurm and --k8s; --k8s needs --image and --claim.',
    'Splits the run\'s work items into N shards: shard K runs `find SPEC --out DIR --shard K/N`; the shard',
    'that finishes the last item writes results.json, results.csv and report.html. DIR must be on a file',
    'system every node sees. Writes DIR/slurm.sbatch (submit with sbatch; logs in DIR/logs) or',
    'DIR/k8s-job.json (apply with kubectl apply -f), and DIR/plan.json (the run shows as queued in the',
    'Runs view until a shard starts). A stopped shard is continued by rerunning it or by',
    '`find SPEC --resume DIR`; `subnetwork-lens merge DIR` assembles whatever is complete.',
  ],
  options: {
    shards: {
      type: 'count', metavar: 'N', min: 1, required: true,
      help: 'Number of shards (array tasks, Job completions).',
    },
    out: { type: 'string', metavar: 'DIR', required: true, help: 'The run folder all shards share.' },
    slurm: { type: 'boolean', help: 'Write DIR/slurm.sbatch (a job array 0..N-1).' },
    partition: { type: 'string', metavar: 'P', help: 'Slurm partition.' },
    time: { type: 'string', metavar: 'T', help: 'Slurm time limit per shard (e.g. 2:00:00 or 1-00:00:00).' },
    k8s: { type: 'boolean', help: 'Write DIR/k8s-job.json (batch/v1 Job, completionMode Indexed).' },
    image: { type: 'string', metavar: 'IMAGE', help: 'Container image with subnetwork-lens installed (--k8s).' },
    claim: {
      type: 'string', metavar: 'PVC',
      help: 'ReadWriteMany PersistentVolumeClaim holding the workspace and DIR (--k8s).',
    },
    mount: {
      type: 'string', metavar: 'PATH',
      help: 'Where the claim is mounted (default: the folder holding both the spec and DIR).',
    },
    parallelism: { type: 'count', metavar: 'P', help: 'Pods at once (--k8s; default N).' },
    gpus: { type: 'count', metavar: 'G', help: 'GPUs per shard.' },
    cpus: {
      type: 'count', metavar: 'C', default: 1, min: 1,
      help: 'Cores per shard, also find\'s --threads (default 1).',
    },
    command: {
      type: 'string', metavar: 'CMD',
      help: 'How a node starts the CLI (default: as this plan was started; `subnetwork-lens` for --k8s).',
    },
  },
  async run({ positional: specFile, values }, io) {
    if (!values.slurm === !values.k8s) throw new UsageError('plan needs exactly one of --slurm and --k8s', 'plan');
    const { shards, cpus, gpus } = values;
    const specPath = path.resolve(specFile);
    const runDir = path.resolve(values.out);

    const { loadSpec } = await import('../../core/data/loadSpec');
    const { planItems } = await import('../../jobs/runFind');
    const spec = loadSpec(specPath);
    const items = planItems(spec).length;
    if (shards > items) io.err(`note: ${shards} shards, ${items} work items: ${shards - items} have nothing to do\n`);
    const cluster = { specPath, runDir, shards, cpus, gpus, workingDir: process.cwd() };
    fs.mkdirSync(path.join(runDir, 'logs'), { recursive: true });
    const [file, submit] = values.slurm ? await writeSlurm(cluster, values) : await writeK8s(cluster, values);
    // The Runs view shows the run as queued until its first shard starts.
    const { writePlanRecord } = await import('../../core/runStore/planRecord');
    writePlanRecord(runDir, {
      scheduler: values.slurm ? 'slurm' : 'k8s', shards, items, specPath, model: spec.model, seeds: spec.seeds,
      subroutines: Object.keys(spec.subroutines), created: new Date().toISOString(),
    });
    io.out(`${shards} shards of ${items} work items: ${file}\nsubmit with: ${submit} ${shellQuote(file)}\n`);
    return 0;
  },
});

type Cluster = Omit<ClusterPlan, 'command'>;
const words = (text: string) => text.trim().split(/\s+/).filter(Boolean);

async function writeSlurm(
  cluster: Cluster,
  values: { partition?: string; time?: string; command?: string },
): Promise<[string, string]> {
  const { slurmScript, SLURM_TIME } = await import('../../core/runStore/slurmScript');
  const { partition, time } = values;
  if (time !== undefined && !SLURM_TIME.test(time)) {
    throw new UsageError(`--time must be a Slurm time limit such as 90, 2:00:00 or 1-00:00:00, got '${time}'`, 'plan');
  }
  if (partition !== undefined && !/^[\w.-]+$/.test(partition)) {
    throw new UsageError(`--partition must be a partition name, got '${partition}'`, 'plan');
  }
  const command = values.command ? words(values.command) : cliCommand();
  const file = path.join(cluster.runDir, 'slurm.sbatch');
  fs.writeFileSync(file, slurmScript({ ...cluster, command }, { partition, time }), { mode: 0o755 });
  return [file, 'sbatch'];
}

async function writeK8s(
  cluster: Cluster,
  values: { image?: string; claim?: string; mount?: string; parallelism?: number; command?: string },
): Promise<[string, string]> {
  if (!values.image || !values.claim) throw new UsageError('--k8s needs --image IMAGE and --claim PVC', 'plan');
  const { k8sJob } = await import('../../core/runStore/k8sJob');
  const mountPath = path.resolve(values.mount ?? commonFolder(path.dirname(cluster.specPath), cluster.runDir));
  for (const [what, p] of [['the spec', cluster.specPath], ['--out', cluster.runDir]] as const) {
    if (path.relative(mountPath, p).startsWith('..')) {
      throw new UsageError(`${what} (${p}) is not inside --mount ${mountPath}`, 'plan');
    }
  }
  const { parallelism } = values;
  const command = words(values.command ?? 'subnetwork-lens');
  const job = k8sJob({ ...cluster, command }, { image: values.image, claim: values.claim, mountPath, parallelism });
  const file = path.join(cluster.runDir, 'k8s-job.json');
  fs.writeFileSync(file, `${JSON.stringify(job, null, 2)}\n`);
  return [file, 'kubectl apply -f'];
}

function commonFolder(a: string, b: string): string {
  const pa = a.split(path.sep), pb = b.split(path.sep);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join(path.sep) || path.sep;
}
