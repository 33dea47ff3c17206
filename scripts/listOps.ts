// Prints the README's "Supported ops" table from the autodiff registry:
//   node --import tsx scripts/listOps.ts
// test/unit/autodiff/supportedOps.test.ts checks the README holds exactly this output.
import { gradientRules, nonDifferentiableOps } from '../src/core/autodiff/registry';

/** Markdown: ops with a gradient rule, the opsets where a rule's variant starts, ops that carry no gradient. */
export function supportedOpsMarkdown(): string {
  const variants = new Map<string, number[]>();
  for (const key of Object.keys(gradientRules)) {
    const match = /^(.*)_(\d+)$/.exec(key);
    const op = match ? match[1]! : key;
    variants.set(op, [...(variants.get(op) ?? []), ...(match ? [Number(match[2])] : [])]);
  }
  const ops = [...variants.keys()].sort();
  const split = ops.filter((op) => variants.get(op)!.length > 0)
    .map((op) => `${op} (${variants.get(op)!.sort((a, b) => a - b).map((v) => `from ${v}`).join(', ')})`);
  const stops = [...nonDifferentiableOps].sort().join(', ');
  return [
    `| | ops |`,
    `|---|---|`,
    `| gradient rule (${ops.length}) | ${ops.join(', ')} |`,
    `| separate rule from opset | ${split.join(', ')} |`,
    `| no gradient: paths from the weights stop there (${nonDifferentiableOps.size}) | ${stops} |`,
  ].join('\n');
}

if (require.main === module) console.log(supportedOpsMarkdown());
