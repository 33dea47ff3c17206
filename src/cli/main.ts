// Entry of the `subnetwork-lens` bin (bundled to dist/cli.js). All logic lives in cli.ts.
import { main } from './cli';
import { stripControlCharacters } from './stripControlCharacters';

// `subnetwork-lens inspect m.onnx | head` closes stdout early: stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`subnetwork-lens: ${stripControlCharacters((e as Error)?.message ?? String(e))}\n`);
    process.exitCode = 1;
  },
);
