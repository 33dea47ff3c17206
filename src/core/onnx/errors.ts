/** The model file cannot be read as ONNX: not protobuf, truncated, missing external data, unsupported version. */
export class OnnxFormatError extends Error {
  override readonly name = 'OnnxFormatError';
  constructor(message: string, readonly file?: string) {
    super(file ? `${file}: ${message}` : message);
  }
}
