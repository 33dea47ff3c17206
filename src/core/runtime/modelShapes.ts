// A model's measured tensor shapes, probed once per model object and options: one `find` builds a training
// graph per mask trial and an evaluator per variant over the same model, and each used to run the probe.
// Models are never changed in place (every transformation returns a new object), so the model object is
// the key; a WeakMap lets a finished run's models and shapes be collected.
import type { Dim, Model } from '../onnx/ir';
import { inferShapes, type InferShapesOptions } from './inferShapes';

const measured = new WeakMap<Model, Map<string, Promise<ReadonlyMap<string, Dim[]>>>>();

/** `inferShapes(model, options)`, run at most once per model object and options. */
export function modelShapes(model: Model, options: InferShapesOptions = {}): Promise<ReadonlyMap<string, Dim[]>> {
  let byOptions = measured.get(model);
  if (!byOptions) measured.set(model, (byOptions = new Map()));
  const key = JSON.stringify(options);
  let shapes = byOptions.get(key);
  if (!shapes) byOptions.set(key, (shapes = inferShapes(model, options)));
  return shapes;
}
