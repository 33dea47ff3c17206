import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { AttributeProtoSchema, GraphProtoSchema, NodeProtoSchema } from 'onnx-buf';
import { findControlFlow } from '../../../src/core/onnx/findControlFlow';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { encodeModel } from '../../../src/core/onnx/writeModel';
import { decodeModel } from '../../../src/core/onnx/readModel';

const relu = (i: string, o: string) => create(NodeProtoSchema, { opType: 'Relu', input: [i], output: [o] });

function branch(name: string, nodes = [relu('x', 'y')]) {
  return create(GraphProtoSchema, { name, node: nodes });
}

describe('findControlFlow', () => {
  test('lists If, Loop and Scan nodes with their subgraphs, nested ones included', () => {
    const nestedIf = create(NodeProtoSchema, {
      name: 'inner_if', opType: 'If', input: ['c'], output: ['z'],
      attribute: [
        create(AttributeProtoSchema, { name: 'then_branch', type: 5, g: branch('then_inner') }),
        create(AttributeProtoSchema, { name: 'else_branch', type: 5, g: branch('else_inner') }),
      ],
    });
    const loopBody = branch('body', [relu('a', 'b'), nestedIf]);
    const model = makeModel({
      inputs: [{ name: 'x', shape: [2] }, { name: 'cond', elemType: 9, shape: [] }], outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'], name: 'plain' },
        { op: 'If', inputs: ['cond'], outputs: ['i'], name: 'top_if',
          attrs: { then_branch: { type: 'graph', value: branch('then') },
            else_branch: { type: 'graph', value: branch('else', []) } } },
        { op: 'Loop', inputs: ['', 'cond', 'i'], outputs: ['l'], name: 'loop',
          attrs: { body: { type: 'graph', value: loopBody } } },
        { op: 'Scan', inputs: ['l'], outputs: ['y'], name: 'scan',
          attrs: { body: { type: 'graph', value: branch('scan_body') }, num_scan_inputs: 1 } },
      ],
    });
    for (const m of [model, decodeModel(encodeModel(model).model)]) {
      const found = findControlFlow(m);
      assert.deepEqual(found.map((f) => [f.name, f.opType, f.within.join(' > ')]), [
        ['top_if', 'If', ''], ['loop', 'Loop', ''], ['inner_if', 'If', 'loop.body'], ['scan', 'Scan', ''],
      ]);
      assert.deepEqual(found[0]!.subgraphs,
        [{ attribute: 'then_branch', graph: 'then', nodes: 1 }, { attribute: 'else_branch', graph: 'else', nodes: 0 }]);
      assert.deepEqual(found[1]!.subgraphs, [{ attribute: 'body', graph: 'body', nodes: 2 }]);
    }
  });

  test('finds nothing in a graph without subgraphs', () => {
    const model = makeModel({ inputs: [{ name: 'x', shape: [2] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
    assert.deepEqual(findControlFlow(model), []);
  });
});
