// `npm run bench`: runs benchmark sections and prints one line per measurement with its target.
// To add a section: create test/bench/<name>Bench.ts exporting a `BenchSection`, add it to `sections`.
// Usage: node --import tsx test/bench/bench.ts [SECTION ...] [--strict]   (--strict: exit 1 when over a target)
import { inspectBench } from './inspectBench';
import { trainBench } from './trainBench';
import { zooBench } from './zooBench';

export interface BenchLine {
  label: string;
  ms: number;
  /** Upper bound the issue sets; the ratio ms / targetMs is printed. */
  targetMs?: number;
  note?: string;
}

export interface BenchSection {
  name: string;
  description: string;
  run(): Promise<BenchLine[]>;
}

const sections: BenchSection[] = [
  inspectBench,
  trainBench,
  zooBench,
];

async function main(argv: string[]): Promise<number> {
  const strict = argv.includes('--strict');
  const wanted = argv.filter((a) => !a.startsWith('--'));
  const unknown = wanted.filter((w) => !sections.some((s) => s.name === w));
  if (unknown.length) {
    const known = sections.map((s) => s.name).join(', ');
    process.stderr.write(`bench: unknown section ${unknown.map((u) => `'${u}'`).join(', ')}; sections: ${known}\n`);
    return 2;
  }
  let over = 0;
  for (const section of sections.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
    process.stdout.write(`${section.name}: ${section.description}\n`);
    for (const line of await section.run()) {
      const target = line.targetMs === undefined
        ? ''
        : `  target < ${line.targetMs} ms, ratio ${(line.ms / line.targetMs).toFixed(3)}`
          + (line.ms > line.targetMs ? '  OVER TARGET' : '');
      if (line.targetMs !== undefined && line.ms > line.targetMs) over++;
      const note = line.note ? `  (${line.note})` : '';
      process.stdout.write(`  ${line.label.padEnd(44)} ${line.ms.toFixed(1).padStart(9)} ms${target}${note}\n`);
    }
  }
  return strict && over > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
