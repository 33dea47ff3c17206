// A dataset file opened for reading rows in batches: `.npz` (stored or deflated members), `.npy`,
// `.safetensors`, or a folder of `NAME.npy` files.
//
// Stored npz members, .npy files and safetensors tensors are read straight from disk with fs.read at
// the row offsets, so only the requested rows are in memory. A *deflated* npz member is inflated once,
// whole, on first use and kept in memory (deflate streams cannot be entered in the middle); save big
// datasets with np.savez (stored), not np.savez_compressed, to avoid that.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inflate, inflateSync } from 'fflate';
import { DataError } from './errors';
import { arrayFromBytes, DTYPES, dtypeInfo, elementCountOf, type ArrayData, type ArrayInfo, type Dtype, type NamedArray } from './dtype';
import { NPY_PREAMBLE, parseNpyHeader } from './npyFormat';
import { readAt, zipDirectory } from './zipDirectory';

type Source =
  | { kind: 'disk'; fd: number; offset: number }
  | { kind: 'deflated'; fd: number; offset: number; compressedSize: number; size: number; member: string }
  | { kind: 'mem'; data: ArrayData };

/** A batch of rows: the row indices taken and one array per requested name, first dimension = rows. */
export interface Batch {
  indices: number[];
  arrays: Record<string, NamedArray>;
}

export class Dataset {
  /** Safetensors `__metadata__` (empty for numpy files). */
  metadata: Record<string, string> = {};
  private readonly sources = new Map<string, Source>();
  private readonly info = new Map<string, ArrayInfo>();
  private readonly fds: number[] = [];

  constructor(readonly file: string) {}

  /** Names, dtypes and shapes of the arrays, in file order. */
  get arrays(): Record<string, ArrayInfo> {
    return Object.fromEntries([...this.info].map(([k, v]) => [k, { dtype: v.dtype, shape: [...v.shape] }]));
  }

  has(name: string): boolean {
    return this.info.has(name);
  }

  /** Array info, or a DataError listing the arrays the file has. */
  infoOf(name: string): ArrayInfo {
    const i = this.info.get(name);
    if (!i) throw new DataError(`no such array (the file has: ${[...this.info.keys()].join(', ') || 'none'})`, this.file, name);
    return i;
  }

  /** Rows (first dimension) of an array; 1 for a scalar. */
  rowsOf(name: string): number {
    const s = this.infoOf(name).shape;
    return s.length === 0 ? 1 : s[0]!;
  }

  /** Rows shared by the named arrays; a DataError when they differ. */
  rows(names: string[]): number {
    const counts = names.map((n) => this.rowsOf(n));
    if (counts.some((c) => c !== counts[0])) {
      throw new DataError(`arrays have different numbers of rows: ${names.map((n, i) => `${n}: ${counts[i]}`).join(', ')}`, this.file);
    }
    return counts[0] ?? 0;
  }

  /** Rows [start, end) of an array (default: all of it). */
  read(name: string, start = 0, end?: number): NamedArray {
    const { dtype, shape } = this.infoOf(name);
    const rows = this.rowsOf(name);
    const stop = Math.min(end ?? rows, rows);
    if (start < 0 || start > stop) throw new DataError(`row range [${start}, ${end}) is outside 0..${rows}`, this.file, name);
    const rowElems = shape.length === 0 ? 1 : elementCountOf(shape.slice(1));
    const outShape = shape.length === 0 ? [] : [stop - start, ...shape.slice(1)];
    const size = dtypeInfo[dtype].size;
    const src = this.source(name);
    if (src.kind === 'mem') {
      const data = src.data.slice(start * rowElems, stop * rowElems) as ArrayData;
      return { dtype, shape: outShape, data };
    }
    const want = (stop - start) * rowElems * size;
    const bytes = readAt(src.fd, src.offset + start * rowElems * size, want);
    if (bytes.length !== want) throw new DataError(`file is truncated (wanted ${want} bytes of rows ${start}..${stop})`, this.file, name);
    return { dtype, shape: outShape, data: arrayFromBytes(dtype, bytes) };
  }

  /**
   * The rows at `indices` (any order, repeats allowed), contiguous runs read together; written into
   * `into` when it has the array's type and exactly the rows' length (batch buffers reused across steps).
   */
  take(name: string, indices: ArrayLike<number>, into?: ArrayData): NamedArray {
    const { dtype, shape } = this.infoOf(name);
    if (shape.length === 0) throw new DataError('cannot take rows of a scalar', this.file, name);
    const rows = shape[0]!;
    const rowElems = elementCountOf(shape.slice(1));
    const ctor = dtypeInfo[dtype].ctor;
    const out = into instanceof ctor && into.length === indices.length * rowElems ? into : new ctor(indices.length * rowElems);
    let i = 0;
    while (i < indices.length) {
      let j = i + 1;
      while (j < indices.length && indices[j] === indices[j - 1]! + 1) j++;
      const first = indices[i]!;
      if (!Number.isInteger(first) || first < 0 || indices[j - 1]! >= rows) {
        throw new DataError(`row index ${indices[j - 1]} is outside 0..${rows - 1}`, this.file, name);
      }
      const part = this.read(name, first, indices[j - 1]! + 1).data;
      (out as Uint8Array).set(part as unknown as Uint8Array, i * rowElems);
      i = j;
    }
    return { dtype, shape: [indices.length, ...shape.slice(1)], data: out };
  }

  /**
   * Batches of `batchSize` rows of the named arrays, in `order` (a permutation of row indices;
   * default 0..rows−1). The last batch may be smaller.
   */
  *batches(names: string[], batchSize: number, order?: ArrayLike<number>): Generator<Batch> {
    const rows = this.rows(names);
    const ord = order ?? Array.from({ length: rows }, (_, k) => k);
    for (let s = 0; s < ord.length; s += batchSize) {
      const indices = Array.from({ length: Math.min(batchSize, ord.length - s) }, (_, k) => ord[s + k]!);
      const arrays: Record<string, NamedArray> = {};
      for (const n of names) arrays[n] = this.take(n, indices);
      yield { indices, arrays };
    }
  }

  close(): void {
    for (const fd of this.fds.splice(0)) fs.closeSync(fd);
  }

  private source(name: string): Exclude<Source, { kind: 'deflated' }> {
    const src = this.sources.get(name)!;
    if (src.kind !== 'deflated') return src;
    const raw = readAt(src.fd, src.offset, src.compressedSize);
    let npy: Uint8Array;
    try {
      npy = inflateSync(raw, { out: new Uint8Array(src.size) });
    } catch (e) {
      throw new DataError(`cannot inflate member '${src.member}': ${(e as Error).message}`, this.file, name);
    }
    const header = parseNpyHeader(npy, this.file, name);
    const info = this.info.get(name)!;
    const bytes = npy.subarray(header.dataOffset, header.dataOffset + elementCountOf(info.shape) * dtypeInfo[info.dtype].size);
    const mem = { kind: 'mem' as const, data: arrayFromBytes(info.dtype, bytes) };
    this.sources.set(name, mem);
    return mem;
  }

  /** @internal used by openDataset */
  addArray(name: string, info: ArrayInfo, src: Source): void {
    this.info.set(name, info);
    this.sources.set(name, src);
  }

  /** @internal */
  openFd(file: string): number {
    const fd = fs.openSync(file, 'r');
    this.fds.push(fd);
    return fd;
  }
}

function checkSize(ds: Dataset, name: string, info: ArrayInfo, available: number): void {
  const need = elementCountOf(info.shape) * dtypeInfo[info.dtype].size;
  if (available < need) throw new DataError(`file is truncated: shape [${info.shape.join(', ')}] ${info.dtype} needs ${need} bytes, ${available} present`, ds.file, name);
}

function addNpyFile(ds: Dataset, file: string, name: string): void {
  const fd = ds.openFd(file);
  const size = fs.fstatSync(fd).size;
  const pre = readAt(fd, 0, NPY_PREAMBLE);
  const headLen = pre[6] === 1 ? 10 + (pre[8]! | (pre[9]! << 8)) : 12 + new DataView(pre.buffer).getUint32(8, true);
  const header = parseNpyHeader(readAt(fd, 0, Math.min(headLen, size)), file, name);
  checkSize(ds, name, header, size - header.dataOffset);
  ds.addArray(name, { dtype: header.dtype, shape: header.shape }, { kind: 'disk', fd, offset: header.dataOffset });
}

function addNpz(ds: Dataset, file: string): void {
  const fd = ds.openFd(file);
  for (const e of zipDirectory(fd, file)) {
    if (!e.name.endsWith('.npy')) continue;
    const name = e.name.slice(0, -4);
    if (e.method === 0) {
      const pre = readAt(fd, e.dataOffset, Math.min(e.size, NPY_PREAMBLE));
      if (pre.length < 10) throw new DataError('member is too short to be .npy', file, name);
      const headLen = pre[6] === 1 ? 10 + (pre[8]! | (pre[9]! << 8)) : 12 + new DataView(pre.buffer).getUint32(8, true);
      const header = parseNpyHeader(readAt(fd, e.dataOffset, Math.min(headLen, e.size)), file, name);
      checkSize(ds, name, header, e.size - header.dataOffset);
      ds.addArray(name, { dtype: header.dtype, shape: header.shape }, { kind: 'disk', fd, offset: e.dataOffset + header.dataOffset });
    } else if (e.method === 8) {
      // The header sits in the first bytes of the deflate stream: inflate a prefix to learn dtype and shape.
      const header = deflatedHeader(fd, e.dataOffset, e.compressedSize, file, name);
      checkSize(ds, name, header, e.size - header.dataOffset);
      ds.addArray(name, { dtype: header.dtype, shape: header.shape }, { kind: 'deflated', fd, offset: e.dataOffset, compressedSize: e.compressedSize, size: e.size, member: e.name });
    } else {
      throw new DataError(`member uses zip compression method ${e.method}; only stored (0) and deflated (8) are supported`, file, name);
    }
  }
}

function deflatedHeader(fd: number, offset: number, compressedSize: number, file: string, name: string) {
  let got = new Uint8Array(0);
  const inf = new Inflate((chunk) => {
    const next = new Uint8Array(got.length + chunk.length);
    next.set(got);
    next.set(chunk, got.length);
    got = next;
  });
  const step = 4096;
  for (let pos = 0; pos < compressedSize; pos += step) {
    const n = Math.min(step, compressedSize - pos);
    inf.push(readAt(fd, offset + pos, n), pos + n >= compressedSize);
    if (got.length >= NPY_PREAMBLE) {
      const headLen = got[6] === 1 ? 10 + (got[8]! | (got[9]! << 8)) : 12 + new DataView(got.buffer).getUint32(8, true);
      if (got.length >= headLen) return parseNpyHeader(got, file, name);
    }
  }
  return parseNpyHeader(got, file, name);
}

function addSafetensors(ds: Dataset, file: string): void {
  const fd = ds.openFd(file);
  const size = fs.fstatSync(fd).size;
  const pre = readAt(fd, 0, 8);
  if (pre.length < 8) throw new DataError('not a safetensors file (shorter than 8 bytes)', file);
  const n = Number(new DataView(pre.buffer).getBigUint64(0, true));
  if (n > size - 8 || n > 100_000_000) throw new DataError(`not a safetensors file (header length ${n} exceeds the file)`, file);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(readAt(fd, 8, n))) as Record<string, unknown>;
  } catch (e) {
    throw new DataError(`safetensors header is not JSON: ${(e as Error).message}`, file);
  }
  const base = 8 + n;
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      ds.metadata = Object.fromEntries(Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
      continue;
    }
    const t = v as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = DTYPES.find((d) => dtypeInfo[d].safetensors === t.dtype);
    if (!dtype) throw new DataError(`safetensors dtype '${t.dtype}' is not supported (use one of ${DTYPES.map((d) => dtypeInfo[d].safetensors).join(', ')})`, file, name);
    if (!Array.isArray(t.shape) || !Array.isArray(t.data_offsets)) throw new DataError('tensor entry lacks shape or data_offsets', file, name);
    const [b, e] = t.data_offsets;
    const need = elementCountOf(t.shape) * dtypeInfo[dtype].size;
    if (e - b !== need || base + e > size) throw new DataError(`data_offsets [${b}, ${e}] do not fit shape [${t.shape.join(', ')}] ${dtype} (${need} bytes) within the file`, file, name);
    ds.addArray(name, { dtype, shape: t.shape }, { kind: 'disk', fd, offset: base + b });
  }
}

/** Opens a dataset file (or folder of .npy files). Call close() when done. */
export function openDataset(file: string): Dataset {
  const ds = new Dataset(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new DataError('file not found', file);
  }
  try {
    if (stat.isDirectory()) {
      const npys = fs.readdirSync(file).filter((f) => f.endsWith('.npy')).sort();
      if (npys.length === 0) throw new DataError('folder holds no .npy files', file);
      for (const f of npys) addNpyFile(ds, path.join(file, f), f.slice(0, -4));
    } else {
      const ext = path.extname(file).toLowerCase();
      if (ext === '.npz') addNpz(ds, file);
      else if (ext === '.npy') addNpyFile(ds, file, path.basename(file, ext));
      else if (ext === '.safetensors') addSafetensors(ds, file);
      else throw new DataError(`unsupported dataset extension '${ext}' (use .npz, .npy, .safetensors or a folder of .npy files)`, file);
    }
  } catch (e) {
    ds.close();
    throw e;
  }
  return ds;
}

/** Reads every array of a file at once (small files: masks, fixtures). */
export function readArrays(file: string): Record<string, NamedArray> {
  const ds = openDataset(file);
  try {
    return Object.fromEntries(Object.keys(ds.arrays).map((n) => [n, ds.read(n)]));
  } finally {
    ds.close();
  }
}

export type { Dtype };
