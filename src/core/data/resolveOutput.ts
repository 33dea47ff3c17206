// The model output a spec trains and scores: `output` when given (it must be one of the model's outputs),
// else the first. Checked before anything else runs, so a typo is named instead of failing later.
import type { Model } from '../onnx/ir';
import type { ResolvedSpec } from '../../shared/spec';
import { SpecError } from './errors';

export function resolveOutput(model: Model, spec: Pick<ResolvedSpec, 'output' | 'specPath'>): string {
  const names = model.graph.outputs.map((o) => o.name);
  if (spec.output === undefined) {
    if (names.length === 0) throw new SpecError('the model has no outputs', spec.specPath, '');
    return names[0]!;
  }
  if (!names.includes(spec.output)) {
    throw new SpecError(
      `no output named ${spec.output} (the model's outputs: ${names.join(', ') || 'none'})`,
      spec.specPath,
      '/output',
    );
  }
  return spec.output;
}

/** The number of classes an output scores: its last dimension, when fixed. */
export function outputClasses(model: Model, output: string): number | undefined {
  const shape = model.graph.outputs.find((o) => o.name === output)?.shape;
  const last = shape?.[shape.length - 1];
  return typeof last === 'number' ? last : undefined;
}
