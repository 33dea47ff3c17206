// Writes numpy .npz archives (a zip of NAME.npy members), stored or deflated, as np.savez /
// np.savez_compressed would; numpy reads them back with np.load.
import { zipSync, type Zippable } from 'fflate';
import { writeFileAtomic } from '../util/writeFileAtomic';
import type { NamedArray } from './dtype';
import { encodeNpy } from './npyFormat';

export function encodeNpz(arrays: Record<string, NamedArray>, options: { compress?: boolean } = {}): Uint8Array {
  const files: Zippable = {};
  for (const [name, arr] of Object.entries(arrays)) files[`${name}.npy`] = encodeNpy(arr);
  // Fixed timestamp: identical arrays give identical bytes.
  return zipSync(files, { level: options.compress ? 6 : 0, mtime: new Date(1980, 0, 2) });
}

/** Writes `file` atomically (temp file + rename). */
export function writeNpz(file: string, arrays: Record<string, NamedArray>, options: { compress?: boolean } = {}): void {
  writeFileAtomic(file, encodeNpz(arrays, options));
}
