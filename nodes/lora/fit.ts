/** Reading a LORA file for a base model, refusing with a clear message one that does not fit it. */
import type { DiTConfig } from '../../ml/dit/config';
import { ARCHITECTURE } from '../../ml/dit/weights';
import { readLora } from '../../ml/lora/file';
import { loraMismatch } from '../../ml/lora/merge';
import type { LoraSet } from '../../ml/lora/types';
import { NodeUserError } from '../api';

/** Reads `file` and checks it against the model; throws a NodeUserError naming the file, the parameter and why. */
export async function readFittingLora(
  file: string,
  config: DiTConfig,
  modelName: string,
  param: string,
): Promise<LoraSet> {
  let set: LoraSet;
  try {
    set = await readLora(file, config);
  } catch (e) {
    throw new NodeUserError(
      `cannot read the LoRA ${file}: ${(e as Error).message}`,
      'is the file complete? Truncated or partly downloaded files cannot be used',
      param,
    );
  }
  const arch = set.metadata['modelspec.architecture'] ?? '';
  const sdVersion = set.metadata.ss_base_model_version ?? '';
  if ((arch && !arch.startsWith(ARCHITECTURE)) || (sdVersion && sdVersion !== ARCHITECTURE)) {
    throw new NodeUserError(
      `the LoRA ${file} was made for another model (${arch || sdVersion}), not for ${modelName} (${ARCHITECTURE})`,
      'a LoRA only works with the base model family it was trained on',
      param,
    );
  }
  const bad = loraMismatch(config, set);
  if (bad)
    throw new NodeUserError(
      `the LoRA ${file} does not fit the model ${modelName}: ${bad}`,
      'a LoRA only works with the base model it was trained on',
      param,
    );
  return set;
}
