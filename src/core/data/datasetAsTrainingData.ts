// A dataset file seen as TrainingData for one model: arrays named by the spec's input mapping, rows read
// from disk on demand, odd-one-out problems flattened to stimuli.
import type { Model } from '../onnx/ir';
import type { ResolvedSpec } from '../../shared/spec';
import type { TrainingData, NumericArray } from '../train/TrainingData';
import { checkDataset, type InputBinding } from './checkDataset';
import { openDataset, type Dataset } from './openDataset';
import { outputClasses, resolveOutput } from './resolveOutput';

export interface OpenedData extends TrainingData {
  dataset: Dataset;
}

export function inputBindings(model: Model, spec: ResolvedSpec): InputBinding[] {
  return model.graph.inputs.map((i) =>
    ({ input: i.name, array: spec.inputs[i.name] ?? i.name, elemType: i.elemType, shape: i.shape }));
}

export function datasetAsTrainingData(file: string, model: Model, spec: ResolvedSpec): OpenedData {
  const dataset = openDataset(file);
  const bindings = inputBindings(model, spec);
  let size: number;
  try {
    const classes = outputClasses(model, resolveOutput(model, spec));
    size = checkDataset(dataset, bindings, spec.labels, spec.head, { classes }).rows;
  } catch (e) {
    dataset.close();
    throw e;
  }
  const k = spec.head.type === 'odd-one-out' ? spec.head.group : 1;
  return {
    dataset,
    size,
    rows(indices, into) {
      const inputs: Record<string, { data: NumericArray; dims: number[] }> = {};
      for (const b of bindings) {
        const a = dataset.take(b.array, indices, into?.[b.input]);
        const dims = k > 1 ? [a.shape[0]! * k, ...a.shape.slice(2)] : a.shape;
        inputs[b.input] = { data: a.data as NumericArray, dims };
      }
      // checkDataset has verified the labels are a 1-D integer array.
      return { inputs, labels: dataset.take(spec.labels, indices).data as ArrayLike<number | bigint> };
    },
  };
}
