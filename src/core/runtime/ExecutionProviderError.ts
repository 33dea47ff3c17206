/** An execution provider was asked for that this onnxruntime-node build or this machine does not have. */
export class ExecutionProviderError extends Error {
  override readonly name = 'ExecutionProviderError';
}
