// Helpers for tests that run CLI commands on arrays stored as JSON (fixtures made by Python scripts).
import type { CliIO } from '../../src/cli/command';

export interface JsonArray { shape: number[]; dtype: 'float32' | 'int64'; data: number[] }

/** A CliIO that keeps what the command prints. */
export function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

/** A JSON array as the typed array writeNpz takes. */
export const toNamed = (a: JsonArray) => (a.dtype === 'int64'
  ? { dtype: 'int64' as const, shape: a.shape, data: BigInt64Array.from(a.data.map((v) => BigInt(v))) }
  : { dtype: 'float32' as const, shape: a.shape, data: Float32Array.from(a.data) });
