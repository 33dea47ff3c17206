// The inspect job: a model's summary. The model is never run: undeclared input/output shapes come from
// static inference only, since a file someone handed over may loop or allocate without bound when run.
import type { JobHooks } from '../shared/jobs';
import { inferShapesStatically } from '../core/onnx/inferShapesStatically';
import { readModel } from '../core/onnx/readModel';
import { nonDifferentiableOps, supportedGradientOps } from '../core/autodiff/registry';
import { inspectModel, type InspectReport } from '../core/views/inspectModel';

export interface InspectJobOptions {
  modelPath: string;
}

export async function inspect({ modelPath }: InspectJobOptions, _hooks: JobHooks): Promise<InspectReport> {
  const model = readModel(modelPath);
  const { inputs, outputs } = model.graph;
  const undeclared = [...inputs, ...outputs].some((v) => v.shape === null || v.shape.some((d) => d === null));
  const shapes = undeclared ? inferShapesStatically(model) : undefined;
  return inspectModel(model, {
    shapes, supportedGradientOps: supportedGradientOps(), nonDifferentiableOps: [...nonDifferentiableOps],
  });
}
