// Errors as they cross a process or webview boundary (worker ↔ host ↔ webview): class name and message.

/** An error as it crosses the process boundary: the engine's error class name and its message, no stack. */
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
