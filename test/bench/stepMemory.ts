// Peak resident memory of mask training on one model: builds the fused continuous-sparsification graph
// over every maskable tensor and runs a few steps, then prints the process's peak RSS (onnxruntime's
// arenas included) and the median step time.
// Usage: node --import tsx test/bench/stepMemory.ts MODEL.onnx DATA.npz [--batch N] [--steps N]
// (DATA holds one array per model input plus `labels`; e.g. a torchvision ResNet-50 export at 224×224.)
import { maskStepMs } from './zooBench';

async function main(argv: string[]): Promise<void> {
  const [file, dataFile] = argv;
  if (!file || !dataFile) throw new Error('usage: stepMemory.ts MODEL.onnx DATA.npz [--batch N] [--steps N]');
  const option = (flag: string, fallback: number) =>
    (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : fallback);
  const batch = option('--batch', 8);
  const steps = option('--steps', 3);
  const { stepMs, masked } = await maskStepMs(file, dataFile, batch, steps);
  process.stdout.write(`${file}: ${masked.toLocaleString('en-US')} masked weights, batch ${batch}, ${steps} steps, ` +
    `median step ${stepMs.toFixed(0)} ms, peak RSS ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GB\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
