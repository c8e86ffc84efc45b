/**
 * TrainLoRA's per-family differences for Stable Diffusion checkpoints (train-sd.ts is the one path): the UNet
 * modules of a layer set, every module the saved file names (LoCon's included), the kohya metadata that marks the
 * family, and (SDXL) each image's size/crop conditioning. The worker's side is ml/sd/train-family.ts.
 */
import type { KohyaModule } from '../../ml/sd/lora-names';
import type { Sd15LoraInfo } from '../../ml/sd/lora-metadata';
import { sd15LoraMetadata } from '../../ml/sd/lora-metadata';
import type { LoraTarget } from '../../ml/sd/merge-lora';
import type { SizeCondition } from '../../ml/sd/sdxl-cond';
import { sdxlLoraMetadata } from '../../ml/sd/sdxl-lora-metadata';
import { sdxlTrainedModules, sdxlUnetLoraModules } from '../../ml/sd/sdxl-train-step';
import { unetLoraModules } from '../../ml/sd/train-step';
import { fullLoraModules, moduleRank } from '../../ml/sd/train-step-te';
import type { DatasetItem } from '../dataset/types';
import { SD_FAMILY_LABEL, type SdModelValue } from '../model/sd-model-value';

export interface SdTrainingFamily {
  readonly family: SdModelValue['family'];
  /** How messages name it: 'SD 1.5', 'SDXL'. */
  readonly label: string;
  /** The UNet modules of a layer set (TrainLoRA's `targets`). */
  unetModules(targets: string): KohyaModule[];
  /** Every module trained, in the saved file's order. */
  modules(o: { text: boolean; conv: boolean; targets: readonly string[] }): LoraTarget[];
  rankOf(
    m: KohyaModule,
    o: { rank: number; alpha: number; conv?: { rank: number; alpha: number } },
  ): {
    rank: number;
    alpha: number;
  };
  /** kohya's family metadata: ss_base_model_version, modelspec.architecture, the base's hashes. */
  metadata(info: Sd15LoraInfo): Record<string, string>;
  /** SDXL: the size/crop conditioning of an image fitted (cover, centred) into the run's bucket. */
  sizeOf?(
    item: Pick<DatasetItem, 'width' | 'height' | 'sourceWidth' | 'sourceHeight'>,
    width: number,
    height: number,
  ): SizeCondition;
}

/** A layer set among a family's UNet modules (kohya keys). */
function selectUnet(all: KohyaModule[], targets: string): KohyaModule[] {
  if (targets === 'attention') return all.filter((m) => !/_ff_net_/.test(m.key));
  if (targets === 'cross-attention kv+text' || targets === 'cross-attention kv')
    return all.filter((m) => /_attn2_to_[kv]$/.test(m.key));
  if (targets === 'trigger embedding only') return []; // textual inversion: pivotal tuning's rows alone
  return all;
}

/**
 * kohya's SDXL size conditioning: original = the file's size (h, w), crop = where the centred crop of the image
 * scaled to cover the bucket starts (top, left), target = the bucket. Resize's `buckets` and `center-crop` fit
 * images this way. The dataset does not say whether Resize padded instead (`pad` mode, which kohya lacks), so a
 * padded image gets the offsets a centre crop would have had.
 */
export function coverCropSize(
  item: Pick<DatasetItem, 'width' | 'height' | 'sourceWidth' | 'sourceHeight'>,
  width: number,
  height: number,
): SizeCondition {
  const sw = item.sourceWidth ?? item.width;
  const sh = item.sourceHeight ?? item.height;
  const scale = Math.max(width / sw, height / sh);
  const top = Math.max(0, Math.floor((Math.round(sh * scale) - height) / 2));
  const left = Math.max(0, Math.floor((Math.round(sw * scale) - width) / 2));
  return { original: [sh, sw], crop: [top, left], target: [height, width] };
}

/** The family adapter of a MODEL. */
export function sdTrainingFamily(model: SdModelValue): SdTrainingFamily {
  if (model.family === 'sdxl') {
    const widths = model.widths;
    return {
      family: 'sdxl',
      label: SD_FAMILY_LABEL.sdxl,
      unetModules: (targets) => selectUnet(sdxlUnetLoraModules(widths), targets),
      modules: (o) => sdxlTrainedModules(widths, o),
      rankOf: moduleRank,
      metadata: sdxlLoraMetadata,
      sizeOf: coverCropSize,
    };
  }
  const widths = model.widths;
  return {
    family: 'sd15',
    label: SD_FAMILY_LABEL.sd15,
    unetModules: (targets) => selectUnet(unetLoraModules(widths), targets),
    modules: (o) => fullLoraModules(widths, o),
    rankOf: moduleRank,
    metadata: sd15LoraMetadata,
  };
}
