// Errors as they cross a process or webview boundary (worker ↔ host ↔ webview): the class name and message
// travel in an envelope's `error` (src/shared/envelope.ts); the receiving side raises a RemoteError.

/** An error as it crosses the boundary: the engine's error class name and its message, no stack. */
export interface WireError {
  name: string;
  message: string;
}

/** Turns anything thrown into a WireError: keeps the class name and message, drops the stack. */
export function toWireError(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name || 'Error', message: e.message || String(e) };
  if (e && typeof e === 'object' && 'message' in e) {
    const o = e as { name?: unknown; message?: unknown };
    return { name: typeof o.name === 'string' ? o.name : 'Error', message: String(o.message) };
  }
  return { name: 'Error', message: String(e) };
}

/**
 * An error the other end reported (or the channel itself, e.g. a crashed worker): `name` is the original
 * class name (`SpecError`, `AbortError`, `WorkerCrashedError`), so callers tell errors apart by name.
 */
export class RemoteError extends Error {
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
  }
}
