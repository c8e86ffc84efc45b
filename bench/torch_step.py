"""PyTorch reference for bench/train.ts: the same transformer training step, timed on the CPU.

6 pre-norm blocks (LayerNorm -> 4-head attention -> residual, LayerNorm -> MLP 4x with GELU -> residual), width 256,
96 tokens, batch 16, MSE loss against a random target, AdamW. Mode "lora": rank-16 adapters on q/k/v/o/fc1/fc2 with
the base frozen; mode "full": every weight trainable. Prints one JSON object on stdout.
Usage: python3 bench/torch_step.py --threads 2 --steps 5 --modes lora,full
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH, TOKENS, BATCH, BLOCKS, HEADS, RANK = 256, 96, 16, 6, 4, 16


class LoRALinear(nn.Module):
    def __init__(self, fan_in, fan_out, rank):
        super().__init__()
        self.base = nn.Linear(fan_in, fan_out)
        self.rank = rank
        if rank > 0:
            self.base.weight.requires_grad_(False)
            self.base.bias.requires_grad_(False)
            self.a = nn.Parameter(torch.randn(rank, fan_in) / math.sqrt(fan_in))
            self.b = nn.Parameter(torch.zeros(fan_out, rank))

    def forward(self, x):
        y = self.base(x)
        if self.rank > 0:
            y = y + (x @ self.a.t()) @ self.b.t()
        return y


class Block(nn.Module):
    def __init__(self, rank):
        super().__init__()
        self.ln1 = nn.LayerNorm(WIDTH)
        self.q, self.k, self.v, self.o = (LoRALinear(WIDTH, WIDTH, rank) for _ in range(4))
        self.ln2 = nn.LayerNorm(WIDTH)
        self.fc1 = LoRALinear(WIDTH, 4 * WIDTH, rank)
        self.fc2 = LoRALinear(4 * WIDTH, WIDTH, rank)
        if rank > 0:
            for p in (*self.ln1.parameters(), *self.ln2.parameters()):
                p.requires_grad_(False)

    def forward(self, x):
        b, t, c = x.shape
        h = self.ln1(x)
        split = lambda y: y.view(b, t, HEADS, c // HEADS).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c // HEADS), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.o(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


def time_mode(rank, steps, warmup):
    torch.manual_seed(0)
    model = nn.Sequential(*(Block(rank) for _ in range(BLOCKS)))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    x = torch.randn(BATCH, TOKENS, WIDTH)
    target = torch.randn(BATCH, TOKENS, WIDTH)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"ms_per_step": times[len(times) // 2], "trainable": sum(p.numel() for p in params)}


def matmul_gflops(n=1024, reps=10):
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--modes", default="lora,full")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "matmul_gflops": matmul_gflops()}
    for mode in args.modes.split(","):
        out[mode] = time_mode(RANK if mode == "lora" else 0, args.steps, args.warmup)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
