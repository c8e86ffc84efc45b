/** The JSON files of a diffusers SD 1.5 folder, as diffusers writes them (the loader reads shapes, not these). */
import type { Sd15Widths } from './widths';

/** model_index.json and each component's config, keyed by path inside the folder. */
export function diffusersConfigs(w: Sd15Widths): Record<string, unknown> {
  const u = w.unet;
  const levels = u.channelMult.map((m) => m * u.modelChannels);
  const down = u.channelMult.map((_, l) => (u.attentionLevels.includes(l) ? 'CrossAttnDownBlock2D' : 'DownBlock2D'));
  const up = [...u.channelMult.keys()]
    .reverse()
    .map((l) => (u.attentionLevels.includes(l) ? 'CrossAttnUpBlock2D' : 'UpBlock2D'));
  const vaeLevels = w.vae.channelMult.map((m) => m * w.vae.ch);
  return {
    'model_index.json': {
      _class_name: 'StableDiffusionPipeline',
      _diffusers_version: '0.27.2',
      feature_extractor: [null, null],
      requires_safety_checker: false,
      safety_checker: [null, null],
      scheduler: ['diffusers', 'PNDMScheduler'],
      text_encoder: ['transformers', 'CLIPTextModel'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
      unet: ['diffusers', 'UNet2DConditionModel'],
      vae: ['diffusers', 'AutoencoderKL'],
    },
    'scheduler/scheduler_config.json': {
      _class_name: 'PNDMScheduler',
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      beta_start: 0.00085,
      num_train_timesteps: 1000,
      prediction_type: 'epsilon',
      set_alpha_to_one: false,
      skip_prk_steps: true,
      steps_offset: 1,
    },
    'unet/config.json': {
      _class_name: 'UNet2DConditionModel',
      attention_head_dim: u.heads,
      block_out_channels: levels,
      cross_attention_dim: u.contextDim,
      down_block_types: down,
      in_channels: u.inChannels,
      layers_per_block: u.numResBlocks,
      norm_num_groups: 32,
      out_channels: u.outChannels,
      sample_size: 64,
      up_block_types: up,
    },
    'text_encoder/config.json': {
      architectures: ['CLIPTextModel'],
      hidden_act: 'quick_gelu',
      hidden_size: w.clip.width,
      intermediate_size: w.clip.mlpWidth,
      max_position_embeddings: w.clip.positions,
      model_type: 'clip_text_model',
      num_attention_heads: w.clip.heads,
      num_hidden_layers: w.clip.layers,
      vocab_size: w.clip.vocabSize,
    },
    'vae/config.json': {
      _class_name: 'AutoencoderKL',
      block_out_channels: vaeLevels,
      in_channels: w.vae.imageChannels,
      latent_channels: w.vae.latentChannels,
      layers_per_block: w.vae.numResBlocks,
      norm_num_groups: 32,
      out_channels: w.vae.imageChannels,
      scaling_factor: 0.18215,
    },
  };
}
