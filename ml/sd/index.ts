/**
 * Stable Diffusion model families in the ML runtime: SD 1.5, and SDXL base in `sdxl-*.ts` with its own widths and
 * detection branch (detect.ts is the one place that decides a family); FLUX would join the same way. Sampling
 * (sample-run.ts: sampleSd15, sampleSdxl) and LoRA loading (lora-file.ts: readSdLora) take either family.
 *
 * Loading (checkpoint.ts): `openSdCheckpoint(path)` opens an ldm `.safetensors` file or a diffusers folder and
 * serves every weight lazily under its canonical name, float32:
 *   UNet  `model.diffusion_model.*`                    e.g. `input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight`
 *   CLIP  `cond_stage_model.transformer.text_model.*`  e.g. `encoder.layers.11.mlp.fc1.weight`
 *   VAE   `first_stage_model.*`                        e.g. `decoder.up.3.block.0.conv1.weight`
 * `sd15Keys(widths)` (keys.ts) lists every canonical name with its shape; `SD15_WIDTHS` / `TINY_SD15_WIDTHS`
 * (widths.ts) are the real and test widths; `writeTinySd15` (tiny.ts) writes random test checkpoints.
 * The graphs (unet.ts, clip.ts, vae.ts, with blocks.ts and attention.ts), the schedule and training live beside.
 */
export {
  openSdCheckpoint,
  SdCheckpointError,
  type SdCheckpoint,
  type Sd15Checkpoint,
  type SdTensor,
  type SdDtype,
  type SdLayout,
  type SdFamily,
} from './checkpoint';
export { sd15Keys } from './keys';
export { UNET_PREFIX, TEXT_PREFIX, VAE_PREFIX, elementCount, type TensorSpec } from './spec';
export {
  SD15_WIDTHS,
  TINY_SD15_WIDTHS,
  type Sd15Widths,
  type UnetWidths,
  type ClipWidths,
  type VaeWidths,
} from './widths';
export { writeTinySd15, syntheticTensor, syntheticSdCheckpoint, type TinyOptions } from './tiny';
export { ClipTokenizer, clipTokenizer, cleanText, BOS, EOS, VOCAB_SIZE, CONTEXT } from './tokenizer';
export { encodePrompt, parseEmphasis, type EncodedPrompt, type PromptChunk, type PromptOptions } from './prompt';
export { sd15LoraModules, loraShapes, kohyaKeyOf, type KohyaModule, type LoraModuleOptions } from './lora-names';
export {
  readSd15Lora,
  mapSd15Lora,
  readSdLora,
  mapSdLora,
  loraFamilyOf,
  sdxlModuleIndex,
  newSd15Adapters,
  sd15ModuleIndex,
  type Sd15Lora,
  type SdLora,
  type SdLoraModel,
} from './lora-file';
export { sd15LoraMetadata, type Sd15LoraInfo } from './lora-metadata';
export { checkpointHashes, type CheckpointHashes } from './hash';
// SDXL base: keys from widths, loading through openAnySdCheckpoint, tiny files, kohya LoRA names (sdxl-*.ts).
export { openAnySdCheckpoint } from './checkpoint';
export { type SdxlCheckpoint } from './sdxl-checkpoint';
export { sdxlKeys, SDXL_CLIP_L_PREFIX, SDXL_CLIP_G_PREFIX } from './sdxl-keys';
export { SDXL_WIDTHS, TINY_SDXL_WIDTHS, SIZE_EMBED_DIM, type SdxlWidths } from './sdxl-widths';
export { writeTinySdxl, syntheticSdxlCheckpoint, type TinySdxlOptions } from './sdxl-tiny';
export { sdxlLoraModules, mergeSdxlLora, type SdxlKohyaModule } from './sdxl-lora-names';
export { sdxlLoraMetadata } from './sdxl-lora-metadata';
// Sampling, both families (sample-run.ts); SDXL's encoders for in-training samples and caches.
export { sampleSd, sampleSd15, sampleSdxl, type SdSampleSettings, type SdStack } from './sample-run';
export { SdEncoders, Sd15Encoders, type Conditioning } from './encoders';
export { SdxlEncoders, SDXL_PREVIEW } from './sdxl-encoders';
