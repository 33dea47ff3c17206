import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { find } from '../../../src/cli/commands/find';
import { plan } from '../../../src/cli/commands/plan';
import { sameRunResults } from './sameRunResults';
import { cliWords, plantedWorkspace, quiet } from './scaleHelpers';
import schema from './k8sJob.schema.json';

const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

interface Container {
  command: string[];
  workingDir: string;
  volumeMounts: { mountPath: string }[];
}

interface JobManifest {
  metadata: { name: string };
  spec: {
    completionMode: string; completions: number; parallelism: number;
    template: { spec: { containers: Container[] } };
  };
}

async function planK8s(spec: string, out: string, extra: string[] = []): Promise<JobManifest> {
  const args = [spec, '--shards', '2', '--out', out, '--k8s', '--image', 'registry.example/lens:1', '--claim', 'work'];
  assert.equal(await plan.run([...args, ...extra], quiet), 0);
  return JSON.parse(fs.readFileSync(path.join(out, 'k8s-job.json'), 'utf8')) as JobManifest;
}

describe('plan --k8s', () => {
  test('writes an Indexed Job that validates against the batch/v1 Job schema; the schema rejects mutants', async () => {
    const { dir, spec } = plantedWorkspace('plan-k8s-');
    const job = await planK8s(spec, path.join(dir, 'Run_1'), ['--gpus', '1', '--cpus', '2', '--parallelism', '5']);
    assert.ok(validate(job), JSON.stringify(validate.errors));
    assert.equal(job.metadata.name, 'subnetwork-lens-run-1');
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, 2);
    assert.equal(job.spec.parallelism, 2, 'no more pods than shards');
    const container = job.spec.template.spec.containers[0]!;
    assert.match(container.command[2]!, /find .* --shard "\$JOB_COMPLETION_INDEX\/2" --threads 2$/);
    assert.equal(container.volumeMounts[0]!.mountPath, dir, 'the folder holding the spec and the run');
    const mutants: [string, (j: any) => void][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      ['lower-case mode', (j) => { j.spec.completionMode = 'indexed'; }],
      ['Indexed without completions', (j) => { delete j.spec.completions; }],
      ['misspelt field', (j) => { j.spec.completionmode = 'Indexed'; }],
      ['restartPolicy Always', (j) => { j.spec.template.spec.restartPolicy = 'Always'; }],
      ['no image', (j) => { delete j.spec.template.spec.containers[0].image; }],
      ['claim without name', (j) => { delete j.spec.template.spec.volumes[0].persistentVolumeClaim.claimName; }],
    ];
    for (const [what, mutate] of mutants) {
      const copy: unknown = structuredClone(job);
      mutate(copy);
      assert.equal(validate(copy), false, what);
    }
  });

  test('needs --image and --claim, and a mount holding the spec and the run folder', async () => {
    const { dir, spec } = plantedWorkspace('plan-k8s-bad-');
    const k8s = [spec, '--shards', '2', '--out', path.join(dir, 'r'), '--k8s'];
    await assert.rejects(plan.run(k8s, quiet), /--k8s needs --image IMAGE and --claim PVC/);
    const elsewhere = ['--image', 'i', '--claim', 'c', '--mount', path.join(dir, 'data')];
    await assert.rejects(plan.run([...k8s, ...elsewhere], quiet), /the spec \(.*\) is not inside --mount/);
  });

  test('each pod\'s command, run here with its JOB_COMPLETION_INDEX, fills the folder like one process', async () => {
    const { dir, spec } = plantedWorkspace('plan-k8s-run-', { randomInit: false });
    const single = path.join(dir, 'single');
    assert.equal(await find.run([spec, '--out', single, '--threads', '1'], quiet), 0);
    const out = path.join(dir, 'sharded');
    const pod = (await planK8s(spec, out, ['--command', cliWords.join(' ')])).spec.template.spec.containers[0]!;
    const [command, ...args] = pod.command;
    const codes = await Promise.all([0, 1].map((index) => new Promise<number | null>((resolve) => {
      const env = { ...process.env, JOB_COMPLETION_INDEX: String(index) };
      spawn(command!, args, { cwd: pod.workingDir, env, stdio: 'ignore' }).on('exit', resolve);
    })));
    assert.deepEqual(codes, [0, 0]);
    sameRunResults(single, out);
  });
});
