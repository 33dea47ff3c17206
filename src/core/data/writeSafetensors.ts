// Writes .safetensors: an 8-byte little-endian header length, a JSON header (tensor dtype, shape,
// data_offsets; optional string `__metadata__`), padded with spaces to 8 bytes, then the raw data.
import { writeFileAtomic } from '../util/writeFileAtomic';
import { bytesOfArray, dtypeInfo, elementCountOf, type NamedArray } from './dtype';
import { DataError } from './errors';

export function encodeSafetensors(arrays: Record<string, NamedArray>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(arrays).sort();
  for (const name of names) {
    const a = arrays[name]!;
    const len = elementCountOf(a.shape) * dtypeInfo[a.dtype].size;
    if (a.data.byteLength !== len) throw new DataError(
      `data has ${a.data.byteLength} bytes but shape [${a.shape.join(', ')}] ${a.dtype} needs ${len}`, undefined, name);
    header[name] = { dtype: dtypeInfo[a.dtype].safetensors, shape: a.shape, data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) hb = enc.encode(json += ' '.repeat(pad));
  const out = new Uint8Array(8 + hb.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const name of names) {
    const b = bytesOfArray(arrays[name]!.data);
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/** Writes `file` atomically (temp file + rename). */
export function writeSafetensors(file: string, arrays: Record<string, NamedArray>,
  metadata?: Record<string, string>): void {
  writeFileAtomic(file, encodeSafetensors(arrays, metadata));
}
