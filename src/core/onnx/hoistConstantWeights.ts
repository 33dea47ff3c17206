// Weights some exporters (paddle2onnx among them) keep in `Constant` nodes instead of initializers become
// initializers on load, so they are maskable, attributable and exported like every other weight.
import { DataType, type Graph, type Node, type Tensor } from './ir';

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

/**
 * Moves every float Constant output of rank ≥ 2 that a node of the graph reads into the initializers
 * (named after the output, so the graph keeps its wiring); returns the names moved. Lower-rank constants
 * (biases, shapes, scalars) and constants that are graph outputs stay nodes.
 */
export function hoistConstantWeights(graph: Graph): string[] {
  const read = new Set(graph.nodes.flatMap((n) => n.inputs));
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const hoisted: string[] = [];
  graph.nodes = graph.nodes.filter((node) => {
    const value = constantWeight(node);
    const name = node.outputs[0];
    if (!value || name === undefined || !read.has(name)) return true;
    if (outputs.has(name) || graph.initializers.has(name)) return true;
    graph.initializers.set(name, { ...value, name });
    hoisted.push(name);
    return false;
  });
  return hoisted;
}

function constantWeight(node: Node): Tensor | undefined {
  if (node.opType !== 'Constant' || node.domain !== '' || node.outputs.length !== 1) return undefined;
  const value = node.attributes.get('value');
  if (value?.type !== 'tensor') return undefined;
  const t = value.value;
  return FLOAT_TYPES.has(t.dataType) && t.dims.length >= 2 ? t : undefined;
}
