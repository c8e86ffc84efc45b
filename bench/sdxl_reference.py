"""Independent PyTorch reference of SDXL base's text encoders, UNet and VAE decode, written from the sgm config
(not from our graphs): CLIP-L's penultimate hidden state without the final LayerNorm; OpenCLIP bigG as
nn.MultiheadAttention computes it from the fused in_proj (exact GELU), its penultimate layer without ln_final and the
pooled ln_final(last)[EOS] @ text_projection; the UNet with channel mult 1/2/4, transformer depth 0/2/10 (middle 10),
64-wide heads, Linear proj_in/out and label_emb on the adm vector; the VAE decoder at scale 0.13025. Shared layers
(GroupNorm, convs, LoRA-free Linear, attention, the VAE) come from sd15_reference.py.

Usage: /usr/bin/python3 bench/sdxl_reference.py WEIGHTS INPUTS OURS
Computes the reference in float64 and prints one JSON object: per output, max |ours - ref| and that over max |ref|.

Usage: /usr/bin/python3 bench/sdxl_reference.py bench SHAPES.json MODULES.json --size 1024 --rank 32 [--steps 1]
Times one SDXL UNet LoRA step for bench:sdxl (random float32 weights of the shapes in SHAPES.json, LoRA on the
modules MODULES.json lists as [weight, out, in], epsilon MSE, AdamW) and prints seconds and the peak RSS as JSON.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # importing sd15_reference must not leave a __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd15_reference as base  # noqa: E402

L = "conditioner.embedders.0.transformer.text_model."
G = "conditioner.embedders.1.model."
U = "model.diffusion_model."


def causal(n, like):
    return torch.full((n, n), float("-inf"), dtype=like.dtype).triu(1)


def clip_l_penultimate(m, ids):
    n = ids.shape[1]
    x = m.w[L + "embeddings.token_embedding.weight"][ids] + m.w[L + "embeddings.position_embedding.weight"][:n]
    layers = sum(1 for k in m.w if k.startswith(L + "encoder.layers.") and k.endswith("layer_norm1.weight"))
    heads = max(1, x.shape[-1] // 64)
    for i in range(layers - 1):
        p = L + f"encoder.layers.{i}."
        h = m.ln(x, p + "layer_norm1")
        q, k, v = (m.lin(h, p + f"self_attn.{c}_proj") for c in "qkv")
        x = x + m.lin(base.mha(q, k, v, heads, causal(n, x)), p + "self_attn.out_proj")
        h = m.lin(m.ln(x, p + "layer_norm2"), p + "mlp.fc1")
        x = x + m.lin(h * torch.sigmoid(1.702 * h), p + "mlp.fc2")
    return x


def open_clip(m, ids):
    n = ids.shape[1]
    x = m.w[G + "token_embedding.weight"][ids] + m.w[G + "positional_embedding"][:n]
    width = x.shape[-1]
    layers = sum(1 for k in m.w if k.startswith(G + "transformer.resblocks.") and k.endswith("ln_1.weight"))
    mask = causal(n, x)
    penultimate = None
    for i in range(layers):
        if i == layers - 1:
            penultimate = x
        p = G + f"transformer.resblocks.{i}."
        h = m.ln(x, p + "ln_1").transpose(0, 1)  # nn.MultiheadAttention takes [L, B, C]
        a, _ = F.multi_head_attention_forward(
            h, h, h, width, max(1, width // 64),
            m.w[p + "attn.in_proj_weight"], m.w[p + "attn.in_proj_bias"], None, None, False, 0.0,
            m.w[p + "attn.out_proj.weight"], m.w[p + "attn.out_proj.bias"],
            training=False, need_weights=False, attn_mask=mask,
        )
        x = x + a.transpose(0, 1)
        h = F.gelu(m.lin(m.ln(x, p + "ln_2"), p + "mlp.c_fc"))
        x = x + m.lin(h, p + "mlp.c_proj")
    last = m.ln(x, G + "ln_final")
    eos = ids.argmax(dim=-1)  # bigG pads with 0: the first EOS (49407) is the largest id
    pooled = last[torch.arange(ids.shape[0]), eos] @ m.w[G + "text_projection"]
    return penultimate, pooled


def unet_xl(m, x, t, ctx, y):
    ch = m.w[U + "time_embed.0.weight"].shape[1]
    half = ch // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / half)
    args = t[:, None].to(torch.float64) * freqs[None]
    feats = torch.cat([torch.cos(args), torch.sin(args)], 1).to(x.dtype)
    emb = m.lin(F.silu(m.lin(feats, U + "time_embed.0")), U + "time_embed.2")
    emb = emb + m.lin(F.silu(m.lin(y, U + "label_emb.0.0")), U + "label_emb.0.2")

    def res(h, p):
        p = U + p
        r = m.conv(F.silu(m.gn(h, p + ".in_layers.0", 1e-5)), p + ".in_layers.2")
        r = r + m.lin(F.silu(emb), p + ".emb_layers.1")[:, :, None, None]
        r = m.conv(F.silu(m.gn(r, p + ".out_layers.0", 1e-5)), p + ".out_layers.3")
        return (m.conv(h, p + ".skip_connection") if m.has(p + ".skip_connection.weight") else h) + r

    def st(h, p, depth):
        p = U + p
        b, c, hh, ww = h.shape
        heads = c // 64
        s = m.gn(h, p + ".norm", 1e-6).permute(0, 2, 3, 1).reshape(b, hh * ww, c)
        s = m.lin(s, p + ".proj_in")  # Linear in SDXL (use_linear_in_transformer)
        for d in range(depth):
            tb = p + f".transformer_blocks.{d}."
            n1 = m.ln(s, tb + "norm1")
            a = tb + "attn1."
            q, k, v = m.lin(n1, a + "to_q"), m.lin(n1, a + "to_k"), m.lin(n1, a + "to_v")
            s = s + m.lin(base.mha(q, k, v, heads), a + "to_out.0")
            n2 = m.ln(s, tb + "norm2")
            a = tb + "attn2."
            q, k, v = m.lin(n2, a + "to_q"), m.lin(ctx, a + "to_k"), m.lin(ctx, a + "to_v")
            s = s + m.lin(base.mha(q, k, v, heads), a + "to_out.0")
            val, gate = m.lin(m.ln(s, tb + "norm3"), tb + "ff.net.0.proj").chunk(2, -1)
            s = s + m.lin(val * F.gelu(gate), tb + "ff.net.2")
        s = m.lin(s, p + ".proj_out")
        return h + s.reshape(b, hh, ww, c).permute(0, 3, 1, 2)

    depth = {1: 0, 2: 0, 4: 2, 5: 2, 7: 10, 8: 10}  # sgm: transformer_depth [0, 2, 10]
    h = m.conv(x, U + "input_blocks.0.0")
    hs = [h]
    for i in range(1, 9):
        if i in (3, 6):
            h = m.conv(h, U + f"input_blocks.{i}.0.op", stride=2, pad=1)
        else:
            h = res(h, f"input_blocks.{i}.0")
            if depth[i]:
                h = st(h, f"input_blocks.{i}.1", depth[i])
        hs.append(h)
    h = res(st(res(h, "middle_block.0"), "middle_block.1", 10), "middle_block.2")
    for i in range(9):
        h = res(torch.cat([h, hs.pop()], 1), f"output_blocks.{i}.0")
        if i < 6:
            h = st(h, f"output_blocks.{i}.1", 10 if i < 3 else 2)
        if i in (2, 5):
            h = m.conv(F.interpolate(h, scale_factor=2, mode="nearest"), U + f"output_blocks.{i}.2.conv")
    return m.conv(F.silu(m.gn(h, U + "out.0", 1e-5)), U + "out.2")


def main():
    weights, inputs, ours = (base.read_safetensors(p) for p in sys.argv[1:4])
    m = base.Model(weights)
    with torch.no_grad():
        pen, pooled = open_clip(m, inputs["ids_g"])
        ref = {
            "clip_l": clip_l_penultimate(m, inputs["ids_l"]),
            "bigG": pen,
            "pooled": pooled,
            "unet": unet_xl(m, inputs["latents"], inputs["t"], inputs["context"], inputs["y"]),
            "vae_decode": base.vae_decode(m, inputs["z"] * (0.18215 / 0.13025)),
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


def bench(argv):
    import argparse
    import time

    ap = argparse.ArgumentParser()
    ap.add_argument("shapes")
    ap.add_argument("modules")
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(a.shapes) as f:
        shapes = json.load(f)
    with open(a.modules) as f:
        modules = json.load(f)
    w = {}
    for name, shape in shapes.items():
        fan_in = math.prod(shape[1:]) if len(shape) > 1 else 1
        t = torch.empty(shape, dtype=torch.float32)
        w[name] = t.uniform_(-math.sqrt(3 / fan_in), math.sqrt(3 / fan_in)) if len(shape) > 1 else t.fill_(0.01)
        if len(shape) == 1 and name.endswith(".weight"):
            t.fill_(1.0)
    m = base.Model(w)
    params = []
    for target, out_f, in_f in modules:
        down = ((torch.rand([a.rank, in_f]) * 2 - 1) / math.sqrt(in_f)).requires_grad_(True)
        up = torch.zeros([out_f, a.rank]).requires_grad_(True)
        params += [down, up]
        m.lora[target[: -len(".weight")]] = (down, up, 1.0)
    lat = a.size // 8
    ctx_dim = shapes[U + "input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight"][1]
    adm = shapes[U + "label_emb.0.0.weight"][1]
    x, noise = torch.randn(1, 4, lat, lat), torch.randn(1, 4, lat, lat)
    ctx, y = torch.randn(1, 77, ctx_dim), torch.randn(1, adm)
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "modules": len(m.lora)}
    times, cpu = [], []
    for _ in range(a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(unet_xl(m, x, torch.tensor([500.0]), ctx, y), noise)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    out["step_s"] = min(times)
    out["step_cpu_s"] = min(cpu)
    out["step_peak_rss_mib"] = base.peak_rss_mib()
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "bench":
        bench(sys.argv[2:])
    else:
        main()
