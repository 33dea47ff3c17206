// Errors of the autodiff layer. Both carry structured fields; only src/extension and src/cli word them for users.

export interface UnsupportedNode {
  op: string;
  domain: string;
  node: string;
}

/** Ops on a path from the trained tensors to the loss have no gradient rule. */
export class UnsupportedOpError extends Error {
  override readonly name = 'UnsupportedOpError';
  constructor(
    readonly nodes: UnsupportedNode[],
    readonly opset: number,
    readonly supported: string[],
  ) {
    const byOp = new Map<string, string[]>();
    for (const n of nodes) {
      const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.op}` : n.op;
      byOp.set(key, [...(byOp.get(key) ?? []), n.node]);
    }
    const list = [...byOp].map(([op, names]) =>
      `'${op}' (node${names.length > 1 ? 's' : ''} ${names.map((s) => `'${s}'`).join(', ')})`);
    super(`no gradient rule for ${list.join(', ')} at opset ${opset}; ` +
      `these nodes lie between the trained tensors and the loss. ` +
      `Supported ops: ${supported.join(', ')}`);
  }
  /** The first unsupported op (convenience for single-op cases). */
  get op(): string { return this.nodes[0]?.op ?? ''; }
  get domain(): string { return this.nodes[0]?.domain ?? ''; }
  get node(): string { return this.nodes[0]?.node ?? ''; }
}

/** The graph or a rule broke an autodiff invariant: unknown tensor or rank, wrong number of rule results. */
export class AutodiffError extends Error {
  override readonly name = 'AutodiffError';
  constructor(message: string, readonly node?: string, readonly tensor?: string) {
    super(message);
  }
}
