"""Independent PyTorch reference of SD 1.5's CLIP text encoder, UNet and VAE, written from the architecture
description (ldm / CLIP papers and configs), not from our graphs: the UNet's block list is the SD 1.5 config's
(channel mult 1/2/4/4, 2 res blocks, attention at the first three levels, 8 heads), the 1x1 projections run as
convolutions on NCHW, upsampling uses F.interpolate and the VAE's downsampler F.pad. Widths come from the weights.

Usage: /usr/bin/python3 bench/sd15_reference.py WEIGHTS INPUTS OURS
Reads the weights, the inputs and our outputs (safetensors), computes the reference in float64 and prints one JSON
object: per output, max |ours - ref| and that divided by max |ref|.

Usage: /usr/bin/python3 bench/sd15_reference.py bench SHAPES.json --size 512 --rank 32 [--sample]
Times the same UNet (random float32 weights of the shapes in SHAPES.json) for bench:sd15: one LoRA training step
(kohya's 192 modules, epsilon MSE, AdamW), optionally one CFG sampling forward (batch 2) and a VAE decode; prints
one JSON object with seconds and the process's peak RSS.
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DT = {"F32": np.float32, "I32": np.int32, "F16": np.float16, "U8": np.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=DT[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float64) if info["dtype"] != "I32" else arr.astype(np.int64))
    return out


class Model:
    def __init__(self, w):
        self.w = w
        self.lora = {}  # module -> (down, up, scale)

    def has(self, p):
        return p in self.w

    def gn(self, x, p, eps):
        return F.group_norm(x, 32, self.w[p + ".weight"], self.w[p + ".bias"], eps)

    def ln(self, x, p):
        return F.layer_norm(x, (x.shape[-1],), self.w[p + ".weight"], self.w[p + ".bias"], 1e-5)

    def conv(self, x, p, stride=1, pad=None):
        wt = self.w[p + ".weight"]
        return F.conv2d(x, wt, self.w.get(p + ".bias"), stride, wt.shape[-1] // 2 if pad is None else pad)

    def lin(self, x, p):
        y = F.linear(x, self.w[p + ".weight"], self.w.get(p + ".bias"))
        if p in self.lora:
            down, up, scale = self.lora[p]
            y = y + F.linear(F.linear(x, down), up) * scale
        return y

    def proj(self, x, p):
        """A 1x1 convolution on NCHW (the spatial transformer's proj_in/proj_out), with its LoRA as two 1x1 convs."""
        y = F.conv2d(x, self.w[p + ".weight"], self.w[p + ".bias"])
        if p in self.lora:
            down, up, scale = self.lora[p]
            y = y + F.conv2d(F.conv2d(x, down), up) * scale
        return y


def mha(q, k, v, heads, mask=None):
    b, n, c = q.shape
    d = c // heads
    q, k, v = (t.reshape(b, t.shape[1], heads, d).transpose(1, 2) for t in (q, k, v))
    s = q @ k.transpose(-1, -2) / math.sqrt(d)
    if mask is not None:
        s = s + mask
    return (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(b, n, c)


def clip_text(m, ids, skip):
    P = "cond_stage_model.transformer.text_model."
    L = ids.shape[1]
    x = m.w[P + "embeddings.token_embedding.weight"][ids] + m.w[P + "embeddings.position_embedding.weight"][:L]
    width = x.shape[-1]
    layers = 0
    while m.has(P + f"encoder.layers.{layers}.layer_norm1.weight"):
        layers += 1
    mask = torch.full((L, L), float("-inf"), dtype=x.dtype, device=x.device).triu(1)
    for i in range(layers - (skip - 1)):
        p = P + f"encoder.layers.{i}."
        h = m.ln(x, p + "layer_norm1")
        q, k, v = (m.lin(h, p + f"self_attn.{n}_proj") for n in "qkv")
        x = x + m.lin(mha(q, k, v, max(1, width // 64), mask), p + "self_attn.out_proj")
        h = m.lin(m.ln(x, p + "layer_norm2"), p + "mlp.fc1")
        x = x + m.lin(h * torch.sigmoid(1.702 * h), p + "mlp.fc2")
    return m.ln(x, P + "final_layer_norm")


def unet(m, x, t, ctx):
    P = "model.diffusion_model."
    ch = m.w[P + "time_embed.0.weight"].shape[1]
    half = ch // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64, device=t.device) / half)
    args = t[:, None].to(torch.float64) * freqs[None]
    feats = torch.cat([torch.cos(args), torch.sin(args)], 1).to(x.dtype)
    emb = m.lin(F.silu(m.lin(feats, P + "time_embed.0")), P + "time_embed.2")

    def res(h, p):
        p = P + p
        y = m.conv(F.silu(m.gn(h, p + ".in_layers.0", 1e-5)), p + ".in_layers.2")
        y = y + m.lin(F.silu(emb), p + ".emb_layers.1")[:, :, None, None]
        y = m.conv(F.silu(m.gn(y, p + ".out_layers.0", 1e-5)), p + ".out_layers.3")
        return (m.conv(h, p + ".skip_connection") if m.has(p + ".skip_connection.weight") else h) + y

    def st(h, p):
        p = P + p
        b, c, hh, ww = h.shape
        y = m.proj(m.gn(h, p + ".norm", 1e-6), p + ".proj_in")
        y = y.permute(0, 2, 3, 1).reshape(b, hh * ww, c)
        tb = p + ".transformer_blocks.0."
        n1 = m.ln(y, tb + "norm1")
        a = tb + "attn1."
        y = y + m.lin(mha(m.lin(n1, a + "to_q"), m.lin(n1, a + "to_k"), m.lin(n1, a + "to_v"), 8), a + "to_out.0")
        n2 = m.ln(y, tb + "norm2")
        a = tb + "attn2."
        y = y + m.lin(mha(m.lin(n2, a + "to_q"), m.lin(ctx, a + "to_k"), m.lin(ctx, a + "to_v"), 8), a + "to_out.0")
        val, gate = m.lin(m.ln(y, tb + "norm3"), tb + "ff.net.0.proj").chunk(2, -1)
        y = y + m.lin(val * F.gelu(gate), tb + "ff.net.2")
        y = y.reshape(b, hh, ww, c).permute(0, 3, 1, 2)
        return h + m.proj(y, p + ".proj_out")

    h = m.conv(x, P + "input_blocks.0.0")
    hs = [h]
    for i in range(1, 12):
        if i in (3, 6, 9):
            h = m.conv(h, P + f"input_blocks.{i}.0.op", stride=2, pad=1)
        else:
            h = res(h, f"input_blocks.{i}.0")
            if i < 9:
                h = st(h, f"input_blocks.{i}.1")
        hs.append(h)
    h = res(st(res(h, "middle_block.0"), "middle_block.1"), "middle_block.2")
    for i in range(12):
        h = res(torch.cat([h, hs.pop()], 1), f"output_blocks.{i}.0")
        if i >= 3:
            h = st(h, f"output_blocks.{i}.1")
        if i in (2, 5, 8):
            h = m.conv(F.interpolate(h, scale_factor=2, mode="nearest"), P + f"output_blocks.{i}.{1 if i == 2 else 2}.conv")
    return m.conv(F.silu(m.gn(h, P + "out.0", 1e-5)), P + "out.2")


def vae_resnet(m, x, p):
    h = m.conv(F.silu(m.gn(x, p + ".norm1", 1e-6)), p + ".conv1")
    h = m.conv(F.silu(m.gn(h, p + ".norm2", 1e-6)), p + ".conv2")
    return (m.conv(x, p + ".nin_shortcut") if m.has(p + ".nin_shortcut.weight") else x) + h


def vae_attn(m, x, p):
    b, c, hh, ww = x.shape
    h = m.gn(x, p + ".norm", 1e-6)
    q = m.conv(h, p + ".q").reshape(b, c, hh * ww).permute(0, 2, 1)
    k = m.conv(h, p + ".k").reshape(b, c, hh * ww)
    v = m.conv(h, p + ".v").reshape(b, c, hh * ww)
    w_ = torch.softmax(torch.bmm(q, k) * c ** -0.5, dim=2)
    h = torch.bmm(v, w_.permute(0, 2, 1)).reshape(b, c, hh, ww)
    return x + m.conv(h, p + ".proj_out")


def vae_mid(m, h, side):
    P = "first_stage_model." + side + ".mid."
    return vae_resnet(m, vae_attn(m, vae_resnet(m, h, P + "block_1"), P + "attn_1"), P + "block_2")


def vae_encode(m, img):
    P = "first_stage_model.encoder."
    h = m.conv(img, P + "conv_in")
    for i in range(4):
        for j in range(2):
            h = vae_resnet(m, h, P + f"down.{i}.block.{j}")
        if i < 3:
            h = m.conv(F.pad(h, (0, 1, 0, 1)), P + f"down.{i}.downsample.conv", stride=2, pad=0)
    h = vae_mid(m, h, "encoder")
    h = m.conv(F.silu(m.gn(h, P + "norm_out", 1e-6)), P + "conv_out")
    mean, logvar = m.conv(h, "first_stage_model.quant_conv").chunk(2, 1)
    return mean, logvar.clamp(-30, 20)


def vae_decode(m, z):
    P = "first_stage_model.decoder."
    h = m.conv(m.conv(z / 0.18215, "first_stage_model.post_quant_conv"), P + "conv_in")
    h = vae_mid(m, h, "decoder")
    for i in reversed(range(4)):
        for j in range(3):
            h = vae_resnet(m, h, P + f"up.{i}.block.{j}")
        if i > 0:
            h = m.conv(F.interpolate(h, scale_factor=2, mode="nearest"), P + f"up.{i}.upsample.conv")
    return m.conv(F.silu(m.gn(h, P + "norm_out", 1e-6)), P + "conv_out")


def main():
    weights, inputs, ours = (read_safetensors(p) for p in sys.argv[1:4])
    m = Model(weights)
    with torch.no_grad():
        mean, logvar = vae_encode(m, inputs["image"])
        ref = {
            "clip": clip_text(m, inputs["ids"], 1),
            "clip_skip2": clip_text(m, inputs["ids"], 2),
            "unet": unet(m, inputs["latents"], inputs["t"], inputs["context"]),
            "vae_mean": mean,
            "vae_logvar": logvar,
            "vae_decode": vae_decode(m, inputs["z"]),
        }
    report = {}
    for k, r in ref.items():
        o = ours[k]
        if tuple(o.shape) != tuple(r.shape):
            report[k] = {"error": f"shape {tuple(o.shape)} vs reference {tuple(r.shape)}"}
            continue
        err = (o - r).abs().max().item()
        report[k] = {"max_abs": err, "rel": err / max(r.abs().max().item(), 1e-30), "ref_max": r.abs().max().item()}
    print(json.dumps({"torch": torch.__version__, "parts": report}))


SITE_LAYERS = ["proj_in", "proj_out"] + [
    f"transformer_blocks.0.{a}.{l}" for a in ("attn1", "attn2") for l in ("to_q", "to_k", "to_v", "to_out.0")
] + ["transformer_blocks.0.ff.net.0.proj", "transformer_blocks.0.ff.net.2"]


def peak_rss_mib():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(argv):
    import argparse
    import time

    ap = argparse.ArgumentParser()
    ap.add_argument("shapes")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=1)
    ap.add_argument("--sample", action="store_true")
    ap.add_argument("--device", default="cpu", help="cpu or cuda: where the PyTorch side runs")
    a = ap.parse_args(argv)
    dev = torch.device(a.device)
    # GPU kernels run asynchronously: time a step only once the device has finished it.
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(a.shapes) as f:
        shapes = json.load(f)
    w = {}
    for name, shape in shapes.items():
        fan_in = math.prod(shape[1:]) if len(shape) > 1 else 1
        t = torch.empty(shape, dtype=torch.float32)
        w[name] = t.uniform_(-math.sqrt(3 / fan_in), math.sqrt(3 / fan_in)) if len(shape) > 1 else t.fill_(0.01)
    for name, shape in shapes.items():
        if len(shape) == 1 and name.endswith(".weight"):
            w[name].fill_(1.0)
    w = {k: v.to(dev) for k, v in w.items()}
    m = Model(w)
    P = "model.diffusion_model."
    sites = [s[len(P) : -len(".norm.weight")] for s in shapes if s.endswith(".1.norm.weight") and "block" in s]
    params = []
    for site in sites:
        for layer in SITE_LAYERS:
            p = P + site + "." + layer
            out, inp = shapes[p + ".weight"][:2]
            k = [1, 1] if len(shapes[p + ".weight"]) == 4 else []
            down = ((torch.rand([a.rank, inp] + k) * 2 - 1) / math.sqrt(inp)).to(dev)
            up = torch.zeros([out, a.rank] + k, device=dev)
            down.requires_grad_(True)
            up.requires_grad_(True)
            params += [down, up]
            m.lora[p] = (down, up, 1.0)
    ctx_dim = shapes[P + "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"][1]
    lat = a.size // 8
    x = torch.randn(1, 4, lat, lat).to(dev)
    ctx = torch.randn(1, 77, ctx_dim).to(dev)
    noise = torch.randn(1, 4, lat, lat).to(dev)
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "modules": len(m.lora)}
    times, cpu = [], []
    for _ in range(a.steps):
        sync()
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(unet(m, x, torch.tensor([500.0], device=dev), ctx), noise)
        loss.backward()
        opt.step()
        sync()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if times:
        out["step_s"] = min(times)
        out["step_cpu_s"] = min(cpu)
    out["step_peak_rss_mib"] = peak_rss_mib()
    if dev.type == "cuda":
        out["step_peak_gpu_mib"] = torch.cuda.max_memory_allocated() / 2**20
    if a.sample:
        m.lora = {}
        with torch.no_grad():
            t0, c0 = time.perf_counter(), time.process_time()
            unet(m, torch.cat([x, x]), torch.tensor([500.0, 500.0], device=dev), torch.cat([ctx, ctx]))
            sync()
            out["cfg_forward_s"] = time.perf_counter() - t0
            out["cfg_forward_cpu_s"] = time.process_time() - c0
        del w, m
        vae_shapes = {k: v for k, v in shapes.items() if k.startswith("first_stage_model.")}
        if vae_shapes:
            vw = {}
            for name, shape in vae_shapes.items():
                fan_in = math.prod(shape[1:]) if len(shape) > 1 else 1
                vw[name] = (torch.empty(shape).uniform_(-math.sqrt(3 / fan_in), math.sqrt(3 / fan_in)) if len(shape) > 1 else torch.ones(shape)).to(dev)
            with torch.no_grad():
                t0, c0 = time.perf_counter(), time.process_time()
                vae_decode(Model(vw), torch.randn(1, 4, lat, lat).to(dev))
                sync()
                out["vae_decode_s"] = time.perf_counter() - t0
                out["vae_decode_cpu_s"] = time.process_time() - c0
    out["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1:2] == ["bench"]:
        bench(sys.argv[2:])
    else:
        main()
