/** The CLIP text encoder's canonical weights (`cond_stage_model.transformer.text_model.*`, the HF CLIP layout). */
import { SpecList, TEXT_PREFIX, type TensorSpec } from './spec';
import type { ClipWidths } from './widths';

/** Every text-encoder weight of these widths (position_ids, an int64 buffer some files carry, is not a weight). */
export function textKeys(w: ClipWidths): TensorSpec[] {
  const s = new SpecList(TEXT_PREFIX);
  s.add('embeddings.token_embedding.weight', [w.vocabSize, w.width], 'embedding');
  s.add('embeddings.position_embedding.weight', [w.positions, w.width], 'embedding');
  for (let l = 0; l < w.layers; l++) {
    const p = `encoder.layers.${l}`;
    for (const proj of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) s.linear(`${p}.self_attn.${proj}`, w.width, w.width);
    s.norm(`${p}.layer_norm1`, w.width);
    s.linear(`${p}.mlp.fc1`, w.mlpWidth, w.width);
    s.linear(`${p}.mlp.fc2`, w.width, w.mlpWidth);
    s.norm(`${p}.layer_norm2`, w.width);
  }
  s.norm('final_layer_norm', w.width);
  return s.specs;
}
