// numpy's .npy format: magic, version, a Python-dict header, then the raw array bytes.
// Only little-endian (or byte-order-free) C-order arrays of the dtypes in dtype.ts are accepted;
// Fortran order, big-endian, object, string, complex and structured arrays are refused.
import { DataError } from './errors';
import { DTYPES, dtypeInfo, elementCountOf, type ArrayInfo, type Dtype } from './dtype';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader extends ArrayInfo {
  /** Byte offset of the array data from the start of the .npy bytes. */
  dataOffset: number;
}

/** Bytes needed to be sure the whole header is present (header length is read from the first 12). */
export const NPY_PREAMBLE = 12;

/** numpy's own default limit (np.load's max_header_size): longer headers are refused as unsafe. */
const MAX_HEADER_BYTES = 10_000;

/** Where the header of .npy bytes ends (the data offset), from their first NPY_PREAMBLE bytes. */
export function npyHeaderEnd(preamble: Uint8Array, file?: string, array?: string): number {
  if (preamble.length < NPY_PREAMBLE || MAGIC.some((b, i) => preamble[i] !== b)) {
    throw new DataError('not a .npy array (bad magic bytes or shorter than its preamble)', file, array);
  }
  const dv = new DataView(preamble.buffer, preamble.byteOffset, preamble.byteLength);
  const [start, headerLen] = preamble[6] === 1 ? [10, dv.getUint16(8, true)] : [12, dv.getUint32(8, true)];
  if (headerLen > MAX_HEADER_BYTES) {
    throw new DataError(
      `.npy header of ${headerLen} bytes is longer than numpy's limit of ${MAX_HEADER_BYTES}`,
      file,
      array,
    );
  }
  return start + headerLen;
}

/** Parses the header of .npy bytes (at least the preamble plus the header). `file`/`array` name the source in
 * errors. */
export function parseNpyHeader(bytes: Uint8Array, file?: string, array?: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new DataError('not a .npy array (bad magic bytes)', file, array);
  const major = bytes[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError('truncated .npy header', file, array);
    headerLen = new DataView(bytes.buffer, bytes.byteOffset + 8, 4).getUint32(0, true);
    start = 12;
  } else {
    throw new DataError(`unsupported .npy format version ${major}.${bytes[7]}`, file, array);
  }
  if (bytes.length < start + headerLen) throw new DataError('truncated .npy header', file, array);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descrMatch = /'descr'\s*:\s*('([^']*)'|\[)/.exec(text);
  const fortranMatch = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descrMatch || !fortranMatch || !shapeMatch)
    throw new DataError(`unreadable .npy header ${JSON.stringify(text.trim())}`, file, array);
  if (descrMatch[1] === '[')
    throw new DataError('structured (record) arrays are not supported; save each field as its own array', file, array);
  const descr = descrMatch[2]!;
  const dtype = dtypeOfDescr(descr, file, array);
  if (fortranMatch[1] === 'True')
    throw new DataError('Fortran-order arrays are not supported; save with np.ascontiguousarray(x)', file, array);
  // Python 2 numpy wrote long integers with an L suffix.
  const dims = shapeMatch[1]!.split(',').map((s) => s.trim().replace(/L$/, '')).filter((s) => s !== '');
  const shape = dims.map(Number);
  if (dims.some((d) => !/^\d+$/.test(d)) || !Number.isSafeInteger(elementCountOf(shape))) {
    throw new DataError(`bad shape (${shapeMatch[1]})`, file, array);
  }
  return { dtype, shape, dataOffset: start + headerLen };
}

function dtypeOfDescr(descr: string, file?: string, array?: string): Dtype {
  const order = descr[0];
  const code = descr.slice(1);
  if (code === 'O') throw new DataError(
    "object arrays (dtype 'O') are not supported; save numeric arrays (allow_pickle is never used)", file, array);
  if (order === '>' && code !== 'b1' && code !== 'u1' && code !== 'i1') {
    throw new DataError(
      `big-endian dtype '${descr}' is not supported; save with x.astype(x.dtype.newbyteorder('<'))`, file, array);
  }
  const found = DTYPES.find((d) => dtypeInfo[d].numpy.slice(1) === code);
  if (!found) throw new DataError(`dtype '${descr}' is not supported (use one of ${DTYPES.join(', ')})`, file, array);
  return found;
}

/** The .npy bytes (format 1.0, or 2.0 when the header is too long) of a C-order little-endian array. */
export function encodeNpy(arr: { dtype: Dtype; shape: number[]; data: ArrayBufferView }): Uint8Array {
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  const dict = `{'descr': '${dtypeInfo[arr.dtype].numpy}', 'fortran_order': False, 'shape': ${shape}, }`;
  let pre = 10;
  let total = pre + dict.length + 1;
  let padded = Math.ceil(total / 64) * 64;
  if (padded - pre > 0xffff) {
    pre = 12;
    total = pre + dict.length + 1;
    padded = Math.ceil(total / 64) * 64;
  }
  const headerLen = padded - pre;
  const header = dict + ' '.repeat(headerLen - dict.length - 1) + '\n';
  const out = new Uint8Array(padded + arr.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = pre === 10 ? 1 : 2;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (pre === 10) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength), padded);
  return out;
}
