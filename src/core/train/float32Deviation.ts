// How far the float32 training graph's gradients (the graph `find` trains, run with the same session
// options and onnxruntime's native float32 kernels) are from a float64 reference of the same graph.
// The float64 check alone cannot see a float32-only fault: its graph rewrites Conv, ConvTranspose and the
// pooling ops into window gathers, so the kernels and fused nodes that run in training are never executed.
import type { Model } from '../onnx/ir';
import { createSession, ort } from '../runtime/session';

/**
 * Per gradient output: ‖g32 − g64‖ / ‖g64‖ over the whole tensor (0 when both are zero). `feeds` are
 * the float64 feeds of the reference run; float64 tensors among them are narrowed to float32.
 */
export async function float32Deviation(model: Model, feeds: Record<string, ort.Tensor>,
  reference: Map<string, Float64Array>, threads?: number): Promise<Map<string, number>> {
  const narrow = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k,
    t.type === 'float64' ? new ort.Tensor('float32', Float32Array.from(t.data as Float64Array), t.dims) : t]));
  const session = await createSession(model, { threads });
  try {
    const out = await session.run(narrow, [...reference.keys()]);
    return new Map([...reference].map(([name, g64]) => {
      const g32 = out[name]!.data as Float32Array;
      let diff = 0, norm = 0;
      for (let i = 0; i < g64.length; i++) { diff += (g32[i]! - g64[i]!) ** 2; norm += g64[i]! ** 2; }
      return [name, norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm)];
    }));
  } finally {
    await session.release();
  }
}
