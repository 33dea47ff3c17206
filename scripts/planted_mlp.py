#!/usr/bin/python3
"""PyTorch-trained planted MLPs for a `subnetwork-lens find` run: a two-stream MLP whose streams meet only
at the output layer (modular by construction) and a weight-shared MLP (one module reads both halves).

Input x = [xa (4), xb (4)]; a row of subroutine A has signal only in xa, one of B only in xb, and its label
is whether the first two features of its half lie outside the circle holding half the rows (radius² = 2 ln 2).

    /usr/bin/python3 scripts/planted_mlp.py OUT_DIR [--seed 0]
    node dist/cli.js find OUT_DIR/two-stream/planted.subnet.json
    node dist/cli.js find OUT_DIR/shared/planted.subnet.json

Needs torch, onnx and numpy (Debian: python3-torch python3-onnx python3-numpy).
"""
import argparse
import json
import math
import os

import numpy as np
import torch
from torch import nn

FEATURES, HIDDEN = 4, 32


class TwoStream(nn.Module):
    """Bias-free streams: a silent stream then outputs 0, not relu(bias), a constant the head would fold into
    the other subroutine's decision (coupling the streams at the head)."""

    def __init__(self):
        super().__init__()
        self.stream_a = nn.Sequential(nn.Linear(FEATURES, HIDDEN, bias=False), nn.ReLU())
        self.stream_b = nn.Sequential(nn.Linear(FEATURES, HIDDEN, bias=False), nn.ReLU())
        self.head = nn.Linear(2 * HIDDEN, 2)

    def forward(self, x):
        return self.head(torch.cat([self.stream_a(x[:, :FEATURES]), self.stream_b(x[:, FEATURES:])], dim=1))


class Shared(nn.Module):
    """One module (the same weights) reads each half; the head sees the sum."""

    def __init__(self):
        super().__init__()
        self.shared = nn.Sequential(nn.Linear(FEATURES, HIDDEN, bias=False), nn.ReLU())
        self.head = nn.Linear(HIDDEN, 2)

    def forward(self, x):
        return self.head(self.shared(x[:, :FEATURES]) + self.shared(x[:, FEATURES:]))


def rows(n, which, rng):
    """`which` 0 = A, 1 = B, None = alternate (the compositional task)."""
    x = np.zeros((n, 2 * FEATURES), np.float32)
    y = np.zeros(n, np.int64)
    for i in range(n):
        half = i % 2 if which is None else which
        x[i, half * FEATURES:(half + 1) * FEATURES] = rng.standard_normal(FEATURES)
        y[i] = int(x[i, half * FEATURES] ** 2 + x[i, half * FEATURES + 1] ** 2 > 2 * math.log(2))
    return {'x': x, 'labels': y}


def train(model, data, seed, epochs=30, batch=64, lr=1e-2):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x, y = torch.from_numpy(data['x']), torch.from_numpy(data['labels'])
    for _ in range(epochs):
        order = torch.randperm(len(y))
        for k in range(0, len(y), batch):
            idx = order[k:k + batch]
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    return model


def accuracy(model, data):
    with torch.no_grad():
        return float((model(torch.from_numpy(data['x'])).argmax(1).numpy() == data['labels']).mean())


def write(out, model_cls, seed):
    os.makedirs(os.path.join(out, 'data'), exist_ok=True)
    rng = np.random.default_rng(seed)
    sets = {f'{n}_{part}': rows(size, i, rng)
            for i, n in enumerate('AB') for part, size in (('train', 256), ('test', 400))}
    sets['task_train'] = rows(2048, None, rng)
    sets['task'] = rows(400, None, rng)
    for name, arrays in sets.items():
        np.savez(os.path.join(out, 'data', f'{name}.npz'), **arrays)
    torch.manual_seed(seed)
    model = train(model_cls(), sets['task_train'], seed).eval()
    torch.onnx.export(model, torch.zeros(1, 2 * FEATURES), os.path.join(out, 'model.onnx'), input_names=['x'],
                      output_names=['logits'], dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}}, opset_version=13)
    spec = {
        'model': 'model.onnx', 'output': 'logits', 'head': {'type': 'classify'},
        'subroutines': {n: {'train': f'data/{n}_train.npz', 'test': f'data/{n}_test.npz'} for n in 'AB'},
        'task': {'test': 'data/task.npz', 'train': 'data/task_train.npz'},
        'mask': {'method': 'continuous-sparsification', 'init': 0.5, 'lambda': 0.01, 'lr': 0.05, 'epochs': 15,
                 'batch': 32, 'temperature': [1, 200]},
        'seeds': [0, 1, 2],
    }
    with open(os.path.join(out, 'planted.subnet.json'), 'w') as f:
        json.dump(spec, f, indent=2)
    print(f'{out}: task accuracy {accuracy(model, sets["task"]):.3f}, '
          f'A {accuracy(model, sets["A_test"]):.3f}, B {accuracy(model, sets["B_test"]):.3f}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    write(os.path.join(args.out, 'two-stream'), TwoStream, args.seed)
    write(os.path.join(args.out, 'shared'), Shared, args.seed)


if __name__ == '__main__':
    main()
