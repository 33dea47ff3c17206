"""PyTorch peer of test/bench/zooBench.ts (Debian's python3-torch and python3-torchvision).

Builds a zoo model exactly as test/fixtures/zoo/make_zoo.py does (same seed, same randomisation), then
times one continuous-sparsification mask-training step: every parameter of rank >= 2 used as
W * sigmoid(beta * s), loss = mean softmax cross-entropy + lambda * sum(sigmoid(beta * s)), backward,
Adam update of the logits s. BatchNorm stays unfolded here (eval mode), as PyTorch runs the model.
Usage: python3 torch_zoo_step.py '{"name": "resnet18", "data": "resnet18.data.npz", "batch": 8, "threads": 2,
                                   "steps": 10, "warmup": 3}'
Prints {"stepMs": median, "cpuMs": median CPU time of the process, "blas": "<BLAS libraries mapped into the process>"}.
"""
import json
import os
import sys

import numpy as np
import torch
from torch.nn.utils.stateless import functional_call

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'zoo'))
import make_zoo  # noqa: E402
from torch_step import mask_step_ms  # noqa: E402


def blas():
    """The BLAS libraries actually mapped into this process (Debian's torch is built with BLAS_INFO=generic and
    calls whatever libblas.so.3 resolves to), with torch's build setting."""
    with open('/proc/self/maps') as maps:
        libs = sorted({os.path.realpath(line.split()[-1]) for line in maps if 'blas' in line.split()[-1]})
    build = next((part.split('=')[1] for part in torch.__config__.show().split(', ') if 'BLAS_INFO=' in part), '?')
    onednn = torch.backends.mkldnn.is_available()
    return f"{', '.join(libs) or 'none'} (torch build BLAS_INFO={build}, convolutions by oneDNN: {onednn})"


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg['threads'])
    name = cfg['name']
    build, input_name, make_input, _, _ = make_zoo.MODELS[name]
    torch.manual_seed(sum(map(ord, name)))
    model = build()
    make_zoo.randomise(model, make_input)
    data = np.load(cfg['data'])
    rows = torch.from_numpy(data[input_name])
    x = rows.repeat((cfg['batch'] + len(rows) - 1) // len(rows), *([1] * (rows.dim() - 1)))[: cfg['batch']]
    y = torch.from_numpy(data['labels']).repeat(cfg['batch'])[: cfg['batch']]
    for p in model.parameters():
        p.requires_grad_(False)
    weights = dict(model.named_parameters())
    masked = [k for k, w in weights.items() if w.dim() >= 2]
    run = lambda eff: functional_call(model, {k: eff(k) for k in weights}, (x,))
    step_ms, cpu_ms = mask_step_ms(weights, masked, run, y, cfg['warmup'], cfg['steps'])
    print(json.dumps({'stepMs': step_ms, 'cpuMs': cpu_ms, 'blas': blas()}))


if __name__ == '__main__':
    main()
