// Forward-only evaluation with replaceable weights: the chosen initializers become graph inputs, so one
// session scores the full model, a subnetwork, an ablation or a random ablation by feeding different values.
import type { Model } from '../onnx/ir';
import { DataType, elementCount } from '../onnx/ir';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { createSession, ort } from '../runtime/session';
import { cloneGraph, measuredShapes, type FloatArrayLike } from './buildTrainingGraph';
import { appendHead, headClasses, oneHot, type HeadSpec } from './lossHeads';
import { TrainerError } from './errors';
import { toOrt } from './toOrt';
import { chunksOf, fedRows, type TrainingData } from './TrainingData';
import { fixedBatchOf } from './fixedBatch';

export interface Evaluation {
  accuracy: number;
  loss: number;
  count: number;
}

export class Evaluator {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly replaced: Map<string, number[]>,
    private readonly onehot: string,
    private readonly classes: number,
    private readonly dataInputs: string[],
    private readonly outputs: { loss: string; correct: string },
    /** Problems per call when the model fixes its batch dimension: chunks are padded to it. */
    readonly fixedBatch: number | undefined,
  ) {}

  static async create(
    model: Model,
    options: { output: string; head: HeadSpec; replaced: string[]; threads?: number },
  ): Promise<Evaluator> {
    const graph = cloneGraph(model.graph);
    const b = new GraphBuilder(graph, 'eval');
    const replaced = new Map<string, number[]>();
    for (const name of options.replaced) {
      const w = graph.initializers.get(name);
      if (!w || w.dataType !== DataType.FLOAT) {
        throw new TrainerError(`'${name}' is not a float32 initializer of the model`);
      }
      graph.initializers.delete(name);
      b.input(name, DataType.FLOAT, w.dims);
      replaced.set(name, w.dims);
    }
    const shapes = await measuredShapes(model, options.head);
    const outShape = shapes.get(options.output);
    const width = outShape?.[outShape.length - 1];
    if (!outShape || outShape.length !== 2 || typeof width !== 'number') {
      const shown = (outShape ?? []).join(', ');
      throw new TrainerError(
        `output '${options.output}' must be [batch, width] with a fixed width; its shape is [${shown}]`,
      );
    }
    const classes = headClasses(options.head, width);
    const onehot = b.input('eval/onehot', DataType.FLOAT, [null, classes]);
    const head = appendHead(b, options.head, options.output, onehot, width);
    graph.outputs = [];
    b.output(head.loss, DataType.FLOAT, []);
    b.output(head.correct, DataType.FLOAT, []);
    const session = await createSession({ ...model, graph, proto: undefined }, { threads: options.threads });
    const dataInputs = model.graph.inputs.map((i) => i.name);
    const fixed = fixedBatchOf(model, options.head);
    const outputs = { loss: head.loss, correct: head.correct };
    return new Evaluator(session, replaced, onehot, classes, dataInputs, outputs, fixed);
  }

  /** Accuracy and mean loss over every row of `data`, with `weights` fed for the replaced initializers. */
  async evaluate(data: TrainingData, weights: Map<string, FloatArrayLike>, batch = 256): Promise<Evaluation> {
    const feedsW: Record<string, ort.Tensor> = {};
    for (const [name, dims] of this.replaced) {
      const w = weights.get(name);
      if (!w || w.length !== elementCount(dims)) throw new TrainerError(`no weights of the right size for '${name}'`);
      feedsW[name] = new ort.Tensor('float32', w instanceof Float32Array ? w : Float32Array.from(w), dims);
    }
    let correct = 0, lossSum = 0;
    for (const rows of chunksOf(data, batch, this.fixedBatch)) {
      const n = rows.labels.length;
      const feeds: Record<string, ort.Tensor> = { ...feedsW };
      for (const name of this.dataInputs) {
        const a = rows.inputs[name];
        if (!a) throw new TrainerError(`the data has no array for model input '${name}'`);
        feeds[name] = toOrt(a.data, a.dims);
      }
      const onehot = oneHot(rows.labels, this.classes, DataType.FLOAT, fedRows(rows)) as Float32Array;
      feeds[this.onehot] = new ort.Tensor('float32', onehot, [fedRows(rows), this.classes]);
      const out = await this.session.run(feeds);
      correct += Number(out[this.outputs.correct]!.data[0]);
      lossSum += Number(out[this.outputs.loss]!.data[0]) * n;
    }
    return {
      accuracy: data.size ? correct / data.size : NaN,
      loss: data.size ? lossSum / data.size : NaN,
      count: data.size,
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
