// The one place that loads onnxruntime-node. Sessions are built from Model IR bytes.
import * as ort from 'onnxruntime-node';
import type { Model } from '../onnx/ir';
import { encodeModel } from '../onnx/writeModel';

export interface SessionOptions {
  threads?: number;
}

export async function createSession(model: Model | Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model).model;
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? 0,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
}

export { ort };
