// A model file's bytes without the payloads of its large initializers: the protobuf is walked with small
// reads (ModelProto.graph → GraphProto.initializer → TensorProto.raw_data), every large raw_data is
// emptied (the enclosing lengths rewritten) and its place in the file recorded, so each large array can
// be read once, straight into its own buffer, and the file is never held in memory beside it.
import * as fs from 'node:fs';

/** Where the raw_data of the initializer at `index` (in GraphProto order) sits in the file. */
export interface LargeRawData {
  offset: number;
  length: number;
}

export interface ModelSkeleton {
  bytes: Uint8Array;
  large: Map<number, LargeRawData>;
}

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const LENGTH_DELIMITED = 2;
const WINDOW = 1 << 16;

/** The skeleton, or null when the file has no large initializer or is not a protobuf this walk can follow. */
export function readModelSkeleton(file: string, threshold: number): ModelSkeleton | null {
  const fd = fs.openSync(file, 'r');
  try {
    const reader = new WindowReader(fd, fs.fstatSync(fd).size);
    const large = new Map<number, LargeRawData>();
    const parts = rewrite(reader, 0, reader.size, 'model', { large, threshold, initializer: 0 });
    if (!parts || large.size === 0) return null;
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { bytes.set(p, at); at += p.length; }
    return { bytes, large };
  } finally {
    fs.closeSync(fd);
  }
}

interface WalkState {
  large: Map<number, LargeRawData>;
  threshold: number;
  /** Index of the next initializer met. */
  initializer: number;
}

/** The fields in [start, end) of a message at `level`, rewritten; null when they do not parse. */
function rewrite(
  r: WindowReader, start: number, end: number, level: 'model' | 'graph' | 'tensor', s: WalkState, index = -1,
): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let p = start;
  while (p < end) {
    const tag = r.varint(p, end);
    if (!tag) return null;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    let fieldEnd: number;
    if (wire === 0) {
      const v = r.varint(tag.next, end);
      if (!v) return null;
      fieldEnd = v.next;
    } else if (wire === 1 || wire === 5) {
      fieldEnd = tag.next + (wire === 1 ? 8 : 4);
    } else if (wire === LENGTH_DELIMITED) {
      const len = r.varint(tag.next, end);
      if (!len) return null;
      const payload = len.next;
      fieldEnd = payload + len.value;
      if (fieldEnd > end) return null;
      const child = level === 'model' && field === MODEL_GRAPH ? 'graph'
        : level === 'graph' && field === GRAPH_INITIALIZER ? 'tensor' : null;
      if (child) {
        const inner = rewrite(r, payload, fieldEnd, child, s, child === 'tensor' ? s.initializer++ : -1);
        if (!inner) return null;
        out.push(r.copy(p, tag.next - p), varintBytes(inner.reduce((n, x) => n + x.length, 0)), ...inner);
        p = fieldEnd;
        continue;
      }
      if (level === 'tensor' && field === TENSOR_RAW_DATA && len.value >= s.threshold) {
        s.large.set(index, { offset: payload, length: len.value });
        out.push(r.copy(p, tag.next - p), varintBytes(0));
        p = fieldEnd;
        continue;
      }
    } else {
      return null; // groups (wire types 3, 4) never occur in ONNX
    }
    if (fieldEnd > end) return null;
    out.push(r.copy(p, fieldEnd - p));
    p = fieldEnd;
  }
  return out;
}

function varintBytes(n: number): Uint8Array {
  const out: number[] = [];
  do {
    const low = n % 128;
    n = Math.floor(n / 128);
    out.push(n > 0 ? low | 128 : low);
  } while (n > 0);
  return Uint8Array.from(out);
}

/** Small positioned reads through a cached window. */
class WindowReader {
  private start = 0;
  private window = new Uint8Array(0);

  constructor(private readonly fd: number, readonly size: number) {}

  byte(pos: number): number {
    if (pos < this.start || pos >= this.start + this.window.length) {
      const length = Math.min(WINDOW, this.size - pos);
      this.window = new Uint8Array(length);
      fs.readSync(this.fd, this.window, 0, length, pos);
      this.start = pos;
    }
    return this.window[pos - this.start]!;
  }

  varint(pos: number, end: number): { value: number; next: number } | null {
    let value = 0;
    let scale = 1;
    for (let p = pos; p < end && p < pos + 10; p++) {
      const b = this.byte(p);
      value += (b & 127) * scale;
      scale *= 128;
      if (b < 128) return Number.isSafeInteger(value) ? { value, next: p + 1 } : null;
    }
    return null;
  }

  copy(pos: number, length: number): Uint8Array {
    if (length <= WINDOW / 4) {
      this.byte(pos + length - 1);
      this.byte(pos);
      const at = pos - this.start;
      if (at >= 0 && at + length <= this.window.length) return this.window.slice(at, at + length);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, out, done, length - done, pos + done);
      if (n === 0) break;
      done += n;
    }
    return out;
  }
}
