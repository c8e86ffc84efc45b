/**
 * The SD 1.5 VAE (`first_stage_model.*`): the encoder to latent mean/log-variance (for training) and the decoder
 * (for samples). GroupNorm eps 1e-6 throughout, single-head attention in the middle blocks with 1x1-conv
 * projections, and the encoder's stride-2 downsamplers padded only at the bottom and right (ldm pads (0,1,0,1)).
 * Levels, block counts and widths are walked from the weight names and shapes.
 */
import type { Tensor } from '../graph/tensor';
import { attention } from './attention';
import { conv, fromTokens, groupNorm, linear, type SdCtx, silu, toTokens, upsample2x } from './blocks';

export const VAE_PREFIX = 'first_stage_model.';
/** SD 1.5's latent scale: latents = 0.18215 · posterior sample. */
export const LATENT_SCALE = 0.18215;

const P = (m: string): string => VAE_PREFIX + m;
const EPS = 1e-6;

function resnet(ctx: SdCtx, m: string, x: Tensor): Tensor {
  const { g } = ctx;
  let h = conv(ctx, P(`${m}.conv1`), silu(g, groupNorm(ctx, P(`${m}.norm1`), x, EPS)));
  h = conv(ctx, P(`${m}.conv2`), silu(g, groupNorm(ctx, P(`${m}.norm2`), h, EPS)));
  const skip = ctx.has(P(`${m}.nin_shortcut.weight`)) ? conv(ctx, P(`${m}.nin_shortcut`), x) : x;
  return g.add(skip, h);
}

function attnBlock(ctx: SdCtx, m: string, x: Tensor): Tensor {
  const { g } = ctx;
  const [b = 0, , hh = 0, ww = 0] = x.shape;
  const t = toTokens(g, groupNorm(ctx, P(`${m}.norm`), x, EPS));
  const o = attention(g, linear(ctx, P(`${m}.q`), t), linear(ctx, P(`${m}.k`), t), linear(ctx, P(`${m}.v`), t), b, 1);
  return g.add(x, fromTokens(g, linear(ctx, P(`${m}.proj_out`), o), b, hh, ww));
}

function mid(ctx: SdCtx, side: string, x: Tensor): Tensor {
  const h = resnet(ctx, `${side}.mid.block_1`, x);
  return resnet(ctx, `${side}.mid.block_2`, attnBlock(ctx, `${side}.mid.attn_1`, h));
}

function tail(ctx: SdCtx, side: string, x: Tensor): Tensor {
  return conv(ctx, P(`${side}.conv_out`), silu(ctx.g, groupNorm(ctx, P(`${side}.norm_out`), x, EPS)));
}

/** Encodes images [B, 3, H, W] in [-1, 1] to the posterior's mean and log-variance [B, 4, H/8, W/8] (unscaled). */
export function buildVaeEncoder(ctx: SdCtx, images: Tensor): { mean: Tensor; logvar: Tensor } {
  const { g } = ctx;
  let h = conv(ctx, P('encoder.conv_in'), images);
  for (let i = 0; ctx.has(P(`encoder.down.${i}.block.0.conv1.weight`)); i++) {
    for (let j = 0; ctx.has(P(`encoder.down.${i}.block.${j}.conv1.weight`)); j++)
      h = resnet(ctx, `encoder.down.${i}.block.${j}`, h);
    if (ctx.has(P(`encoder.down.${i}.downsample.conv.weight`)))
      h = conv(ctx, P(`encoder.down.${i}.downsample.conv`), h, { stride: 2, pads: [0, 0, 1, 1] });
  }
  h = conv(ctx, P('quant_conv'), tail(ctx, 'encoder', mid(ctx, 'encoder', h)));
  const half = (h.shape[1] ?? 0) / 2;
  const [mean, logvar] = g.split(h, [half, half], 1) as [Tensor, Tensor];
  return { mean, logvar: g.clip(logvar, -30, 20) };
}

/** Scaled latents from the posterior: (mean + exp(logvar / 2) · noise) · 0.18215 (noise omitted: the mean). */
export function sampleLatents(
  ctx: SdCtx,
  post: { mean: Tensor; logvar: Tensor },
  noise?: Tensor,
  scale = LATENT_SCALE,
): Tensor {
  const { g } = ctx;
  const z = noise ? g.add(post.mean, g.mul(g.exp(g.mul(post.logvar, 0.5)), noise)) : post.mean;
  return g.mul(z, scale);
}

/** Decodes scaled latents [B, 4, h, w] to images [B, 3, 8h, 8w] (values around [-1, 1]); SDXL's scale is 0.13025. */
export function buildVaeDecoder(ctx: SdCtx, latents: Tensor, scale = LATENT_SCALE): Tensor {
  const { g } = ctx;
  let h = conv(ctx, P('decoder.conv_in'), conv(ctx, P('post_quant_conv'), g.mul(latents, 1 / scale)));
  h = mid(ctx, 'decoder', h);
  let levels = 0;
  while (ctx.has(P(`decoder.up.${levels}.block.0.conv1.weight`))) levels++;
  for (let i = levels - 1; i >= 0; i--) {
    for (let j = 0; ctx.has(P(`decoder.up.${i}.block.${j}.conv1.weight`)); j++)
      h = resnet(ctx, `decoder.up.${i}.block.${j}`, h);
    if (ctx.has(P(`decoder.up.${i}.upsample.conv.weight`)))
      h = conv(ctx, P(`decoder.up.${i}.upsample.conv`), upsample2x(g, h));
  }
  return tail(ctx, 'decoder', h);
}
