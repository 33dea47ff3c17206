import { singleLine } from '../util/singleLine';

/** The model file cannot be read as ONNX: not protobuf, truncated, missing external data, unsupported version. */
export class OnnxFormatError extends Error {
  override readonly name = 'OnnxFormatError';
  constructor(message: string, readonly file?: string) {
    super(singleLine(file ? `${file}: ${message}` : message));
  }
}

/** Tensor shapes cannot be determined (unknown input rank, the probe run failed). */
export class ShapeInferenceError extends Error {
  override readonly name = 'ShapeInferenceError';
  constructor(message: string, readonly tensor?: string) {
    super(message);
  }
}
