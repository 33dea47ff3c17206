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
 * Classify: labels below `classes` (the model output's width) when known. Every floating-point input
 * value is finite. Errors name the file, the array and the row.
 */
export function checkDataset(
  ds: Dataset, inputs: InputBinding[], labels: string, head: HeadSpec, options: { classes?: number } = {},
): DatasetCheck {
  for (const b of inputs) {
    const info = ds.infoOf(b.array);
    const want = dtypeOfOnnx(b.elemType);
    if (info.dtype !== want) {
      const hint = info.dtype === 'float64' && want === 'float32' ? ' (save with x.astype(np.float32))' : '';
      throw new DataError(
        `dtype ${info.dtype} does not match model input '${b.input}' (${dataTypeName[b.elemType] ?? b.elemType}, ` +
        `expected ${want ?? 'an unsupported type'})${hint}`, ds.file, b.array);
    }
    const lead = head.type === 'odd-one-out' ? 2 : 1;
    if (head.type === 'odd-one-out' && info.shape[1] !== head.group) {
      throw new DataError(`shape [${info.shape.join(', ')}] does not have the odd-one-out group size ` +
        `${head.group} as its second dimension (expected [problems, ${head.group}, …])`, ds.file, b.array);
    }
    if (b.shape) {
      const wantRest = b.shape.slice(1);
      const haveRest = info.shape.slice(lead);
      const ok = wantRest.length === haveRest.length
        && wantRest.every((d, i) => typeof d !== 'number' || d === haveRest[i]);
      if (!ok) {
        const expected = head.type === 'odd-one-out' ? fmt(['problems', head.group, ...wantRest])
          : fmt(['rows', ...wantRest]);
        throw new DataError(`shape [${info.shape.join(', ')}] does not fit model input '${b.input}' ${fmt(b.shape)}: ` +
          `expected ${expected}`, ds.file, b.array);
      }
    }
  }
  const li = ds.infoOf(labels);
  if (!isIntegerDtype(li.dtype))
    throw new DataError(`labels must be integers, got ${li.dtype} (save with y.astype(np.int64))`, ds.file, labels);
  if (li.shape.length !== 1)
    throw new DataError(`labels must be one-dimensional [rows], got shape [${li.shape.join(', ')}]`, ds.file, labels);
  const rows = ds.rows([...inputs.map((b) => b.array), labels]);
  for (const b of inputs) checkFinite(ds, b.array, rows);
  const values = toNumbers(ds.read(labels).data);
  const classes = head.type === 'odd-one-out' ? head.group : options.classes;
  let labelMin = Infinity;
  let labelMax = -Infinity;
  values.forEach((v, row) => {
    if (v < 0 || (classes !== undefined && v >= classes)) {
      const why = head.type === 'odd-one-out' ? ' (the group size)' : ` (the model's ${classes} classes)`;
      const range = classes === undefined ? '≥ 0' : `in 0..${classes - 1}${why}`;
      throw new DataError(`row ${row}: label ${v} is not ${range}`, ds.file, labels);
    }
    if (v < labelMin) labelMin = v;
    if (v > labelMax) labelMax = v;
  });
  return { rows, labelMin: rows ? labelMin : 0, labelMax: rows ? labelMax : 0 };
}

/** Elements scanned per read when checking values (bounds memory on big arrays). */
const SCAN_ELEMENTS = 1 << 20;

/** Refuses NaN and ±Inf in a floating-point array, naming the first bad row. */
function checkFinite(ds: Dataset, array: string, rows: number): void {
  const { dtype, shape } = ds.infoOf(array);
  if (!dtype.startsWith('float')) return;
  const rowElems = Math.max(1, shape.slice(1).reduce((a, b) => a * b, 1));
  const step = Math.max(1, Math.floor(SCAN_ELEMENTS / rowElems));
  for (let start = 0; start < rows; start += step) {
    const data = ds.read(array, start, Math.min(rows, start + step)).data;
    // float16 is kept as raw bits: NaN and ±Inf have every exponent bit set.
    const bad = dtype === 'float16'
      ? (data as Uint16Array).findIndex((h) => (h & 0x7c00) === 0x7c00)
      : (data as Float32Array | Float64Array).findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      const row = start + Math.floor(bad / rowElems);
      const value = dtype === 'float16' ? ((data[bad] as number) & 0x3ff ? 'NaN' : 'infinite') : String(data[bad]);
      throw new DataError(
        `row ${row}: value ${value} is not finite (every input value must be a finite number)`,
        ds.file,
        array,
      );
    }
  }
}
