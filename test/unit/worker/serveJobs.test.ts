// The worker's end of the one wire protocol, driven through a fake port: every message is an envelope,
// a request gets throttled progress then exactly one reply (result or error), a cancel aborts the job.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serveJobs } from '../../../src/worker/serveJobs';
import { isEnvelopeOf, type Envelope } from '../../../src/shared/envelope';
import { FROM_WORKER, type FromWorker } from '../../../src/shared/workerProtocol';
import type { JobName, JobTable } from '../../../src/jobs/jobMap';

function fakePort() {
  const sent: Envelope<FromWorker>[] = [];
  let listener: (m: unknown) => void = () => {};
  let id = 1000;
  return {
    sent,
    port: { send: (m: Envelope<FromWorker>) => sent.push(m), onMessage: (l: (m: unknown) => void) => (listener = l) },
    deliver: (m: unknown) => listener(m),
    request: (job: string, options: unknown) => {
      const messageId = id++;
      listener({ messageId, wantsReply: true, body: { type: 'runJob', job, options } });
      return messageId;
    },
    cancel: (request: number) => listener({ messageId: id++, body: { type: 'cancelJob', request } }),
  };
}

const JOB_NAMES: JobName[] = [
  'find', 'ablate', 'export', 'prune', 'attribute', 'gradcheck', 'inspect', 'layerGraph', 'overlay', 'demo',
];

/** A job table whose jobs fail unless given. */
function jobTable(given: Partial<JobTable>): JobTable {
  const never = async (): Promise<never> => {
    throw new Error('not used');
  };
  return { ...Object.fromEntries(JOB_NAMES.map((name) => [name, never])), ...given } as JobTable;
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const repliesTo = (sent: Envelope<FromWorker>[], request: number) => sent.filter((m) => m.inReplyTo === request);

describe('serveJobs', () => {
  test('announces itself, answers a request with throttled progress, the last progress, one result', async () => {
    const { sent, port, request } = fakePort();
    serveJobs(port, jobTable({
      find: async (o, hooks) => {
        for (let i = 1; i <= 50; i++) hooks.onProgress({ fraction: i / 50, message: 'step', step: i });
        return { runDir: o.outDir!, status: 'complete' };
      },
    }));
    assert.deepEqual(sent[0]?.body, { type: 'workerReady', pid: process.pid });
    const id = request('find', { specPath: 's', outDir: '/r' });
    await settle();
    assert.ok(sent.every((m) => isEnvelopeOf<FromWorker>(m, FROM_WORKER)), 'every message is an envelope');
    assert.equal(new Set(sent.map((m) => m.messageId)).size, sent.length, 'message ids are unique');
    const progress = sent.flatMap((m) => (m.body?.type === 'jobProgress' && m.body.request === id ? [m.body] : []));
    assert.ok(progress.length >= 1 && progress.length < 50, `${progress.length} progress messages`);
    assert.equal(progress.at(-1)!.event.step, 50);
    assert.deepEqual(repliesTo(sent, id).map((m) => m.body), [
      { type: 'jobResult', result: { runDir: '/r', status: 'complete' } },
    ]);
    assert.equal(sent.at(-1)!.inReplyTo, id, 'the reply comes after the last progress');
  });

  test('a thrown engine error is the reply\'s {name, message}; a cancel aborts the job signal', async () => {
    const { sent, port, request, cancel } = fakePort();
    let aborted = false;
    serveJobs(port, jobTable({
      find: async () => {
        throw Object.assign(new Error('bad head'), { name: 'SpecError' });
      },
      ablate: (_o, hooks) => new Promise((_resolve, reject) => hooks.signal.addEventListener('abort', () => {
        aborted = true;
        reject(new Error('stopped mid-step'));
      })),
    }));
    const failing = request('find', { specPath: 's' });
    const cancelled = request('ablate', { runDir: '/r', subroutine: 'a', seed: 0, mode: 'zero' });
    cancel(cancelled);
    await settle();
    const only = (id: number) => repliesTo(sent, id).map(({ body, error }) => ({ body, error }));
    assert.deepEqual(only(failing), [{ body: null, error: { name: 'SpecError', message: 'bad head' } }]);
    assert.equal(aborted, true);
    assert.deepEqual(only(cancelled), [{ body: null, error: { name: 'AbortError', message: 'cancelled' } }]);
  });

  test('a job outside the map is answered with an error naming the jobs it serves', async () => {
    const { sent, port, request } = fakePort();
    serveJobs(port, jobTable({}));
    const id = request('format-disk', {});
    await settle();
    assert.equal(repliesTo(sent, id)[0]?.error?.message, `unknown job 'format-disk' (jobs: ${JOB_NAMES.join(', ')})`);
  });

  test('logs and ignores a malformed message instead of crashing', async () => {
    const { sent, port, deliver } = fakePort();
    serveJobs(port, jobTable({}));
    deliver({ type: 'runJob', id: 3 });
    deliver({ messageId: 4, body: { type: 'jobResult', result: 1 } });
    deliver('hello');
    await settle();
    assert.deepEqual(sent.slice(1).map((m) => m.body?.type), ['workerLog', 'workerLog', 'workerLog']);
  });
});
