// A Kubernetes Indexed Job (batch/v1) that runs a sharded find: the pod with completion index K runs
// shard K/N; the run folder lives on a shared volume mounted at the same path in every pod.
import * as path from 'node:path';
import type { ClusterPlan } from './slurmScript';
import { shellQuote } from './shellQuote';

export interface K8sOptions {
  image: string;
  /** PersistentVolumeClaim (ReadWriteMany) holding the workspace and the run folder. */
  claim: string;
  /** Where the claim is mounted; the spec and the run folder must be inside it. */
  mountPath: string;
  /** Pods at once (default: all shards). */
  parallelism?: number;
}

/** A DNS-1123 label for the Job's name (lowercase letters, digits, '-', at most 63 characters). */
export function jobName(runDir: string): string {
  const base = path.basename(runDir).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `subnetwork-lens-${base || 'run'}`.slice(0, 63).replace(/-+$/, '');
}

export function k8sJob(plan: ClusterPlan, options: K8sOptions): Record<string, unknown> {
  const find = [...plan.command, 'find', plan.specPath, '--out', plan.runDir].map(shellQuote).join(' ');
  const limits: Record<string, string> = { cpu: String(plan.cpus) };
  if (plan.gpus) limits['nvidia.com/gpu'] = String(plan.gpus);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName(plan.runDir), labels: { 'app.kubernetes.io/name': 'subnetwork-lens' } },
    spec: {
      completionMode: 'Indexed',
      completions: plan.shards,
      parallelism: Math.min(options.parallelism ?? plan.shards, plan.shards),
      // A failed shard is retried once on its own; the others go on (items already saved are kept).
      backoffLimitPerIndex: 1,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'find',
            image: options.image,
            workingDir: plan.workingDir,
            command: ['sh', '-c', `exec ${find} --shard "$JOB_COMPLETION_INDEX/${plan.shards}" --threads ${plan.cpus}`],
            resources: { requests: { cpu: String(plan.cpus) }, limits },
            volumeMounts: [{ name: 'work', mountPath: options.mountPath }],
          }],
          volumes: [{ name: 'work', persistentVolumeClaim: { claimName: options.claim } }],
        },
      },
    },
  };
}
