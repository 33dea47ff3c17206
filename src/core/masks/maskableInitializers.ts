// The initializers offered for masking by default: float tensors of rank ≥ 2 that are parameters. A constant
// the exporter computed from weights or inputs (an embedding lookup with the batch folded in, an attention
// mask) is left out: masking it would mask a derived value, not a weight of the model.
import type { Model } from '../onnx/ir';
import { exporterNames } from '../onnx/exporterNames';
import { isMaskable } from './isMaskable';

export function maskableInitializers(model: Model): string[] {
  const { folded } = exporterNames(model);
  return [...model.graph.initializers.values()].filter((t) => isMaskable(t) && !folded.has(t.name)).map((t) => t.name);
}
