/**
 * ml/dit: the built-in base model, a small diffusion transformer trained with rectified flow on emoji.
 *
 * - config.ts: sizes (BASE_CONFIG ships, TINY_CONFIG for tests), parameter and FLOP counts.
 * - params.ts: parameter names/shapes/init; linear weights are [out, in] as in PyTorch.
 * - model.ts + layers.ts: the ONNX graph (GraphBuilder). `buildDiT(g, config, params, {x, t, ids}, hook)` gives the
 *   velocity; `buildFlowLoss` the training loss. `hook(module, x, y)` runs after every linear layer: LoRA goes there.
 * - tokenizer.ts: captions as [2, L] ids: BOS + UTF-8 bytes, and each byte's word hash bucket; trigger words need no
 *   vocabulary.
 * - sampler.ts (+ sample-worker.ts, sample-job.ts): Euler/Heun with classifier-free guidance, in a worker thread;
 *   a job may name combinations of LoRA files, which the worker merges into the weights through ml/lora.
 * - train-task.ts, batches.ts, pretrain.ts: pretraining as an ml/train TrainTask, resumable.
 * - weights.ts: safetensors with the config in the metadata; kohya.ts: LoRA key names. The LoRA adapters themselves
 *   (hook, merging, fit check, training) are ml/lora's.
 *
 * Module names a LoRA attaches to, and their kohya keys (dots become underscores):
 *   blocks.N.attn.{q,k,v,o}      self-attention          lora_unet_blocks_N_attn_q ...
 *   blocks.N.cross.{q,k,v,o}     cross-attention to text lora_unet_blocks_N_cross_q ...
 *   blocks.N.mlp.{fc1,fc2}       MLP                     lora_unet_blocks_N_mlp_fc1 ...
 *   blocks.N.adaln, patch_embed, time.fc1/fc2, text_pool, final.adaln, final.proj (also linear, rarely adapted)
 *   text.layers.N.attn.{q,k,v,o}, text.layers.N.mlp.{fc1,fc2}   text encoder   lora_te_layers_N_attn_q ...
 */
export {
  BASE_CONFIG,
  TINY_CONFIG,
  forwardFlopsPerImage,
  imageTokens,
  patchDim,
  validateConfig,
  type DiTConfig,
} from './config';
export { initParams, linearModules, paramCount, paramSpecs, type LinearModule, type ParamSpec } from './params';
export { buildDiT, buildFlowLoss, encodeText, type DiTInputs } from './model';
export type { LinearHook, ParamSource } from './layers';
export {
  encodeCaptions,
  captionIdsShape,
  captionTokens,
  captionWords,
  captionTooLong,
  BOS,
  PAD,
  type CaptionShape,
} from './tokenizer';
export {
  DiTSampler,
  SAMPLERS,
  initialNoise,
  toBytes,
  type HookFactory,
  type SampleOptions,
  type SamplerKind,
} from './sampler';
export { sampleInWorker, type SampleResult } from './sample-job';
export { loadModel, saveModel, roundToF16, ARCHITECTURE, type DiTModel, type Weights } from './weights';
export { kohyaKey, moduleForKohyaKey, defaultLoraTargets } from './kohya';
export { pretrain, readLosses, trainConfigOf, type PretrainOptions, type PretrainResult } from './pretrain';
export { Rng } from './rng';
export type { SampleJob } from './sample-worker';
