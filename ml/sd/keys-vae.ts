/** The SD VAE's canonical weights (`first_stage_model.*`, the ldm AutoencoderKL layout). */
import { SpecList, VAE_PREFIX, type TensorSpec } from './spec';
import type { VaeWidths } from './widths';

function resBlock(s: SpecList, p: string, cin: number, cout: number): void {
  s.norm(`${p}.norm1`, cin);
  s.conv(`${p}.conv1`, cout, cin, 3);
  s.norm(`${p}.norm2`, cout);
  s.conv(`${p}.conv2`, cout, cout, 3);
  if (cin !== cout) s.conv(`${p}.nin_shortcut`, cout, cin, 1);
}

/** The mid block: ResBlock, single-head attention whose q/k/v/proj_out are 1x1 convs, ResBlock. */
function mid(s: SpecList, p: string, c: number): void {
  resBlock(s, `${p}.mid.block_1`, c, c);
  s.norm(`${p}.mid.attn_1.norm`, c);
  for (const n of ['q', 'k', 'v', 'proj_out']) s.conv(`${p}.mid.attn_1.${n}`, c, c, 1);
  resBlock(s, `${p}.mid.block_2`, c, c);
}

/** Every VAE weight of these widths: encoder, quant convs, decoder. */
export function vaeKeys(w: VaeWidths): TensorSpec[] {
  const s = new SpecList(VAE_PREFIX);
  const last = w.channelMult.length - 1;
  const z = w.latentChannels;
  s.conv('encoder.conv_in', w.ch, w.imageChannels, 3);
  let c = w.ch;
  w.channelMult.forEach((mult, level) => {
    for (let b = 0; b < w.numResBlocks; b++) {
      resBlock(s, `encoder.down.${level}.block.${b}`, c, w.ch * mult);
      c = w.ch * mult;
    }
    if (level !== last) s.conv(`encoder.down.${level}.downsample.conv`, c, c, 3);
  });
  mid(s, 'encoder', c);
  s.norm('encoder.norm_out', c);
  s.conv('encoder.conv_out', 2 * z, c, 3);
  s.conv('quant_conv', 2 * z, 2 * z, 1);
  s.conv('post_quant_conv', z, z, 1);
  s.conv('decoder.conv_in', c, z, 3);
  mid(s, 'decoder', c);
  for (let level = last; level >= 0; level--) {
    const cout = w.ch * (w.channelMult[level] ?? 1);
    for (let b = 0; b <= w.numResBlocks; b++) {
      resBlock(s, `decoder.up.${level}.block.${b}`, c, cout);
      c = cout;
    }
    if (level !== 0) s.conv(`decoder.up.${level}.upsample.conv`, c, c, 3);
  }
  s.norm('decoder.norm_out', c);
  s.conv('decoder.conv_out', w.imageChannels, c, 3);
  return s.specs;
}
