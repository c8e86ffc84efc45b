/** The JSON files of a diffusers SDXL folder, as diffusers writes them (the loader reads shapes, not these). */
import type { SdxlWidths } from './sdxl-widths';

/** model_index.json and each component's config, keyed by path inside the folder. */
export function sdxlDiffusersConfigs(w: SdxlWidths): Record<string, unknown> {
  const u = w.unet;
  const depth = u.transformerDepths;
  const down = depth.map((d) => (d > 0 ? 'CrossAttnDownBlock2D' : 'DownBlock2D'));
  const up = [...depth].reverse().map((d) => (d > 0 ? 'CrossAttnUpBlock2D' : 'UpBlock2D'));
  const text = (c: SdxlWidths['clipL'], act: string, arch: string) => ({
    architectures: [arch],
    hidden_act: act,
    hidden_size: c.width,
    intermediate_size: c.mlpWidth,
    max_position_embeddings: c.positions,
    model_type: 'clip_text_model',
    num_attention_heads: c.heads,
    num_hidden_layers: c.layers,
    vocab_size: c.vocabSize,
  });
  return {
    'model_index.json': {
      _class_name: 'StableDiffusionXLPipeline',
      _diffusers_version: '0.27.2',
      force_zeros_for_empty_prompt: true,
      scheduler: ['diffusers', 'EulerDiscreteScheduler'],
      text_encoder: ['transformers', 'CLIPTextModel'],
      text_encoder_2: ['transformers', 'CLIPTextModelWithProjection'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
      tokenizer_2: ['transformers', 'CLIPTokenizer'],
      unet: ['diffusers', 'UNet2DConditionModel'],
      vae: ['diffusers', 'AutoencoderKL'],
    },
    'scheduler/scheduler_config.json': {
      _class_name: 'EulerDiscreteScheduler',
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      beta_start: 0.00085,
      num_train_timesteps: 1000,
      prediction_type: 'epsilon',
      steps_offset: 1,
      timestep_spacing: 'leading',
    },
    'unet/config.json': {
      _class_name: 'UNet2DConditionModel',
      addition_embed_type: 'text_time',
      addition_time_embed_dim: 256,
      attention_head_dim: u.channelMult.map((m) => (m * u.modelChannels) / u.headDim),
      block_out_channels: u.channelMult.map((m) => m * u.modelChannels),
      cross_attention_dim: u.contextDim,
      down_block_types: down,
      in_channels: u.inChannels,
      layers_per_block: u.numResBlocks,
      norm_num_groups: 32,
      out_channels: u.outChannels,
      projection_class_embeddings_input_dim: u.admInChannels,
      sample_size: 128,
      transformer_layers_per_block: depth.map((d) => Math.max(d, 1)),
      up_block_types: up,
      use_linear_projection: true,
    },
    'text_encoder/config.json': text(w.clipL, 'quick_gelu', 'CLIPTextModel'),
    'text_encoder_2/config.json': {
      ...text(w.clipG, 'gelu', 'CLIPTextModelWithProjection'),
      projection_dim: w.clipG.projectionDim,
    },
    'vae/config.json': {
      _class_name: 'AutoencoderKL',
      block_out_channels: w.vae.channelMult.map((m) => m * w.vae.ch),
      force_upcast: true,
      in_channels: w.vae.imageChannels,
      latent_channels: w.vae.latentChannels,
      layers_per_block: w.vae.numResBlocks,
      norm_num_groups: 32,
      out_channels: w.vae.imageChannels,
      scaling_factor: 0.13025,
    },
  };
}
