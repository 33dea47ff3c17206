import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serveJobs, type JobHandlers } from '../../../src/worker/serveJobs';
import type { FromWorker } from '../../../src/shared/workerProtocol';

function fakePort() {
  const sent: FromWorker[] = [];
  let listener: (m: unknown) => void = () => {};
  return {
    sent,
    port: { send: (m: FromWorker) => sent.push(m), onMessage: (l: (m: unknown) => void) => (listener = l) },
    deliver: (m: unknown) => listener(m),
  };
}

const never = async (): Promise<never> => {
  throw new Error('not used');
};

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('serveJobs', () => {
  test('answers a request with throttled progress, the last progress event, then one result', async () => {
    const { sent, port, deliver } = fakePort();
    const handlers: JobHandlers = {
      find: async (o, hooks) => {
        for (let i = 1; i <= 50; i++) hooks.onProgress({ fraction: i / 50, message: 'step', step: i });
        return { runDir: o.outDir!, status: 'complete' };
      },
      ablate: never, exportModel: never, layerGraph: never, overlay: never,
    };
    serveJobs(port, handlers);
    deliver({ type: 'run', id: 7, kind: 'find', options: { specPath: 's', outDir: '/r' } });
    await settle();
    const progress = sent.filter((m) => m.type === 'progress');
    assert.ok(progress.length >= 1 && progress.length < 50, `${progress.length} progress messages`);
    assert.equal(progress.at(-1)?.type === 'progress' && progress.at(-1)!.event.step, 50);
    assert.deepEqual(sent.at(-1), { type: 'result', id: 7, kind: 'find', result: { runDir: '/r', status: 'complete' } });
    assert.equal(sent.filter((m) => m.type === 'result' || m.type === 'error').length, 1);
  });

  test('a thrown engine error becomes {name, message} and a cancel aborts the job signal', async () => {
    const { sent, port, deliver } = fakePort();
    let aborted = false;
    const handlers: JobHandlers = {
      find: async () => {
        throw Object.assign(new Error('bad head'), { name: 'SpecError' });
      },
      ablate: (_o, hooks) => new Promise((_resolve, reject) => hooks.signal.addEventListener('abort', () => {
        aborted = true;
        reject(new Error('stopped mid-step'));
      })),
      exportModel: never, layerGraph: never, overlay: never,
    };
    serveJobs(port, handlers);
    deliver({ type: 'run', id: 1, kind: 'find', options: { specPath: 's' } });
    deliver({ type: 'run', id: 2, kind: 'ablate', options: { runDir: '/r', subroutine: 'a', seed: 0, mode: 'zero' } });
    deliver({ type: 'cancel', id: 2 });
    await settle();
    assert.deepEqual(sent.find((m) => m.type === 'error' && m.id === 1), { type: 'error', id: 1, error: { name: 'SpecError', message: 'bad head' } });
    assert.equal(aborted, true);
    assert.deepEqual(sent.find((m) => m.type === 'error' && m.id === 2), { type: 'error', id: 2, error: { name: 'AbortError', message: 'cancelled' } });
  });

  test('logs and ignores a malformed message instead of crashing', async () => {
    const { sent, port, deliver } = fakePort();
    serveJobs(port, { find: never, ablate: never, exportModel: never, layerGraph: never, overlay: never });
    deliver({ type: 'run' });
    deliver('hello');
    await settle();
    assert.equal(sent.length, 2);
    assert.ok(sent.every((m) => m.type === 'log'));
  });
});
