// `subnetwork-lens inspect`: a model's summary (the inspect job).
import { quietHooks } from '../command';
import { defineCommand } from '../defineCommand';
import type { InspectReport, InspectedValue } from '../../core/views/inspectModel';
import type { Dim, LoadChanges } from '../../core/onnx/ir';

export const inspect = defineCommand({
  name: 'inspect',
  summary: 'Summarise an ONNX model: versions, inputs/outputs, ops, parameters, maskable tensors, gradient support.',
  job: 'inspect',
  positional: { metavar: 'MODEL.onnx', noun: 'model file' },
  description: [
    'Reads the model (and its external-data files) and prints IR/opset, inputs and outputs with shapes,',
    'an op histogram, the parameter count, maskable tensors (float parameters, rank >= 2; with the PyTorch',
    'parameter a renamed one holds, and the folded constants left out), control-flow nodes (If/Loop/Scan)',
    'and ops between a maskable tensor and an output that the training engine cannot differentiate.',
  ],
  options: {
    json: { type: 'boolean', help: 'Print one JSON object (stable keys) instead of text.' },
    'no-run': { type: 'boolean', help: 'Accepted and changes nothing (the model is never run).' },
  },
  epilogue: [
    'The model is never run: undeclared input/output shapes are inferred from the file by ONNX shape rules',
    '(unknown dims print as ?).',
  ],
  async run({ positional: file, values, job }, io) {
    const report = await job({ modelPath: file }, quietHooks());
    if (values.json) {
      io.out(`${JSON.stringify({ file, ...report }, null, 2)}\n`);
    } else {
      io.out(formatReport(file, report));
    }
    return 0;
  },
});

const fmt = (n: number) => n.toLocaleString('en-US');
const dims = (shape: Dim[] | null) => (
  shape === null ? '(unknown shape)' : `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`
);

function formatReport(file: string, r: InspectReport): string {
  const lines: string[] = [];
  const producer = [r.producer.name, r.producer.version].filter(Boolean).join(' ') || 'unknown';
  const otherOpsets = r.opsetImports.filter((o) => o.domain !== 'ai.onnx').map((o) => `${o.domain} ${o.version}`);
  lines.push(file);
  const opsets = `opset ${r.opset}${otherOpsets.length ? ` (+ ${otherOpsets.join(', ')})` : ''}`;
  lines.push(`  IR version ${r.irVersion}, ${opsets}, producer ${producer}`);
  const values = (title: string, list: InspectedValue[]) => {
    lines.push(`  ${title}:`);
    const width = Math.max(0, ...list.map((v) => v.name.length));
    for (const v of list) lines.push(`    ${v.name.padEnd(width)}  ${v.dataType} ${dims(v.shape)}`);
    if (list.length === 0) lines.push('    (none)');
  };
  values('inputs', r.inputs);
  values('outputs', r.outputs);
  for (const s of r.softmaxOutputs) {
    lines.push(`  output '${s.output}' is a Softmax: training scores its input '${s.logits}' (the logits)`);
  }
  lines.push(...formatLoadChanges(r.loadChanges));

  lines.push(`  nodes: ${fmt(r.nodeCount)} (${r.opHistogram.length} op types)`);
  const opWidth = Math.max(0, ...r.opHistogram.map((h) => h.op.length));
  for (const h of r.opHistogram) lines.push(`    ${h.op.padEnd(opWidth)}  ${fmt(h.count)}`);

  lines.push(`  parameters: ${fmt(r.parameterCount)} in ${fmt(r.parameterTensorCount)} tensors`);
  const share = r.parameterCount
    ? ` (${((100 * r.maskable.parameterCount) / r.parameterCount).toFixed(1)}% of parameters)`
    : '';
  lines.push(`  maskable: ${fmt(r.maskable.tensorCount)} tensors, ${fmt(r.maskable.parameterCount)} weights${share}`);
  const nameWidth = Math.max(0, ...r.maskable.tensors.map((t) => t.name.length));
  const shapeWidth = Math.max(0, ...r.maskable.tensors.map((t) => dims(t.shape).length));
  for (const t of r.maskable.tensors) {
    const parameter = t.parameter ? `  ${t.parameter}` : '';
    const shape = dims(t.shape).padEnd(shapeWidth);
    lines.push(`    ${t.name.padEnd(nameWidth)}  ${shape}  ${fmt(t.count).padStart(9)}${parameter}`);
  }
  if (r.maskable.notParameters.length) {
    lines.push(`  not offered as weights: ${r.maskable.notParameters.length} float tensors that are not parameters`);
    for (const t of r.maskable.notParameters) lines.push(`    ${t.name} ${dims(t.shape)}: ${t.reason}`);
  }

  if (r.controlFlow.length === 0) {
    lines.push('  control flow: none');
  } else {
    lines.push(`  control flow: ${r.controlFlow.length} nodes with subgraphs`
      + ' (the training engine does not differentiate through them)');
    for (const c of r.controlFlow) {
      const where = c.within.length ? ` inside ${c.within.join(' > ')}` : '';
      const subgraphs = c.subgraphs.map((s) => `${s.attribute} (${s.nodes} nodes)`).join(', ');
      lines.push(`    ${c.opType} '${c.name}'${where}: ${subgraphs}`);
    }
  }

  if (!r.gradients.checked) {
    lines.push('  gradients: not checked (the autodiff registry is not available in this build)');
  } else if (r.gradients.unsupported.length === 0) {
    lines.push('  gradients: every op between the maskable tensors and the outputs has a gradient rule');
  } else {
    const ops = r.gradients.unsupported.map((u) => `${u.op} (${u.count})`).join(', ');
    lines.push(`  gradients: no rule for ${ops} between the maskable tensors and the outputs`);
  }
  return `${lines.join('\n')}\n`;
}

/** `loaded with: …` lines saying what reading the file changed. */
function formatLoadChanges(c: LoadChanges): string[] {
  const lines: string[] = [];
  const hoisted = c.hoistedConstants.length;
  if (hoisted > 0) lines.push(`  loaded with: ${fmt(hoisted)} Constant-held weights made initializers (maskable)`);
  const up = c.opsetUpgrade;
  if (up) {
    const what = up.changes.map((x) => `${x.count} ${x.change}`).join(', ') || 'no node needed rewriting';
    lines.push(`  upgraded on load: opset ${up.from} → ${up.to}: ${what}`);
  }
  if (c.opsetUpgradeError) lines.push(`  not upgraded to opset 13 (training needs it): ${c.opsetUpgradeError}`);
  return lines;
}
