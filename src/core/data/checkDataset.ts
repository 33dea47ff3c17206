// Checks a dataset against the model inputs it will feed, before any training starts, so that a
// mismatch is reported with the file, the array and expected vs actual instead of an onnxruntime error.
import type { Dim } from '../onnx/ir';
import { dataTypeName } from '../onnx/ir';
import type { HeadSpec } from '../../shared/spec';
import { dtypeOfOnnx, isIntegerDtype, toNumbers } from './dtype';
import { DataError } from './errors';
import type { Dataset } from './openDataset';

/** One model input and the dataset array that feeds it. */
export interface InputBinding {
  /** Model input name. */
  input: string;
  /** Dataset array name. */
  array: string;
  /** ONNX element type of the model input. */
  elemType: number;
  /** Model input shape (first dimension = batch); null when unknown. */
  shape: Dim[] | null;
}

export interface DatasetCheck {
  /** Rows (problems for odd-one-out) shared by the input arrays and the labels. */
  rows: number;
  /** Smallest and largest label. */
  labelMin: number;
  labelMax: number;
}

const fmt = (s: readonly Dim[]) => `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]`;

/**
 * Classify: every input array is [rows, …input shape without batch]; labels [rows], integer, ≥ 0.
 * Odd-one-out (group k): every input array is [rows, k, …input shape without batch]; labels in 0..k−1.
 */
export function checkDataset(ds: Dataset, inputs: InputBinding[], labels: string, head: HeadSpec): DatasetCheck {
  for (const b of inputs) {
    const info = ds.infoOf(b.array);
    const want = dtypeOfOnnx(b.elemType);
    if (info.dtype !== want) {
      const hint = info.dtype === 'float64' && want === 'float32' ? ' (save with x.astype(np.float32))' : '';
      throw new DataError(`dtype ${info.dtype} does not match model input '${b.input}' (${dataTypeName[b.elemType] ?? b.elemType}, expected ${want ?? 'an unsupported type'})${hint}`, ds.file, b.array);
    }
    const lead = head.type === 'odd-one-out' ? 2 : 1;
    if (head.type === 'odd-one-out' && info.shape[1] !== head.group) {
      throw new DataError(`shape [${info.shape.join(', ')}] does not have the odd-one-out group size ${head.group} as its second dimension (expected [problems, ${head.group}, …])`, ds.file, b.array);
    }
    if (b.shape) {
      const wantRest = b.shape.slice(1);
      const haveRest = info.shape.slice(lead);
      const ok = wantRest.length === haveRest.length && wantRest.every((d, i) => typeof d !== 'number' || d === haveRest[i]);
      if (!ok) {
        const expected = head.type === 'odd-one-out' ? fmt(['problems', head.group, ...wantRest]) : fmt(['rows', ...wantRest]);
        throw new DataError(`shape [${info.shape.join(', ')}] does not fit model input '${b.input}' ${fmt(b.shape)}: expected ${expected}`, ds.file, b.array);
      }
    }
  }
  const li = ds.infoOf(labels);
  if (!isIntegerDtype(li.dtype)) throw new DataError(`labels must be integers, got ${li.dtype} (save with y.astype(np.int64))`, ds.file, labels);
  if (li.shape.length !== 1) throw new DataError(`labels must be one-dimensional [rows], got shape [${li.shape.join(', ')}]`, ds.file, labels);
  const rows = ds.rows([...inputs.map((b) => b.array), labels]);
  const values = toNumbers(ds.read(labels).data);
  let labelMin = Infinity;
  let labelMax = -Infinity;
  for (const v of values) { if (v < labelMin) labelMin = v; if (v > labelMax) labelMax = v; }
  if (rows > 0 && labelMin < 0) throw new DataError(`labels must be ≥ 0, found ${labelMin}`, ds.file, labels);
  if (head.type === 'odd-one-out' && labelMax >= head.group) throw new DataError(`odd-one-out labels must be in 0..${head.group - 1}, found ${labelMax}`, ds.file, labels);
  return { rows, labelMin: rows ? labelMin : 0, labelMax: rows ? labelMax : 0 };
}
