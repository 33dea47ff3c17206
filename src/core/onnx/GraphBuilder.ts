// Appends nodes with fresh, unique names to a Graph. Used to build training, evaluation and export graphs.
import type { Graph, Tensor } from './ir';
import { DataType } from './ir';
import { makeNode, type AttrInput } from './makeModel';
import { makeTensor } from './tensorCodec';

export class GraphBuilder {
  private counter = 0;
  private readonly taken: Set<string>;

  constructor(readonly graph: Graph, readonly prefix: string, readonly floatType: number = DataType.FLOAT) {
    this.taken = new Set<string>();
    for (const n of graph.nodes) { this.taken.add(n.name); n.outputs.forEach((o) => this.taken.add(o)); }
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) this.taken.add(v.name);
    for (const k of graph.initializers.keys()) this.taken.add(k);
  }

  /** A name not used anywhere in the graph yet. */
  fresh(hint: string): string {
    let name: string;
    do name = `${this.prefix}/${hint}_${this.counter++}`; while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }

  emit(op: string, inputs: string[], attrs?: Record<string, AttrInput>, outputCount = 1): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(op));
    const node = makeNode({ op, inputs, outputs, attrs, name: this.fresh(`${op}_node`) }, 0);
    this.graph.nodes.push(node);
    return outputs;
  }

  emit1(op: string, inputs: string[], attrs?: Record<string, AttrInput>): string {
    return this.emit(op, inputs, attrs, 1)[0]!;
  }

  /** Adds an initializer and returns its name. */
  initializer(hint: string, dataType: number, dims: number[], values: ArrayLike<number> | ArrayLike<bigint>): string {
    const name = this.fresh(hint);
    const t: Tensor = makeTensor(name, dataType, dims, values);
    this.graph.initializers.set(name, t);
    return name;
  }

  constant(values: number[], dims: number[] = values.length === 1 ? [] : [values.length]): string {
    return this.initializer('const', this.floatType, dims, values);
  }

  int64(values: number[], dims: number[] = [values.length]): string {
    return this.initializer('i64', DataType.INT64, dims, values.map(BigInt));
  }

  /** Adds a graph input. */
  input(name: string, elemType: number, shape: (number | string | null)[]): string {
    this.taken.add(name);
    this.graph.inputs.push({ name, elemType, shape });
    return name;
  }

  output(name: string, elemType: number, shape: (number | string | null)[] | null = null): void {
    this.graph.outputs.push({ name, elemType, shape });
  }
}
