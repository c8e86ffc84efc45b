/** What both exporters need: file names, the header comment, the model family, the dataset folder and the prompts. */
import type { WorkflowFile } from '../workflow';
import { APP_VERSION } from '../workflow-io';
import type { WorkflowTraining } from './read-workflow';
import type { Params } from './roles';
import type { SamplePrompt } from './sample-prompts';
import { FAMILY_NAMES, type ModelFamily } from './types';

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/**
 * Whether TrainLoRA's layer set adapts the text encoder, warning when the tools cannot express the set itself:
 * both adapt every attention and MLP layer, so 'cross-attention kv+text' goes out as that plus the text encoder.
 */
export function trainsTextEncoder(targets: unknown, tool: string, warnings: string[]): boolean {
  if (targets === 'cross-attention kv+text')
    warnings.push(
      `${tool} adapts every attention and MLP layer: the layer set 'cross-attention kv+text' is exported as ` +
        'attention+mlp with the text encoder',
    );
  return targets === 'attention+mlp+text' || targets === 'cross-attention kv+text';
}

/** A file-name stem from the output name or workflow name. */
export function fileStem(t: WorkflowTraining, wf: WorkflowFile): string {
  const raw = str(t.setup.train.outputName) || wf.name || 'lora';
  return raw.replace(/[^\w.-]+/g, '_').replace(/^[._]+|[._]+$/g, '') || 'lora';
}

/** The comment at the top of every exported file: which workflow it came from. */
export function headerLines(wf: WorkflowFile, t: WorkflowTraining, what: string): string[] {
  return [
    `${what} exported by loraflow ${APP_VERSION} from the workflow "${wf.name}" (TrainLoRA node "${t.trainId}").`,
    "Paths are as the workflow gives them; relative ones start at loraflow's data folder.",
  ];
}

/** The family to write: the caller's choice, else the one recorded at import, else SD 1.5 (with a warning). */
export function chooseFamily(t: WorkflowTraining, family: ModelFamily | undefined, warnings: string[]): ModelFamily {
  const chosen = family ?? t.family;
  const loadFamily = str(t.setup.model.family);
  const familyName = Object.prototype.hasOwnProperty.call(FAMILY_NAMES, loadFamily)
    ? FAMILY_NAMES[loadFamily as ModelFamily]
    : undefined;
  // An SD/SDXL LoadModel with no checkpoint chosen yet (the shipped sd15/sdxl workflows) is not the emoji model.
  if (t.modelPath === '' && familyName !== undefined)
    warnings.push(`LoadModel's ${familyName} checkpoint is not set: set the base model path before training`);
  else if (t.builtinModel && !(t.modelPath && t.family))
    warnings.push(
      "LoadModel uses loraflow's built-in emoji model, which other tools cannot train: " +
        'set the base model path before training',
    );
  if (chosen) return chosen;
  warnings.push('the model family is not known (pass --family sd15|sdxl|flux): written for SD 1.5');
  return 'sd15';
}

/** Resize's resolution, or the family's native one when Resize takes the model's (0). */
export function resolutionFor(t: WorkflowTraining, family: ModelFamily, warnings: string[]): number {
  const res = num(t.setup.resize.resolution);
  if (res > 0) return res;
  const native = family === 'sd15' ? 512 : family === 'sd2' ? 768 : 1024;
  warnings.push(`Resize takes the model's resolution: written as ${native} px, ${FAMILY_NAMES[family]}'s`);
  return native;
}

/** The image folder and its repeats as the other tool should read them. */
export function datasetFolder(t: WorkflowTraining, warnings: string[]): { folder: string; repeats: number } {
  const images = t.setup.images;
  const folder = str(images.folder);
  const own = num(images.repeats);
  const fromName = /^(\d+)_./.exec(
    folder
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '',
  );
  if (t.saveDataset) {
    const save = t.saveDataset;
    const repeats = num(save.repeats) || own || (fromName ? Number(fromName[1]) : 1);
    const name = (str(save.name) || str(t.setup.caption.trigger) || str(t.setup.train.trigger) || 'dataset')
      .trim()
      .replace(/[\\/:*?"<>|\s]+/g, '_');
    warnings.push(
      'run the workflow first: SaveDataset writes the prepared images and captions that this config trains on',
    );
    return { folder: `${str(save.folder).replace(/[\\/]+$/, '')}/${repeats}_${name}`, repeats };
  }
  warnCaptionsOnDisk(t, warnings);
  return { folder, repeats: own || (fromName ? Number(fromName[1]) : 1) };
}

/** Without SaveDataset the other tool reads the caption files as they are: what Caption and Resize do is lost. */
export function warnCaptionsOnDisk(t: WorkflowTraining, warnings: string[]): void {
  const c = t.setup.caption;
  if (str(c.template) || str(c.edits) || c.mode === 'overwrite')
    warnings.push(
      "Caption's template, edits or tagging are not applied by the other tool: " +
        'add a SaveDataset node to write the captions',
    );
  if (t.setup.resize.mode === 'pad') warnings.push('Resize pads images: the other tool crops or buckets them instead');
}

/** The regularisation folder and its repeats (from its name when LoadImages' Repeats is 0), if there is one. */
export function regFolder(t: WorkflowTraining): { folder: string; repeats: number; ext: string } | undefined {
  const folder = str(t.setup.reg.folder);
  if (!folder) return undefined;
  const fromName = /^(\d+)_./.exec(
    folder
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '',
  );
  const repeats = num(t.setup.reg.repeats) || (fromName ? Number(fromName[1]) : 1);
  return { folder, repeats, ext: str(t.setup.reg.captionExtension) };
}

/** The trigger word of the training: TrainLoRA's, else the Caption node's. */
export function triggerOf(t: WorkflowTraining): string {
  return str(t.setup.train.trigger) || str(t.setup.caption.trigger);
}

/** Prompts with their options: from the Sample nodes fed by TrainLoRA, else TrainLoRA's own sample prompts. */
export function promptsOf(t: WorkflowTraining, warnings: string[]): SamplePrompt[] {
  const trigger = triggerOf(t);
  if (t.setup.samples.length === 0) {
    const list = Array.isArray(t.setup.train.samplePrompts) ? t.setup.train.samplePrompts : [];
    return list.map((p) => ({ prompt: trigger ? p.replace(/\[trigger\]/gi, trigger) : p }));
  }
  const ownPrompts = JSON.stringify(t.setup.train.samplePrompts ?? []);
  const out: SamplePrompt[] = [];
  for (const s of t.setup.samples) out.push(...sampleLines(s));
  const all = JSON.stringify(out.map((p) => p.prompt));
  if (ownPrompts !== '[]' && ownPrompts !== all)
    warnings.push(
      "TrainLoRA's own sample prompts differ from its Sample nodes': the Sample nodes' prompts are written",
    );
  return out;
}

function sampleLines(s: Params): SamplePrompt[] {
  const prompts = Array.isArray(s.prompts) ? s.prompts : [];
  return prompts.map((prompt) => {
    const p: SamplePrompt = { prompt, steps: num(s.steps), scale: num(s.guidance), seed: num(s.seed) };
    if (str(s.negative)) p.negative = str(s.negative);
    // Sample's 0 means the model's own resolution, which kohya says by leaving --w / --h out.
    if (typeof s.width === 'number' && s.width > 0) p.width = s.width;
    if (typeof s.height === 'number' && s.height > 0) p.height = s.height;
    return p;
  });
}
