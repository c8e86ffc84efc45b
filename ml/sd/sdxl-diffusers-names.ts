/**
 * SDXL diffusers folder names <-> canonical (ldm/SAI) names. The UNet and VAE follow SD 1.5's map
 * (diffusers-names.ts) plus label_emb ↔ add_embedding; CLIP-L is `text_encoder/` in the HF layout; bigG is
 * `text_encoder_2/` as transformers' CLIPTextModelWithProjection: q/k/v split into three Linear layers (the fused
 * in_proj's row thirds, in that order) and `text_projection.weight` = Pᵀ (a Linear, where the SAI file keeps P).
 */
import { toDiffusers, unetNameToCanonical, vaeNameToCanonical } from './diffusers-names';
import { SDXL_CLIP_G_PREFIX, SDXL_CLIP_L_PREFIX } from './sdxl-keys';
import { UNET_PREFIX } from './spec';

export type SdxlDiffusersComponent = 'unet' | 'text_encoder' | 'text_encoder_2' | 'vae';

/** Where (part of) a canonical weight lives in a diffusers SDXL folder. */
export interface SdxlDiffusersPiece {
  readonly component: SdxlDiffusersComponent;
  readonly name: string;
  /** Which third of a fused in_proj tensor this file tensor holds (rows q, k, v). */
  readonly third?: 0 | 1 | 2;
  /** Stored transposed (bigG's text_projection). */
  readonly transposed?: boolean;
  /** Stored as Linear where ldm has a 1x1 conv (the VAE's attention). */
  readonly linearized?: boolean;
}

const LABEL_EMB: Record<string, string> = {
  'label_emb.0.0.': 'add_embedding.linear_1.',
  'label_emb.0.2.': 'add_embedding.linear_2.',
};

const G_LAYER: Record<string, string> = {
  ln_1: 'layer_norm1',
  ln_2: 'layer_norm2',
  'attn.out_proj': 'self_attn.out_proj',
  'mlp.c_fc': 'mlp.fc1',
  'mlp.c_proj': 'mlp.fc2',
};

/** The diffusers pieces of one canonical weight (three for a fused in_proj); undefined for a non-SDXL name. */
export function sdxlToDiffusers(canonical: string, vaeLevels: number): SdxlDiffusersPiece[] | undefined {
  if (canonical.startsWith(SDXL_CLIP_L_PREFIX))
    return [{ component: 'text_encoder', name: `text_model.${canonical.slice(SDXL_CLIP_L_PREFIX.length)}` }];
  if (canonical.startsWith(SDXL_CLIP_G_PREFIX)) {
    const g = bigGToHf(canonical.slice(SDXL_CLIP_G_PREFIX.length));
    return g?.map((p) => ({ component: 'text_encoder_2', ...p }));
  }
  const inner = canonical.startsWith(UNET_PREFIX) ? canonical.slice(UNET_PREFIX.length) : '';
  for (const [from, to] of Object.entries(LABEL_EMB))
    if (inner.startsWith(from)) return [{ component: 'unet', name: to + inner.slice(from.length) }];
  const d = toDiffusers(canonical, vaeLevels);
  if (!d || d.component === 'text_encoder') return undefined;
  return [{ component: d.component, name: d.name, linearized: d.linearized }];
}

function bigGToHf(k: string): Omit<SdxlDiffusersPiece, 'component'>[] | undefined {
  let m: RegExpMatchArray | null;
  if (k === 'token_embedding.weight') return [{ name: 'text_model.embeddings.token_embedding.weight' }];
  if (k === 'positional_embedding') return [{ name: 'text_model.embeddings.position_embedding.weight' }];
  if (k === 'text_projection') return [{ name: 'text_projection.weight', transposed: true }];
  if ((m = k.match(/^ln_final\.(weight|bias)$/))) return [{ name: `text_model.final_layer_norm.${m[1]}` }];
  if ((m = k.match(/^transformer\.resblocks\.(\d+)\.attn\.in_proj_(weight|bias)$/))) {
    const p = `text_model.encoder.layers.${m[1]}.self_attn`;
    return (['q', 'k', 'v'] as const).map((x, i) => ({ name: `${p}.${x}_proj.${m![2]}`, third: i as 0 | 1 | 2 }));
  }
  if ((m = k.match(/^transformer\.resblocks\.(\d+)\.(ln_1|ln_2|attn\.out_proj|mlp\.c_fc|mlp\.c_proj)\.(weight|bias)$/)))
    return [{ name: `text_model.encoder.layers.${m[1]}.${G_LAYER[m[2]!]}.${m[3]}` }];
  return undefined;
}

/** The canonical name of an SDXL diffusers UNet weight (label_emb included). */
export function sdxlUnetNameToCanonical(k: string, upHasAttention: (i: number) => boolean): string | undefined {
  for (const [to, from] of Object.entries(LABEL_EMB))
    if (k.startsWith(from)) return UNET_PREFIX + to + k.slice(from.length);
  return unetNameToCanonical(k, upHasAttention);
}

/** The canonical name of a `text_encoder/` (CLIP-L) weight. */
export function sdxlClipLNameToCanonical(k: string): string | undefined {
  return k.startsWith('text_model.') ? SDXL_CLIP_L_PREFIX + k.slice('text_model.'.length) : undefined;
}

/** The canonical name of a `text_encoder_2/` (bigG) weight, with the third of in_proj it fills and its layout. */
export function sdxlClipGNameToCanonical(
  k: string,
): { name: string; third?: 0 | 1 | 2; transposed?: boolean } | undefined {
  let m: RegExpMatchArray | null;
  const G = SDXL_CLIP_G_PREFIX;
  if (k === 'text_model.embeddings.token_embedding.weight') return { name: `${G}token_embedding.weight` };
  if (k === 'text_model.embeddings.position_embedding.weight') return { name: `${G}positional_embedding` };
  if (k === 'text_projection.weight') return { name: `${G}text_projection`, transposed: true };
  if ((m = k.match(/^text_model\.final_layer_norm\.(weight|bias)$/))) return { name: `${G}ln_final.${m[1]}` };
  if ((m = k.match(/^text_model\.encoder\.layers\.(\d+)\.self_attn\.([qkv])_proj\.(weight|bias)$/)))
    return {
      name: `${G}transformer.resblocks.${m[1]}.attn.in_proj_${m[3]}`,
      third: ({ q: 0, k: 1, v: 2 } as const)[m[2] as 'q' | 'k' | 'v'],
    };
  if ((m = k.match(/^text_model\.encoder\.layers\.(\d+)\.(.+)\.(weight|bias)$/))) {
    const ours = Object.entries(G_LAYER).find(([, hf]) => hf === m![2])?.[0];
    return ours ? { name: `${G}transformer.resblocks.${m[1]}.${ours}.${m[3]}` } : undefined;
  }
  return undefined;
}

export { vaeNameToCanonical };
