// The input every model-and-dataset job (attribute, gradcheck, export with --data) resolves the same way:
// which output is scored, which initializers are scored, and the dataset as training data.
import * as path from 'node:path';
import type { HeadSpec, ResolvedSpec } from '../shared/spec';
import { DataType, type Model } from '../core/onnx/ir';
import { datasetAsTrainingData, type OpenedData } from '../core/data/datasetAsTrainingData';
import { maskableInitializers } from '../core/masks/maskableInitializers';
import { JobInputError } from './JobInputError';

/** The requested output (checked), or the model's first. */
export function scoredOutput(model: Model, requested: string | undefined): string {
  const names = model.graph.outputs.map((o) => o.name);
  if (requested === undefined) return names[0]!;
  if (!names.includes(requested)) {
    throw new JobInputError(`the model has no output '${requested}' (outputs: ${names.join(', ')})`);
  }
  return requested;
}

/** The named initializers (checked), or every maskable one (float32 parameters of rank >= 2). */
export function chooseTensors(model: Model, names: string[] | undefined): string[] {
  const inits = model.graph.initializers;
  if (names === undefined) {
    const maskable = maskableInitializers(model).filter((name) => inits.get(name)!.dataType === DataType.FLOAT);
    if (maskable.length === 0) throw new JobInputError('the model has no maskable initializer (float32, rank >= 2)');
    return maskable;
  }
  for (const n of names) {
    const t = inits.get(n);
    if (!t) throw new JobInputError(`the model has no initializer '${n}'`);
    if (t.dataType !== DataType.FLOAT) throw new JobInputError(`initializer '${n}' is not float32`);
  }
  return names;
}

/** A dataset with one array per model input, named after it, plus `labels`, as TrainingData (checked on the model). */
export function openModelData(file: string, model: Model, head: HeadSpec, output?: string): OpenedData {
  // datasetAsTrainingData reads only the input mapping, the labels name, the output and the head of a spec.
  const spec: Pick<ResolvedSpec, 'inputs' | 'labels' | 'head' | 'output' | 'specPath'> = {
    inputs: {}, labels: 'labels', head, output, specPath: file,
  };
  return datasetAsTrainingData(path.resolve(file), model, spec as ResolvedSpec);
}
