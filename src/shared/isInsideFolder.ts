// Whether a path a file names (run.json's model, a mask file) stays inside a folder, after resolving
// `..` and, for paths that exist, symbolic links: a repository must not point the extension elsewhere.
import * as fs from 'node:fs';
import * as path from 'node:path';

function real(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

export function isInsideFolder(file: string, folder: string): boolean {
  for (const [f, d] of [[path.resolve(file), path.resolve(folder)], [real(file), real(folder)]] as const) {
    const rel = path.relative(d, f);
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return false;
  }
  return true;
}
