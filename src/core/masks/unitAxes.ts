// Which weight axis indexes output units (neurons, channels) for unit-granularity masks.
import type { Model } from '../onnx/ir';
import { attrInt } from '../onnx/ir';

/**
 * Gemm: the output-feature axis of B (0 with transB, else 1); MatMul: the last axis; Conv/ConvTranspose:
 * axis 0 / 1 (output channels); anything else: axis 0. `axis` overrides all.
 */
export function defaultUnitAxes(model: Model, tensors: string[], axis?: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of tensors) {
    if (axis !== undefined) { out.set(name, axis); continue; }
    const consumer = model.graph.nodes.find((n) => n.inputs.includes(name));
    const rank = model.graph.initializers.get(name)!.dims.length;
    let a = 0;
    if (consumer?.opType === 'Gemm' && consumer.inputs[1] === name) a = attrInt(consumer, 'transB', 0) ? 0 : 1;
    else if (consumer?.opType === 'MatMul') a = rank - 1;
    else if (consumer?.opType === 'ConvTranspose') a = 1;
    out.set(name, a);
  }
  return out;
}
