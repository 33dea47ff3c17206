// The load step that makes a model as users have it trainable: weights held in Constant nodes become
// initializers and an opset older than 13 is upgraded. What changed is recorded in `model.loadChanges`.
import { clone } from '@bufbuild/protobuf';
import { GraphProtoSchema } from 'onnx-buf';
import { OnnxFormatError } from './errors';
import { hoistConstantWeights } from './hoistConstantWeights';
import type { LoadChanges, Model } from './ir';
import { upgradeOpset } from './upgradeOpset';

/** IR versions that go with the changes: initializers need not be graph inputs from 4; opset 13 is IR 7. */
const IR_WITHOUT_INITIALIZER_INPUTS = 4;
const IR_OF_OPSET_13 = 7;

/** Normalises the model in place. An opset that cannot be upgraded is recorded, not thrown: the model still loads. */
export function normaliseLoadedModel(model: Model): LoadChanges {
  const changes: LoadChanges = { hoistedConstants: hoistConstantWeights(model.graph) };
  try {
    const upgrade = upgradeOpset(model);
    if (upgrade) changes.opsetUpgrade = upgrade;
  } catch (e) {
    if (!(e instanceof OnnxFormatError)) throw e;
    changes.opsetUpgradeError = e.message;
  }
  const hoisted = changes.hoistedConstants.length > 0;
  const neededIr = changes.opsetUpgrade ? IR_OF_OPSET_13 : hoisted ? IR_WITHOUT_INITIALIZER_INPUTS : 0;
  if (model.irVersion < neededIr) {
    // From IR 4 an initializer listed as a graph input is an overridable input; old files list every
    // initializer so, and they are the model's weights: stop listing them.
    if (model.graph.proto) {
      const proto = clone(GraphProtoSchema, model.graph.proto);
      proto.input = proto.input.filter((v) => !model.graph.initializers.has(v.name));
      model.graph.proto = proto;
    }
    model.irVersion = neededIr;
  }
  return changes;
}
