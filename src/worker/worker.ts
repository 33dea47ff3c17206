// Entry of the compute child process (dist/worker.js), forked by src/extension/WorkerClient.ts.
// onnxruntime runs here, never in the extension host: a native abort only takes this process down.
import { ablate } from '../jobs/ablate';
import { exportModel } from '../jobs/exportModel';
import { layerGraph } from '../jobs/layerGraph';
import { overlay } from '../jobs/overlay';
import { runFind } from '../jobs/runFind';
import type { FromWorker } from '../shared/workerProtocol';
import { serveJobs } from './serveJobs';

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

if (!process.send) {
  console.error('dist/worker.js is the extension\'s compute process; start it with child_process.fork.');
  process.exit(2);
}

const abortAll = serveJobs(
  { send, onMessage: (listener) => process.on('message', listener) },
  {
    find: runFind,
    ablate,
    exportModel,
    layerGraph,
    overlay,
  },
);

// The host went away (window closed, extension host restarted): stop the jobs so they mark their
// runs cancelled, then leave.
process.on('disconnect', () => {
  abortAll();
  setTimeout(() => process.exit(0), 2000).unref();
});

process.on('uncaughtException', (e) => {
  send({ type: 'log', message: `worker crashed: ${e.name}: ${e.message}` });
  process.exit(1);
});

send({ type: 'ready', pid: process.pid });
