// Dropout as run for inference (training_mode absent or a constant false): Y = X, so d/dX = dY; ratio
// and training_mode get no gradient and the optional mask output carries none. A training-mode
// Dropout would need its mask; it is refused rather than differentiated wrongly.
import { AutodiffError } from '../errors';
import type { RuleEntry } from '../types';

export const dropout: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const mode = node.inputs[2];
    if (mode && ctx.constantValue(mode)?.[0] !== 0) {
      throw new AutodiffError(`Dropout node '${node.name}' runs in training mode (input '${mode}' is not a constant ` +
        `false); only inference-mode Dropout is differentiated`, node.name, mode);
    }
    return node.inputs.map((_, i) => (i === 0 ? dY! : null));
  },
};
