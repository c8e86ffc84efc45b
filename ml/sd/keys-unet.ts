/** The SD 1.x UNet's canonical weights (`model.diffusion_model.*`), walked in the order ldm builds its blocks. */
import { SpecList, UNET_PREFIX, type TensorSpec } from './spec';
import type { UnetWidths } from './widths';

/** ResBlock: GN, 3x3 conv, time-embedding Linear, GN, 3x3 conv, 1x1 skip conv when the width changes. */
export function resBlock(s: SpecList, p: string, cin: number, cout: number, temb: number): void {
  s.norm(`${p}.in_layers.0`, cin);
  s.conv(`${p}.in_layers.2`, cout, cin, 3);
  s.linear(`${p}.emb_layers.1`, cout, temb);
  s.norm(`${p}.out_layers.0`, cout);
  s.conv(`${p}.out_layers.3`, cout, cout, 3);
  if (cin !== cout) s.conv(`${p}.skip_connection`, cout, cin, 1);
}

/** A transformer block of SD 1.5 and SDXL: self-attention, cross-attention to `contextDim`, GEGLU, three norms. */
export function transformerBlock(s: SpecList, b: string, c: number, contextDim: number): void {
  for (const [attn, kv] of [
    ['attn1', c],
    ['attn2', contextDim],
  ] as const) {
    s.linear(`${b}.${attn}.to_q`, c, c, false);
    s.linear(`${b}.${attn}.to_k`, c, kv, false);
    s.linear(`${b}.${attn}.to_v`, c, kv, false);
    s.linear(`${b}.${attn}.to_out.0`, c, c);
  }
  s.linear(`${b}.ff.net.0.proj`, 8 * c, c); // GEGLU: value and gate halves of the 4C inner width
  s.linear(`${b}.ff.net.2`, c, 4 * c);
  for (const n of ['norm1', 'norm2', 'norm3']) s.norm(`${b}.${n}`, c);
}

/** SpatialTransformer: GN, 1x1 proj_in, transformer blocks (self-attn, cross-attn, GEGLU), 1x1 proj_out. */
function spatialTransformer(s: SpecList, p: string, c: number, w: UnetWidths): void {
  s.norm(`${p}.norm`, c);
  s.conv(`${p}.proj_in`, c, c, 1);
  for (let t = 0; t < w.transformerDepth; t++) {
    transformerBlock(s, `${p}.transformer_blocks.${t}`, c, w.contextDim);
  }
  s.conv(`${p}.proj_out`, c, c, 1);
}

/** The widths the UNet's block walk needs: the same for SD 1.5 and SDXL. */
interface UnetBodyWidths {
  modelChannels: number;
  timeEmbedDim: number;
  inChannels: number;
  outChannels: number;
  channelMult: readonly number[];
  numResBlocks: number;
}

/** Adds the spatial transformer of a level (or the middle block) at prefix `p` with `c` channels, if it has one. */
type TransformerAt = (level: number | 'middle') => ((p: string, c: number) => void) | undefined;

/**
 * The UNet from `input_blocks.0` to `out.2` as ldm numbers its blocks (input blocks with their downsamplers, the
 * middle block, output blocks with their skip channels and upsamplers); the families differ in their transformers.
 */
export function unetBodyKeys(s: SpecList, w: UnetBodyWidths, transformerAt: TransformerAt): void {
  const mc = w.modelChannels;
  const T = w.timeEmbedDim;
  const last = w.channelMult.length - 1;
  s.conv('input_blocks.0.0', mc, w.inChannels, 3);
  let ch = mc;
  const skips = [ch];
  let n = 1;
  w.channelMult.forEach((mult, level) => {
    const transformer = transformerAt(level);
    for (let r = 0; r < w.numResBlocks; r++, n++) {
      resBlock(s, `input_blocks.${n}.0`, ch, mc * mult, T);
      ch = mc * mult;
      transformer?.(`input_blocks.${n}.1`, ch);
      skips.push(ch);
    }
    if (level !== last) {
      s.conv(`input_blocks.${n}.0.op`, ch, ch, 3);
      skips.push(ch);
      n++;
    }
  });
  resBlock(s, 'middle_block.0', ch, ch, T);
  transformerAt('middle')?.('middle_block.1', ch);
  resBlock(s, 'middle_block.2', ch, ch, T);
  n = 0;
  for (let level = last; level >= 0; level--) {
    const cout = mc * (w.channelMult[level] ?? 1);
    const transformer = transformerAt(level);
    for (let r = 0; r <= w.numResBlocks; r++, n++) {
      resBlock(s, `output_blocks.${n}.0`, ch + (skips.pop() ?? 0), cout, T);
      ch = cout;
      let sub = 1;
      if (transformer) transformer(`output_blocks.${n}.${sub++}`, ch);
      if (level !== 0 && r === w.numResBlocks) s.conv(`output_blocks.${n}.${sub}.conv`, ch, ch, 3);
    }
  }
  s.norm('out.0', ch);
  s.conv('out.2', w.outChannels, ch, 3);
}

/** Every UNet weight of these widths. */
export function unetKeys(w: UnetWidths): TensorSpec[] {
  const s = new SpecList(UNET_PREFIX);
  s.linear('time_embed.0', w.timeEmbedDim, w.modelChannels);
  s.linear('time_embed.2', w.timeEmbedDim, w.timeEmbedDim);
  unetBodyKeys(s, w, (level) =>
    level === 'middle' || w.attentionLevels.includes(level) ? (p, c) => spatialTransformer(s, p, c, w) : undefined,
  );
  return s.specs;
}
