// Random access into a .zip (.npz) file: the central directory (ZIP64 too) and each member's data
// offset, read with a few small fs.read calls instead of loading the archive.
import * as fs from 'node:fs';
import { DataError } from './errors';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Absolute file offset of the member's (possibly compressed) bytes. */
  dataOffset: number;
}

export function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

function u64(dv: DataView, off: number): number {
  return Number(dv.getBigUint64(off, true));
}

/** Lists the members of the zip file open as `fd` (`file` names it in errors). */
export function zipDirectory(fd: number, file: string): ZipEntry[] {
  const fileSize = fs.fstatSync(fd).size;
  const tailLen = Math.min(fileSize, 22 + 0xffff + 20);
  const tail = readAt(fd, fileSize - tailLen, tailLen);
  const tdv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tdv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new DataError('not a zip/npz archive (no end-of-central-directory record)', file);
  let count = tdv.getUint16(eocd + 10, true);
  let cdSize = tdv.getUint32(eocd + 12, true);
  let cdOffset = tdv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tdv.getUint32(loc, true) !== 0x07064b50)
      throw new DataError('ZIP64 archive without a ZIP64 locator', file);
    const z64At = u64(tdv, loc + 8);
    if (z64At > fileSize - 56) throw new DataError('bad ZIP64 end-of-central-directory record', file);
    const z64 = readAt(fd, z64At, 56);
    const zdv = new DataView(z64.buffer, z64.byteOffset, z64.byteLength);
    if (zdv.getUint32(0, true) !== 0x06064b50) throw new DataError('bad ZIP64 end-of-central-directory record', file);
    count = u64(zdv, 32);
    cdSize = u64(zdv, 40);
    cdOffset = u64(zdv, 48);
  }
  if (cdOffset + cdSize > fileSize || count * 46 > cdSize) {
    throw new DataError('corrupt zip central directory (it does not fit the file)', file);
  }
  const cd = readAt(fd, cdOffset, cdSize);
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== 0x02014b50)
      throw new DataError('corrupt zip central directory', file);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc32 = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) {
      throw new DataError('corrupt zip central directory', file);
    }
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(cd.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: only the fields whose 32-bit value is 0xffffffff are present, in this order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const need = 8 * [size, compressedSize, localOffset].filter((v) => v === 0xffffffff).length;
        if (q + need > Math.min(e + 4 + len, eEnd)) {
          throw new DataError(`member '${name}' has a short ZIP64 extra field`, file);
        }
        if (size === 0xffffffff) { size = u64(dv, q); q += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = u64(dv, q); q += 8; }
        if (localOffset === 0xffffffff) { localOffset = u64(dv, q); q += 8; }
      }
      e += 4 + len;
    }
    if (flags & 1) throw new DataError(`member '${name}' is encrypted`, file);
    if (localOffset > fileSize - 30) throw new DataError(`member '${name}' starts past the end of the archive`, file);
    const local = readAt(fd, localOffset, 30);
    const ldv = new DataView(local.buffer, local.byteOffset, local.byteLength);
    if (local.length < 30 || ldv.getUint32(0, true) !== 0x04034b50)
      throw new DataError(`corrupt local header of member '${name}'`, file);
    const dataOffset = localOffset + 30 + ldv.getUint16(26, true) + ldv.getUint16(28, true);
    entries.push({ name, method, compressedSize, size, crc32, dataOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
