// Models a hostile repository could ship: valid ONNX that onnxruntime would run for hours or that would
// allocate terabytes. Nothing that only reads them may run them.
import { makeGraph, makeModel } from '../../src/core/onnx/makeModel';
import { DataType, type Model } from '../../src/core/onnx/ir';
import { makeTensor } from '../../src/core/onnx/tensorCodec';
import { encodeGraph } from '../../src/core/onnx/writeModel';

/** A Loop with trip count 10¹² whose body adds 1 to a [2] vector: y = x + 10¹² after a very long time. */
export function endlessLoopModel(): Model {
  const body = makeGraph({
    name: 'body',
    inputs: [
      { name: 'i', elemType: DataType.INT64, shape: [] },
      { name: 'cond_in', elemType: DataType.BOOL, shape: [] },
      { name: 'v_in', shape: [2] },
    ],
    outputs: [{ name: 'cond_out', elemType: DataType.BOOL, shape: [] }, { name: 'v_out', shape: [2] }],
    initializers: [makeTensor('one', DataType.FLOAT, [], [1])],
    nodes: [
      { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] },
      { op: 'Add', inputs: ['v_in', 'one'], outputs: ['v_out'] },
    ],
  });
  return makeModel({
    inputs: [{ name: 'x', shape: [2] }],
    outputs: [{ name: 'y' }],
    initializers: [
      makeTensor('trips', DataType.INT64, [], [10n ** 12n]),
      makeTensor('go', DataType.BOOL, [], [1]),
    ],
    nodes: [
      {
        op: 'Loop', inputs: ['trips', 'go', 'x'], outputs: ['looped'],
        attrs: { body: { type: 'graph', value: encodeGraph(body) } },
      },
      { op: 'Relu', inputs: ['looped'], outputs: ['y'] },
    ],
  });
}

/**
 * An Expand of a [1] input to [10⁶, 10⁶] floats (4 TB), then a sum; NonZero of the sum has a shape only
 * a run can tell, so a shape probe would want to run it.
 */
export function hugeExpandModel(): Model {
  return makeModel({
    inputs: [{ name: 'x', shape: [1] }],
    outputs: [{ name: 'y', shape: [] }, { name: 'nonzero', elemType: DataType.INT64 }],
    initializers: [makeTensor('size', DataType.INT64, [2], [1_000_000n, 1_000_000n])],
    nodes: [
      { op: 'Expand', inputs: ['x', 'size'], outputs: ['big'] },
      { op: 'ReduceSum', inputs: ['big'], outputs: ['y'], attrs: { keepdims: 0 } },
      { op: 'NonZero', inputs: ['y'], outputs: ['nonzero'] },
    ],
  });
}
