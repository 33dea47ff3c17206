// The Adam update of the flat parameter vector, with the continuous-sparsification chain rule folded in,
// as one pass of 4-wide float32 WebAssembly SIMD. As ONNX nodes the same arithmetic was about twenty
// elementwise passes over the vector, which dominated the step of models with many masked weights; scalar
// JavaScript is no faster than those nodes. The vectors stay in JavaScript memory and pass through the
// module's small linear memory a chunk at a time, so any model size fits.
import { TrainerError } from './errors';

/** Elements per chunk: the module's five arrays of one chunk (320 KiB) stay in the L2 cache. */
const CHUNK = 16384;
/** Byte offsets of the arrays in linear memory: gradient, gate, parameter, first and second moment. */
const AT = { grad: 0, gate: CHUNK * 4, param: 2 * CHUNK * 4, m: 3 * CHUNK * 4, v: 4 * CHUNK * 4 } as const;

export interface AdamVectors {
  /** Gradient of the loss: with respect to the gate (chained: 'sigmoid') or to the parameter itself. */
  grad: Float32Array;
  /** The gate sigmoid(β·param) the gradient was computed at ('sigmoid' only). */
  gate?: Float32Array;
  /** Parameter and Adam moments, updated in place. */
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

export interface AdamScalars {
  /** Bias-corrected step size: lr·√(1 − β2^t)/(1 − β1^t). */
  stepSize: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /**
   * 'sigmoid': the gradient is d loss/d gate of gate = sigmoid(β·param) plus a penalty λ·Σ gate outside the
   * gradient, so d loss/d param = (grad + λ)·gate·(1 − gate)·β. 'none': the gradient is d loss/d param.
   */
  chain: { kind: 'sigmoid'; beta: number; lambda: number } | { kind: 'none' };
}

/**
 * One Adam step, in float32 with the order of operations of the ONNX nodes it replaced:
 * m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², param ← param − stepSize·m/(√v + ε).
 * Returns how many updated parameters are positive (a mask's kept weights), counted in the same pass.
 */
export function adamUpdate(x: AdamVectors, s: AdamScalars): number {
  const { exports: k, f32 } = kernel();
  const chained = s.chain.kind === 'sigmoid';
  if (chained && !x.gate) throw new TrainerError('the Adam update through the sigmoid gate needs the gate vector');
  const run = chained ? k.sigmoidChain : k.plain;
  const [beta, lambda] = s.chain.kind === 'sigmoid' ? [s.chain.beta, s.chain.lambda] : [1, 0];
  const n = x.params.length;
  const zero = (at: number, from: number, to: number) => f32.fill(0, at / 4 + from, at / 4 + to);
  let positive = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const count = Math.min(CHUNK, n - start);
    const end = start + count;
    const lanes = Math.ceil(count / 4) * 4;
    f32.set(x.grad.subarray(start, end), AT.grad / 4);
    if (chained) f32.set(x.gate!.subarray(start, end), AT.gate / 4);
    f32.set(x.params.subarray(start, end), AT.param / 4);
    f32.set(x.m.subarray(start, end), AT.m / 4);
    f32.set(x.v.subarray(start, end), AT.v / 4);
    // Lanes past the end of the vector compute zeros (0/(0 + ε)) and are never copied back.
    if (lanes > count) for (const at of Object.values(AT)) zero(at, count, lanes);
    positive += run(lanes, s.stepSize, beta, lambda, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.epsilon);
    x.params.set(f32.subarray(AT.param / 4, AT.param / 4 + count), start);
    x.m.set(f32.subarray(AT.m / 4, AT.m / 4 + count), start);
    x.v.set(f32.subarray(AT.v / 4, AT.v / 4 + count), start);
  }
  return positive;
}

type KernelFn = (lanes: number, stepSize: number, beta: number, lambda: number, beta1: number, oneMinusBeta1: number,
  beta2: number, oneMinusBeta2: number, epsilon: number) => number;

interface Kernel {
  exports: { sigmoidChain: KernelFn; plain: KernelFn };
  f32: Float32Array;
}

let compiled: Kernel | undefined;

function kernel(): Kernel {
  if (compiled) return compiled;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
  const exports = instance.exports as unknown as Kernel['exports'] & { memory: WebAssembly.Memory };
  compiled = { exports, f32: new Float32Array(exports.memory.buffer) };
  return compiled;
}

// WebAssembly encoding (https://webassembly.github.io/spec/core/binary/): opcodes used by the kernel.
const OP = {
  block: 0x02, loop: 0x03, brIf: 0x0d, end: 0x0b, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, f32Const: 0x43, i32Eqz: 0x45, i32LtU: 0x49, i32Add: 0x6a, i32Shl: 0x74, void: 0x40,
} as const;
/** SIMD opcodes (after the 0xfd prefix). */
const SIMD = {
  load: 0x00, store: 0x0b, f32x4Splat: 0x13, sqrt: 0xe3, add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7,
  gt: 0x44, i32x4ExtractLane: 0x1b, i32x4Sub: 0xb1,
} as const;
const TYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b, func: 0x60 } as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
/** v128.load/store at a static offset from the index on the stack (16-byte aligned). */
const memory = (op: number, offset: number): number[] => [...simd(op), 4, ...uleb(offset)];

/**
 * Parameters 0–8 as in KernelFn; locals: 9 byte index, 10 end, then v128 splats of the scalars and temporaries.
 * With `chained`, the gradient is first multiplied by the sigmoid's derivative (see AdamScalars.chain).
 * Returns the number of positive updated parameters: each lane of `positive` subtracts the all-ones (−1)
 * of a true comparison; lanes past the end hold 0, which is not positive.
 */
function kernelBody(chained: boolean): number[] {
  const [index, end] = [9, 10];
  const [stepSize, beta, lambda, beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, one] =
    [11, 12, 13, 14, 15, 16, 17, 18, 19];
  const [g, m, v, gate, param, positive, zeros] = [20, 21, 22, 23, 24, 25, 26];
  const get = (l: number) => [OP.localGet, l];
  const load = (offset: number) => [...get(index), ...memory(SIMD.load, offset)];
  const f = (op: number) => simd(op);
  const splats = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((param, i) => [...get(param), ...f(SIMD.f32x4Splat), OP.localSet,
    stepSize + i]);
  const gradient = chained
    ? [
      ...load(AT.gate), OP.localSet, gate,
      ...load(AT.grad), ...get(lambda), ...f(SIMD.add),
      ...get(gate), ...get(one), ...get(gate), ...f(SIMD.sub), ...f(SIMD.mul), ...f(SIMD.mul),
      ...get(beta), ...f(SIMD.mul), OP.localSet, g,
    ]
    : [...load(AT.grad), OP.localSet, g];
  const body = [
    ...get(0), OP.i32Const, 2, OP.i32Shl, OP.localSet, end,
    ...splats,
    OP.f32Const, ...new Uint8Array(Float32Array.of(1).buffer), ...f(SIMD.f32x4Splat), OP.localSet, one,
    OP.block, OP.void, ...get(end), OP.i32Eqz, OP.brIf, 0,
    OP.loop, OP.void,
    ...gradient,
    ...get(index), ...load(AT.m), ...get(beta1), ...f(SIMD.mul), ...get(g), ...get(oneMinusBeta1), ...f(SIMD.mul),
    ...f(SIMD.add), OP.localTee, m, ...memory(SIMD.store, AT.m),
    ...get(index), ...load(AT.v), ...get(beta2), ...f(SIMD.mul), ...get(g), ...get(g), ...f(SIMD.mul),
    ...get(oneMinusBeta2), ...f(SIMD.mul), ...f(SIMD.add), OP.localTee, v, ...memory(SIMD.store, AT.v),
    ...get(index), ...load(AT.param), ...get(m), ...get(stepSize), ...f(SIMD.mul),
    ...get(v), ...f(SIMD.sqrt), ...get(epsilon), ...f(SIMD.add), ...f(SIMD.div), ...f(SIMD.sub),
    OP.localTee, param, ...memory(SIMD.store, AT.param),
    ...get(positive), ...get(param), ...get(zeros), ...f(SIMD.gt), ...f(SIMD.i32x4Sub), OP.localSet, positive,
    ...get(index), OP.i32Const, 16, OP.i32Add, OP.localTee, index, ...get(end), OP.i32LtU, OP.brIf, 0,
    OP.end, OP.end,
    ...[0, 1, 2, 3].flatMap((lane) =>
      [...get(positive), ...f(SIMD.i32x4ExtractLane), lane, ...(lane ? [OP.i32Add] : [])]),
    OP.end,
  ];
  const locals = vec([[2, TYPE.i32], [16, TYPE.v128]]);
  const code = [...locals, ...body];
  return [...uleb(code.length), ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const pages = Math.ceil((AT.v + CHUNK * 4) / 65536);
  const params = [[TYPE.i32], ...Array.from({ length: 8 }, () => [TYPE.f32])];
  const signature = [TYPE.func, ...vec(params), ...vec([[TYPE.i32]])];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([signature])),
    ...section(3, vec([[0], [0]])),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], [...name('sigmoidChain'), 0x00, 0], [...name('plain'), 0x00, 1]])),
    ...section(10, vec([kernelBody(true), kernelBody(false)])),
  ]);
}
