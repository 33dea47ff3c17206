// Entry of the compute child process (dist/worker.js), forked by src/extension/WorkerClient.ts.
// onnxruntime runs here, never in the extension host: a native abort only takes this process down.
import type { Envelope } from '../shared/envelope';
import type { FromWorker } from '../shared/workerProtocol';
import { jobs } from '../jobs/jobMap';
import { serveJobs } from './serveJobs';

function send(message: Envelope<FromWorker>): void {
  if (process.connected) process.send!(message);
}

if (!process.send) {
  console.error('dist/worker.js is the extension\'s compute process; start it with child_process.fork.');
  process.exit(2);
}

const server = serveJobs({ send, onMessage: (listener) => process.on('message', listener) }, jobs);

// The host went away (window closed, extension host restarted): stop the jobs so they mark their
// runs cancelled, then leave.
process.on('disconnect', () => {
  server.abortAll();
  setTimeout(() => process.exit(0), 2000).unref();
});

process.on('uncaughtException', (e) => {
  server.log(`worker crashed: ${e.name}: ${e.message}`);
  process.exit(1);
});
