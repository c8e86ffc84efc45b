/**
 * Diffusers folder names <-> canonical (ldm) names, both ways: the loader reads a diffusers folder under canonical
 * names (toCanonical) and the tiny generator writes one (toDiffusers); a test checks one inverts the other for every
 * weight of a real-size model. diffusers' VAE attention stores q/k/v/out as Linear [C, C]; ldm as 1x1 convs
 * [C, C, 1, 1]: the same numbers, so only the shape changes.
 */
import { TEXT_PREFIX, UNET_PREFIX, VAE_PREFIX } from './spec';

/** The three weight files of a diffusers folder. */
export type DiffusersComponent = 'unet' | 'text_encoder' | 'vae';

/** Blocks per UNet level in both layouts: two ResBlocks and a sampler (every SD family so far). */
const PER_LEVEL = 3;

const RES_TO_DIFFUSERS: Record<string, string> = {
  'in_layers.0': 'norm1',
  'in_layers.2': 'conv1',
  'emb_layers.1': 'time_emb_proj',
  'out_layers.0': 'norm2',
  'out_layers.3': 'conv2',
  skip_connection: 'conv_shortcut',
};
const RES_TO_LDM = Object.fromEntries(Object.entries(RES_TO_DIFFUSERS).map(([a, b]) => [b, a]));
const VAE_ATTN_TO_DIFFUSERS: Record<string, string> = {
  norm: 'group_norm',
  q: 'to_q',
  k: 'to_k',
  v: 'to_v',
  proj_out: 'to_out.0',
};
/** Old diffusers VAE files (before 0.14) name the attention query/key/value/proj_attn. */
const VAE_ATTN_TO_LDM: Record<string, string> = {
  group_norm: 'norm',
  to_q: 'q',
  to_k: 'k',
  to_v: 'v',
  'to_out.0': 'proj_out',
  query: 'q',
  key: 'k',
  value: 'v',
  proj_attn: 'proj_out',
};

function renameHead(rest: string, table: Record<string, string>): string | undefined {
  for (const [from, to] of Object.entries(table)) if (rest.startsWith(`${from}.`)) return to + rest.slice(from.length);
  return undefined;
}

/** A canonical name in a diffusers folder: which file, which name, and the shape it is stored with there. */
export interface DiffusersName {
  readonly component: DiffusersComponent;
  readonly name: string;
  /** True where diffusers stores a 1x1 conv as a Linear (drop the trailing 1, 1). */
  readonly linearized: boolean;
}

function unetToDiffusers(k: string): string | undefined {
  let m: RegExpMatchArray | null;
  if (k.startsWith('time_embed.0.')) return `time_embedding.linear_1.${k.slice(13)}`;
  if (k.startsWith('time_embed.2.')) return `time_embedding.linear_2.${k.slice(13)}`;
  if (k.startsWith('input_blocks.0.0.')) return `conv_in.${k.slice(17)}`;
  if (k.startsWith('out.0.')) return `conv_norm_out.${k.slice(6)}`;
  if (k.startsWith('out.2.')) return `conv_out.${k.slice(6)}`;
  if ((m = k.match(/^input_blocks\.(\d+)\.0\.op\.(.+)$/)))
    return `down_blocks.${Number(m[1]) / PER_LEVEL - 1}.downsamplers.0.conv.${m[2]}`;
  if ((m = k.match(/^input_blocks\.(\d+)\.([01])\.(.+)$/))) {
    const n = Number(m[1]) - 1;
    const site = `down_blocks.${Math.floor(n / PER_LEVEL)}`;
    const j = n % PER_LEVEL;
    return m[2] === '0' ? mapRes(`${site}.resnets.${j}`, m[3]!) : `${site}.attentions.${j}.${m[3]}`;
  }
  if ((m = k.match(/^middle_block\.([012])\.(.+)$/))) {
    if (m[1] === '1') return `mid_block.attentions.0.${m[2]}`;
    return mapRes(`mid_block.resnets.${m[1] === '0' ? 0 : 1}`, m[2]!);
  }
  if ((m = k.match(/^output_blocks\.(\d+)\.([012])\.(.+)$/))) {
    const n = Number(m[1]);
    const site = `up_blocks.${Math.floor(n / PER_LEVEL)}`;
    if (m[3]!.startsWith('conv.')) return `${site}.upsamplers.0.${m[3]}`;
    if (m[2] === '0') return mapRes(`${site}.resnets.${n % PER_LEVEL}`, m[3]!);
    return `${site}.attentions.${n % PER_LEVEL}.${m[3]}`;
  }
  return undefined;
}

function mapRes(site: string, rest: string): string | undefined {
  const r = renameHead(rest, RES_TO_DIFFUSERS);
  return r === undefined ? undefined : `${site}.${r}`;
}

function vaeToDiffusers(k: string, levels: number): { name: string; linearized: boolean } | undefined {
  let m: RegExpMatchArray | null;
  const plain = (name: string) => ({ name, linearized: false });
  if ((m = k.match(/^(encoder|decoder)\.mid\.block_([12])\.(.+)$/)))
    return plain(`${m[1]}.mid_block.resnets.${Number(m[2]) - 1}.${m[3]!.replace(/^nin_shortcut\./, 'conv_shortcut.')}`);
  if ((m = k.match(/^(encoder|decoder)\.mid\.attn_1\.(norm|q|k|v|proj_out)\.(.+)$/)))
    return {
      name: `${m[1]}.mid_block.attentions.0.${VAE_ATTN_TO_DIFFUSERS[m[2]!]}.${m[3]}`,
      linearized: m[2] !== 'norm',
    };
  if ((m = k.match(/^(encoder|decoder)\.norm_out\.(.+)$/))) return plain(`${m[1]}.conv_norm_out.${m[2]}`);
  if ((m = k.match(/^encoder\.down\.(\d+)\.block\.(\d+)\.(.+)$/)))
    return plain(`encoder.down_blocks.${m[1]}.resnets.${m[2]}.${m[3]!.replace(/^nin_shortcut\./, 'conv_shortcut.')}`);
  if ((m = k.match(/^encoder\.down\.(\d+)\.downsample\.conv\.(.+)$/)))
    return plain(`encoder.down_blocks.${m[1]}.downsamplers.0.conv.${m[2]}`);
  if ((m = k.match(/^decoder\.up\.(\d+)\.block\.(\d+)\.(.+)$/)))
    return plain(
      `decoder.up_blocks.${levels - 1 - Number(m[1])}.resnets.${m[2]}.${m[3]!.replace(/^nin_shortcut\./, 'conv_shortcut.')}`,
    );
  if ((m = k.match(/^decoder\.up\.(\d+)\.upsample\.conv\.(.+)$/)))
    return plain(`decoder.up_blocks.${levels - 1 - Number(m[1])}.upsamplers.0.conv.${m[2]}`);
  if (/^(encoder\.conv_(in|out)|decoder\.conv_(in|out)|quant_conv|post_quant_conv)\./.test(k)) return plain(k);
  return undefined;
}

/** Where a canonical weight lives in a diffusers folder (`vaeLevels`: the VAE's level count, 4 in SD). */
export function toDiffusers(canonical: string, vaeLevels: number): DiffusersName | undefined {
  if (canonical.startsWith(TEXT_PREFIX))
    return { component: 'text_encoder', name: `text_model.${canonical.slice(TEXT_PREFIX.length)}`, linearized: false };
  if (canonical.startsWith(UNET_PREFIX)) {
    const name = unetToDiffusers(canonical.slice(UNET_PREFIX.length));
    return name === undefined ? undefined : { component: 'unet', name, linearized: false };
  }
  if (canonical.startsWith(VAE_PREFIX)) {
    const r = vaeToDiffusers(canonical.slice(VAE_PREFIX.length), vaeLevels);
    return r && { component: 'vae', ...r };
  }
  return undefined;
}

function unetToLdm(k: string): string | undefined {
  let m: RegExpMatchArray | null;
  if (k.startsWith('time_embedding.linear_1.')) return `time_embed.0.${k.slice(24)}`;
  if (k.startsWith('time_embedding.linear_2.')) return `time_embed.2.${k.slice(24)}`;
  if (k.startsWith('conv_in.')) return `input_blocks.0.0.${k.slice(8)}`;
  if (k.startsWith('conv_norm_out.')) return `out.0.${k.slice(14)}`;
  if (k.startsWith('conv_out.')) return `out.2.${k.slice(9)}`;
  if ((m = k.match(/^down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)$/)))
    return `input_blocks.${PER_LEVEL * (Number(m[1]) + 1)}.0.op.${m[2]}`;
  if ((m = k.match(/^down_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.+)$/))) {
    const n = PER_LEVEL * Number(m[1]) + Number(m[3]) + 1;
    return m[2] === 'resnets' ? ldmRes(`input_blocks.${n}.0`, m[4]!) : `input_blocks.${n}.1.${m[4]}`;
  }
  if ((m = k.match(/^mid_block\.attentions\.0\.(.+)$/))) return `middle_block.1.${m[1]}`;
  if ((m = k.match(/^mid_block\.resnets\.([01])\.(.+)$/))) return ldmRes(`middle_block.${m[1] === '0' ? 0 : 2}`, m[2]!);
  return undefined;
}

function ldmRes(site: string, rest: string): string | undefined {
  const r = renameHead(rest, RES_TO_LDM);
  return r === undefined ? undefined : `${site}.${r}`;
}

/**
 * The canonical name of a diffusers UNet weight. Up blocks need to know whether block `i` has attentions (the
 * upsampler is then the block's third module, else its second): `upHasAttention(i)` answers from the file's keys.
 */
export function unetNameToCanonical(k: string, upHasAttention: (i: number) => boolean): string | undefined {
  let m: RegExpMatchArray | null;
  if ((m = k.match(/^up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)$/))) {
    const i = Number(m[1]);
    return `${UNET_PREFIX}output_blocks.${PER_LEVEL * i + 2}.${upHasAttention(i) ? 2 : 1}.conv.${m[2]}`;
  }
  if ((m = k.match(/^up_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.+)$/))) {
    const n = PER_LEVEL * Number(m[1]) + Number(m[3]);
    const name = m[2] === 'resnets' ? ldmRes(`output_blocks.${n}.0`, m[4]!) : `output_blocks.${n}.1.${m[4]}`;
    return name && UNET_PREFIX + name;
  }
  const name = unetToLdm(k);
  return name && UNET_PREFIX + name;
}

/** The canonical name of a diffusers VAE weight (`levels`: the number of `decoder.up_blocks`), and whether to add 1x1. */
export function vaeNameToCanonical(k: string, levels: number): { name: string; linearized: boolean } | undefined {
  let m: RegExpMatchArray | null;
  const plain = (name: string) => ({ name: VAE_PREFIX + name, linearized: false });
  const shortcut = (s: string) => s.replace(/^conv_shortcut\./, 'nin_shortcut.');
  if ((m = k.match(/^(encoder|decoder)\.mid_block\.resnets\.([01])\.(.+)$/)))
    return plain(`${m[1]}.mid.block_${Number(m[2]) + 1}.${shortcut(m[3]!)}`);
  if (
    (m = k.match(
      /^(encoder|decoder)\.mid_block\.attentions\.0\.(group_norm|to_q|to_k|to_v|to_out\.0|query|key|value|proj_attn)\.(.+)$/,
    ))
  )
    return {
      name: `${VAE_PREFIX}${m[1]}.mid.attn_1.${VAE_ATTN_TO_LDM[m[2]!]}.${m[3]}`,
      linearized: m[2] !== 'group_norm',
    };
  if ((m = k.match(/^(encoder|decoder)\.conv_norm_out\.(.+)$/))) return plain(`${m[1]}.norm_out.${m[2]}`);
  if ((m = k.match(/^encoder\.down_blocks\.(\d+)\.resnets\.(\d+)\.(.+)$/)))
    return plain(`encoder.down.${m[1]}.block.${m[2]}.${shortcut(m[3]!)}`);
  if ((m = k.match(/^encoder\.down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)$/)))
    return plain(`encoder.down.${m[1]}.downsample.conv.${m[2]}`);
  if ((m = k.match(/^decoder\.up_blocks\.(\d+)\.resnets\.(\d+)\.(.+)$/)))
    return plain(`decoder.up.${levels - 1 - Number(m[1])}.block.${m[2]}.${shortcut(m[3]!)}`);
  if ((m = k.match(/^decoder\.up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)$/)))
    return plain(`decoder.up.${levels - 1 - Number(m[1])}.upsample.conv.${m[2]}`);
  if (/^(encoder\.conv_(in|out)|decoder\.conv_(in|out)|quant_conv|post_quant_conv)\./.test(k)) return plain(k);
  return undefined;
}

/** The canonical name of a diffusers text-encoder weight (`text_model.*`). */
export function textNameToCanonical(k: string): string | undefined {
  return k.startsWith('text_model.') ? TEXT_PREFIX + k.slice('text_model.'.length) : undefined;
}
