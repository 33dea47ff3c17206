"""PyTorch peer of test/bench/trainBench.ts (optional; Debian's python3-torch).

Builds the same architecture as test/bench/trainModels.ts from the same weights (an .npz keyed by
initializer name), then times the forward pass and one continuous-sparsification mask-training step:
weights frozen, effective weight W * sigmoid(beta * s) for every masked tensor, loss = mean softmax
cross-entropy + lambda * sum(sigmoid(beta * s)), backward, Adam update of the logits s.
Usage: python3 torch_step.py '{"model": "mlp", "weights": "w.npz", "batch": 256, "threads": 2, ...}'
Prints {"forwardMs": ..., "stepMs": ...} (medians).
"""
import json
import math
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def build(cfg, W):
    """Returns forward(x, eff) where eff(name) gives the (masked) weight tensor."""
    name = cfg["model"]
    if name == "mlp":
        def forward(x, eff):
            h = F.relu(F.linear(x, eff("fc1.weight"), W["fc1.bias"]))
            h = F.relu(F.linear(h, eff("fc2.weight"), W["fc2.bias"]))
            return F.linear(h, eff("fc3.weight"), W["fc3.bias"])
        return forward
    if name == "cnn":
        def forward(x, eff):
            for i in (1, 2, 3):
                x = F.max_pool2d(F.relu(F.conv2d(x, eff(f"conv{i}.weight"), W[f"conv{i}.bias"], padding=1)), 2)
            x = torch.flatten(x, 1)
            x = F.relu(F.linear(x, eff("fc1.weight"), W["fc1.bias"]))
            return F.linear(x, eff("fc2.weight"), W["fc2.bias"])
        return forward
    if name == "transformer":
        t = cfg["transformer"]
        layers, dim, heads = t["layers"], t["dim"], t["heads"]
        hd = dim // heads

        def forward(x, eff):
            n, s, _ = x.shape
            for l in range(layers):
                p = f"layer{l}"
                h = F.layer_norm(x, (dim,), W[f"{p}.ln1.weight"], W[f"{p}.ln1.bias"])
                def proj(k):
                    return (h @ eff(f"{p}.attn.{k}.weight")).reshape(n, s, heads, hd).transpose(1, 2)
                q, k, v = proj("q"), proj("k"), proj("v")
                a = torch.softmax((q @ k.transpose(-1, -2)) * (1 / math.sqrt(hd)), dim=-1)
                ctx = (a @ v).transpose(1, 2).reshape(n, s, dim)
                r1 = x + ctx @ eff(f"{p}.attn.out.weight")
                h2 = F.layer_norm(r1, (dim,), W[f"{p}.ln2.weight"], W[f"{p}.ln2.bias"])
                g = F.gelu(h2 @ eff(f"{p}.ff1.weight") + W[f"{p}.ff1.bias"])
                x = r1 + (g @ eff(f"{p}.ff2.weight") + W[f"{p}.ff2.bias"])
            return F.linear(x.mean(dim=1), eff("head.weight"), W["head.bias"])
        return forward
    raise SystemExit(f"unknown model {name}")


def mask_step_ms(W, masked, run, y, warmup, steps):
    """Median wall and CPU (process) ms of a continuous-sparsification step: run(eff) computes the logits
    with eff(name) the (masked) weight, loss = cross-entropy + lambda * sum(gates), backward, Adam on the
    mask logits."""
    logits = {n: torch.full_like(W[n], 0.05, requires_grad=True) for n in masked}
    opt = torch.optim.Adam(list(logits.values()), lr=0.01)
    beta, lam = 1.0, 1e-8
    times, cpu = [], []
    for i in range(warmup + steps):
        t0, c0 = time.perf_counter(), time.process_time()
        gates = {n: torch.sigmoid(beta * s) for n, s in logits.items()}
        out = run(lambda n: W[n] * gates[n] if n in gates else W[n])
        loss = F.cross_entropy(out, y) + lam * sum(g.sum() for g in gates.values())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(times), statistics.median(cpu)


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(0)
    W = {k: torch.from_numpy(np.array(v)) for k, v in np.load(cfg["weights"]).items()}
    forward = build(cfg, W)
    batch = cfg["batch"]
    shapes = {"mlp": (784,), "cnn": (3, 32, 32), "transformer": (cfg["transformer"]["seq"], cfg["transformer"]["dim"])}
    x = torch.randn(batch, *shapes[cfg["model"]])
    y = torch.randint(0, 10, (batch,))

    with torch.no_grad():
        for _ in range(3):
            forward(x, lambda n: W[n])
        times = []
        for _ in range(cfg["forwardRuns"]):
            t0 = time.perf_counter()
            forward(x, lambda n: W[n])
            times.append((time.perf_counter() - t0) * 1000)
    forward_ms = statistics.median(times)

    step_ms, _ = mask_step_ms(W, cfg["masked"], lambda eff: forward(x, eff), y, cfg["warmup"], cfg["steps"])
    print(json.dumps({"forwardMs": forward_ms, "stepMs": step_ms}))


if __name__ == "__main__":
    main()
