// A dataset file opened for reading rows in batches: `.npz` (stored or deflated members), `.npy`,
// `.safetensors`, or a folder of `NAME.npy` files.
//
// Rows are read straight from disk with fs.read at their offsets, so only the requested rows are in
// memory. A *deflated* npz member is inflated once, on first use, into an anonymous temporary file
// (deflate streams cannot be entered in the middle), checked against the zip entry's length and CRC-32
// as it streams; a stored member's CRC-32 is checked on first use. Nothing a file declares is believed
// before it is checked: an npz that would inflate to gigabytes costs disk, never memory.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Inflate } from 'fflate';
import { crc32 } from './crc32';
import { DataError } from './errors';
import { arrayFromBytes, DTYPES, dtypeInfo, elementCountOf, type ArrayData, type ArrayInfo, type Dtype,
  type NamedArray } from './dtype';
import { NPY_PREAMBLE, npyHeaderEnd, parseNpyHeader } from './npyFormat';
import { readAt, zipDirectory, type ZipEntry } from './zipDirectory';

type Source =
  | { kind: 'disk'; fd: number; offset: number }
  /** A stored npz member whose CRC-32 is checked on first use. */
  | { kind: 'stored'; fd: number; offset: number; member: ZipEntry }
  | { kind: 'deflated'; fd: number; offset: number; member: ZipEntry };

/** Deflate cannot expand data more than 1032-fold: a zip entry declaring more is corrupt or hostile. */
const MAX_DEFLATE_RATIO = 1032;
/** Bytes read per step when checking a member (bounds the memory of one step). */
const CHUNK = 1 << 16;
/** Compressed bytes inflated per step: at most 1032 times as many come out at once. */
const INFLATE_CHUNK = 1 << 12;

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
  /** Temporary folders that could not be removed while their file was open. */
  private readonly tempDirs: string[] = [];

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
    if (!i) throw new DataError(
      `no such array (the file has: ${[...this.info.keys()].join(', ') || 'none'})`, this.file, name);
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
      throw new DataError(
        `arrays have different numbers of rows: ${names.map((n, i) => `${n}: ${counts[i]}`).join(', ')}`, this.file);
    }
    return counts[0] ?? 0;
  }

  /** Rows [start, end) of an array (default: all of it). */
  read(name: string, start = 0, end?: number): NamedArray {
    const { dtype, shape } = this.infoOf(name);
    const rows = this.rowsOf(name);
    const stop = Math.min(end ?? rows, rows);
    if (start < 0 || start > stop)
      throw new DataError(`row range [${start}, ${end}) is outside 0..${rows}`, this.file, name);
    const rowElems = shape.length === 0 ? 1 : elementCountOf(shape.slice(1));
    const outShape = shape.length === 0 ? [] : [stop - start, ...shape.slice(1)];
    const size = dtypeInfo[dtype].size;
    const src = this.source(name);
    const want = (stop - start) * rowElems * size;
    const bytes = readAt(src.fd, src.offset + start * rowElems * size, want);
    if (bytes.length !== want)
      throw new DataError(`file is truncated (wanted ${want} bytes of rows ${start}..${stop})`, this.file, name);
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
    const out = into instanceof ctor && into.length === indices.length * rowElems
      ? into : new ctor(indices.length * rowElems);
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
    for (const dir of this.tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }

  /** The array's bytes on disk, after checking (stored member) or inflating (deflated member) it once. */
  private source(name: string): Extract<Source, { kind: 'disk' }> {
    const src = this.sources.get(name)!;
    if (src.kind === 'disk') return src;
    const disk = src.kind === 'stored'
      ? (checkStored(src.fd, src.member, this.file, name), { kind: 'disk' as const, fd: src.fd, offset: src.offset })
      : { kind: 'disk' as const, fd: this.inflate(src.member, src.fd, name), offset: src.offset };
    this.sources.set(name, disk);
    return disk;
  }

  /** Inflates a member into an anonymous temporary file; refused when its length or CRC-32 is not the declared one. */
  private inflate(e: ZipEntry, fd: number, name: string): number {
    const out = this.openTemp();
    let written = 0;
    let crc = 0;
    const inflater = new Inflate((chunk) => {
      if (written + chunk.length > e.size) {
        throw new DataError(
          `member '${e.name}' inflates to more than the ${e.size} bytes its zip entry declares`,
          this.file,
          name,
        );
      }
      fs.writeSync(out, chunk, 0, chunk.length, written);
      crc = crc32(chunk, crc);
      written += chunk.length;
    });
    for (let pos = 0; pos < e.compressedSize || pos === 0; pos += INFLATE_CHUNK) {
      const n = Math.min(INFLATE_CHUNK, e.compressedSize - pos);
      const bytes = readAt(fd, e.dataOffset + pos, n);
      if (bytes.length < n) {
        throw new DataError(`member '${e.name}' is truncated (the archive ends inside it)`, this.file, name);
      }
      try {
        inflater.push(bytes, pos + n >= e.compressedSize);
      } catch (err) {
        if (err instanceof DataError) throw err;
        throw new DataError(`cannot inflate member '${e.name}': ${(err as Error).message}`, this.file, name);
      }
    }
    if (written !== e.size) {
      throw new DataError(
        `member '${e.name}' inflates to ${written} bytes but its zip entry declares ${e.size}`,
        this.file,
        name,
      );
    }
    if (crc !== e.crc32) {
      throw new DataError(`member '${e.name}' fails its CRC-32 check (the archive is corrupt)`, this.file, name);
    }
    return out;
  }

  /** A read-write file that disappears when closed (unlinked at once where the platform allows it). */
  private openTemp(): number {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'subnetwork-lens-'));
    const file = path.join(dir, 'member.npy');
    const fd = this.openFd(file, 'w+');
    try {
      fs.unlinkSync(file);
      fs.rmdirSync(dir);
    } catch {
      this.tempDirs.push(dir); // Windows cannot remove an open file: removed on close()
    }
    return fd;
  }

  /** @internal used by openDataset */
  addArray(name: string, info: ArrayInfo, src: Source): void {
    this.info.set(name, info);
    this.sources.set(name, src);
  }

  /** @internal */
  openFd(file: string, flags = 'r'): number {
    const fd = fs.openSync(file, flags);
    this.fds.push(fd);
    return fd;
  }
}

/** Checks a stored member's CRC-32, reading it in chunks. */
function checkStored(fd: number, e: ZipEntry, file: string, name: string): void {
  let crc = 0;
  for (let pos = 0; pos < e.size; pos += CHUNK) {
    crc = crc32(readAt(fd, e.dataOffset + pos, Math.min(CHUNK, e.size - pos)), crc);
  }
  if (crc !== e.crc32) {
    throw new DataError(`member '${e.name}' fails its CRC-32 check (the archive is corrupt)`, file, name);
  }
}

function checkSize(ds: Dataset, name: string, info: ArrayInfo, available: number): void {
  const need = elementCountOf(info.shape) * dtypeInfo[info.dtype].size;
  if (available < need) throw new DataError(`file is truncated: shape [${info.shape.join(', ')}] ${info.dtype} needs ` +
    `${need} bytes, ${available} present`, ds.file, name);
}

function addNpyFile(ds: Dataset, file: string, name: string): void {
  const fd = ds.openFd(file);
  const size = fs.fstatSync(fd).size;
  const end = npyHeaderEnd(readAt(fd, 0, NPY_PREAMBLE), file, name);
  const header = parseNpyHeader(readAt(fd, 0, Math.min(end, size)), file, name);
  checkSize(ds, name, header, size - header.dataOffset);
  ds.addArray(name, { dtype: header.dtype, shape: header.shape }, { kind: 'disk', fd, offset: header.dataOffset });
}

function addNpz(ds: Dataset, file: string): void {
  const fd = ds.openFd(file);
  const fileSize = fs.fstatSync(fd).size;
  for (const e of zipDirectory(fd, file)) {
    if (!e.name.endsWith('.npy')) continue;
    const name = e.name.slice(0, -4);
    if (ds.has(name)) throw new DataError(`the archive holds member '${e.name}' twice`, file, name);
    if (e.dataOffset + e.compressedSize > fileSize) {
      throw new DataError(`member '${e.name}' extends past the end of the archive`, file, name);
    }
    if (e.method === 0) {
      if (e.compressedSize !== e.size) {
        throw new DataError(
          `stored member '${e.name}' declares ${e.size} bytes but occupies ${e.compressedSize}`,
          file,
          name,
        );
      }
      const end = npyHeaderEnd(readAt(fd, e.dataOffset, Math.min(e.size, NPY_PREAMBLE)), file, name);
      const header = parseNpyHeader(readAt(fd, e.dataOffset, Math.min(end, e.size)), file, name);
      checkSize(ds, name, header, e.size - header.dataOffset);
      const offset = e.dataOffset + header.dataOffset;
      ds.addArray(name, { dtype: header.dtype, shape: header.shape }, { kind: 'stored', fd, offset, member: e });
    } else if (e.method === 8) {
      if (e.size > e.compressedSize * MAX_DEFLATE_RATIO + 1024) {
        throw new DataError(
          `member '${e.name}' declares ${e.size} bytes from ${e.compressedSize} compressed bytes, `
            + 'more than deflate can produce',
          file,
          name,
        );
      }
      // The header sits in the first bytes of the deflate stream: inflate a prefix to learn dtype and shape.
      const header = deflatedHeader(fd, e, file, name);
      checkSize(ds, name, header, e.size - header.dataOffset);
      const source = { kind: 'deflated' as const, fd, offset: header.dataOffset, member: e };
      ds.addArray(name, { dtype: header.dtype, shape: header.shape }, source);
    } else {
      throw new DataError(
        `member uses zip compression method ${e.method}; only stored (0) and deflated (8) are supported`, file, name);
    }
  }
}

/** The npy header of a deflated member, from as few compressed bytes as it takes (output kept to the header). */
function deflatedHeader(fd: number, e: ZipEntry, file: string, name: string) {
  let got = new Uint8Array(0);
  let end = Infinity;
  const inflater = new Inflate((chunk) => {
    const keep = chunk.subarray(0, Math.max(0, Math.min(end, 64 * 1024) - got.length));
    const next = new Uint8Array(got.length + keep.length);
    next.set(got);
    next.set(keep, got.length);
    got = next;
    if (end === Infinity && got.length >= NPY_PREAMBLE) end = npyHeaderEnd(got, file, name);
  });
  for (let pos = 0; pos < e.compressedSize && got.length < end; pos += INFLATE_CHUNK) {
    const n = Math.min(INFLATE_CHUNK, e.compressedSize - pos);
    try {
      inflater.push(readAt(fd, e.dataOffset + pos, n), pos + n >= e.compressedSize);
    } catch (err) {
      if (err instanceof DataError) throw err;
      throw new DataError(`cannot inflate member '${e.name}': ${(err as Error).message}`, file, name);
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
  if (n > size - 8 || n > 100_000_000)
    throw new DataError(`not a safetensors file (header length ${n} exceeds the file)`, file);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readAt(fd, 8, n)));
  } catch (e) {
    throw new DataError(`safetensors header is not JSON: ${(e as Error).message}`, file);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new DataError('safetensors header is not a JSON object', file);
  }
  const base = 8 + n;
  const dataSize = size - base;
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw new DataError('__metadata__ must be an object of strings', file);
      }
      ds.metadata = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
      continue;
    }
    const t = (v ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = DTYPES.find((d) => dtypeInfo[d].safetensors === t.dtype);
    if (!dtype) {
      throw new DataError(
        `safetensors dtype '${String(t.dtype)}' is not supported `
          + `(use one of ${DTYPES.map((d) => dtypeInfo[d].safetensors).join(', ')})`,
        file,
        name,
      );
    }
    const shape = t.shape;
    const offsets = t.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new DataError(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`, file, name);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new DataError(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`, file, name);
    }
    const [b, e] = offsets as [number, number];
    const need = elementCountOf(shape) * dtypeInfo[dtype].size;
    if (e - b !== need) {
      throw new DataError(
        `data_offsets [${b}, ${e}] hold ${e - b} bytes but shape [${shape.join(', ')}] ${dtype} needs ${need}`,
        file,
        name,
      );
    }
    if (e > dataSize) {
      throw new DataError(`data_offsets [${b}, ${e}] reach past the data area (${dataSize} bytes)`, file, name);
    }
    spans.push({ name, begin: b, end: e });
    ds.addArray(name, { dtype, shape: shape as number[] }, { kind: 'disk', fd, offset: base + b });
  }
  // As the format requires: tensors tile the data area in offset order, without overlaps or gaps.
  spans.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin !== at) {
      throw new DataError(
        `data_offsets [${s.begin}, ${s.end}] `
          + (s.begin < at ? 'overlap the previous tensor' : `leave a gap after byte ${at}`),
        file,
        s.name,
      );
    }
    at = s.end;
  }
  if (at !== dataSize) throw new DataError(`the tensors cover ${at} bytes of the ${dataSize}-byte data area`, file);
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
      else throw new DataError(
        `unsupported dataset extension '${ext}' (use .npz, .npy, .safetensors or a folder of .npy files)`, file);
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
