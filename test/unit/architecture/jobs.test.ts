// The three shells reach the engine through one job map (src/jobs/jobMap.ts): every CLI command that runs
// engine work is bound to a job of the map, every job but the extension's views has a command, and the real
// worker process serves exactly the map's jobs, answering as the CLI's in-process call does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fork } from 'node:child_process';
import { commands } from '../../../src/cli/commands/index';
import { main } from '../../../src/cli/cli';
import { jobs, type JobName } from '../../../src/jobs/jobMap';
import { isEnvelopeOf, type Envelope } from '../../../src/shared/envelope';
import { FROM_WORKER, type FromWorker, type ToWorker } from '../../../src/shared/workerProtocol';

const root = path.resolve(__dirname, '../../..');

/** Jobs only the extension runs: view models for the webview, which the CLI has no use for. */
const VIEW_JOBS: JobName[] = ['layerGraph', 'overlay'];

/** Starts src/worker/worker.ts as the extension does and sends it requests; replies by request id. */
function startWorker() {
  const child = fork(path.join(root, 'src', 'worker', 'worker.ts'), [], {
    execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const replies = new Map<number, (m: Envelope<FromWorker>) => void>();
  child.on('message', (m) => {
    if (isEnvelopeOf<FromWorker>(m, FROM_WORKER) && m.inReplyTo !== undefined) replies.get(m.inReplyTo)?.(m);
  });
  let id = 1;
  return {
    request(job: string, options: unknown): Promise<Envelope<FromWorker>> {
      const messageId = id++;
      const reply = new Promise<Envelope<FromWorker>>((resolve) => replies.set(messageId, resolve));
      const envelope: Envelope<ToWorker> = { messageId, wantsReply: true, body: { type: 'runJob', job, options } };
      child.send(envelope);
      return reply;
    },
    stop: () => child.kill(),
  };
}

describe('one job map for the CLI, the worker and the extension', () => {
  test('each engine command is bound to a job of the map; every job but the views has its command', () => {
    const names = Object.keys(jobs) as JobName[];
    const bound = commands.flatMap((c) => (c.job ? [c.job] : []));
    for (const job of bound) assert.ok(names.includes(job), `a command runs '${job}', which is not in the job map`);
    assert.deepEqual(
      names.filter((name) => !VIEW_JOBS.includes(name)).sort(), [...bound].sort(),
      'the CLI runs every job of the map but the views, each from one command',
    );
  });

  test('the worker serves exactly the map and answers a job as the CLI prints it', async () => {
    const worker = startWorker();
    try {
      const unknown = await worker.request('no-such-job', {});
      assert.equal(unknown.error?.message, `unknown job 'no-such-job' (jobs: ${Object.keys(jobs).join(', ')})`);

      const model = path.join(root, 'test', 'fixtures', 'mlp.onnx');
      const reply = await worker.request('inspect', { modelPath: model });
      assert.equal(reply.body?.type, 'jobResult');
      let printed = '';
      const io = { out: (t: string) => { printed += t; }, err: () => {} };
      assert.equal(await main(['inspect', model, '--json'], io), 0);
      const { file, ...report } = JSON.parse(printed) as Record<string, unknown>;
      assert.equal(file, model);
      assert.deepEqual(reply.body?.type === 'jobResult' && reply.body.result, report);
    } finally {
      worker.stop();
    }
  });
});
