/**
 * The kohya_ss GUI's saved configs (JSON): sd-scripts arguments under the GUI's own names, numbers often as
 * strings, "" for a field left empty. Renamed to sd-scripts names, then mapped as sd-scripts arguments.
 */
import type { ImportBuilder } from './import-builder';
import { importKohyaArgs, type Companions } from './kohya-args';
import { coerce } from './mapping-table';

/** GUI field -> sd-scripts argument, where they differ. */
const RENAMES: Record<string, string> = {
  optimizer: 'optimizer_type',
  max_resolution: 'resolution',
  epoch: 'max_train_epochs',
};

/** The name of the GUI's inline sample prompts, as a companion file. */
const INLINE_PROMPTS = '(sample_prompts field)';

/** Whether a parsed JSON object looks like a kohya_ss GUI config. */
export function isKohyaGuiJson(v: Record<string, unknown>): boolean {
  return ['LoRA_type', 'max_resolution', 'pretrained_model_name_or_path', 'network_dim', 'train_data_dir'].some(
    (k) => k in v,
  );
}

function familyArgs(gui: Record<string, unknown>, args: Record<string, unknown>): void {
  if (gui.flux1_checkbox === true || /flux/i.test(String(gui.LoRA_type ?? '')))
    args.network_module = 'networks.lora_flux';
}

/** Names settings in the summary as the GUI does (max_resolution, not resolution). */
function renameBack(b: ImportBuilder): void {
  const back = new Map(Object.entries(RENAMES).map(([gui, kohya]) => [kohya, gui]));
  for (const item of [...b.summary.mapped, ...b.summary.ignored]) item.setting = back.get(item.setting) ?? item.setting;
}

export function importKohyaGuiJson(
  b: ImportBuilder,
  gui: Record<string, unknown>,
  file: string,
  files: Companions,
): void {
  const args: Record<string, unknown> = {};
  const empty: string[] = [];
  let warmupNote: string | undefined;
  for (const [key, value] of Object.entries(gui)) {
    if (value === '' || value === null) {
      empty.push(key);
      continue;
    }
    if (key === 'LoRA_type') {
      if (value === 'Standard') {
        args.network_module = 'networks.lora';
        b.note('LoRA_type = "Standard": plain LoRA');
      } else if (!/flux/i.test(String(value)))
        b.ignore('LoRA_type', value, 'not supported, ignored (TrainLoRA trains plain LoRA)');
      continue;
    }
    if (key === 'lr_warmup') {
      const pct = coerce('number', value);
      const steps = coerce('int', gui.max_train_steps);
      if (typeof pct === 'number' && pct > 0 && typeof steps === 'number') {
        args.lr_warmup_steps = Math.round((pct / 100) * steps);
        warmupNote = `${pct}% of ${steps} steps`;
      } else if (pct !== 0) b.ignore('lr_warmup', value, 'not supported, ignored (a percentage needs max_train_steps)');
      continue;
    }
    if (key === 'conv_dim' || key === 'conv_alpha') {
      if (coerce('number', value) !== 0)
        b.ignore(key, value, 'not supported, ignored (TrainLoRA adapts linear layers only)');
      continue;
    }
    if (key === 'flux1_checkbox' && value === false) continue;
    args[RENAMES[key] ?? key] = value;
  }
  familyArgs(gui, args);
  if (typeof args.sample_prompts === 'string' && !/\.(txt|toml|json)$/i.test(args.sample_prompts.trim())) {
    const text = args.sample_prompts; // the GUI keeps the prompts themselves in this field
    args.sample_prompts = INLINE_PROMPTS;
    const outer = files;
    files = (p) => (p === INLINE_PROMPTS ? { name: 'sample_prompts field', text } : outer(p));
  }
  if (typeof args.output_name === 'string' && args.output_name) b.name = args.output_name;
  if (empty.length > 0) b.note(`left empty in ${file}, so not set: ${empty.join(', ')}`);
  importKohyaArgs(b, args, files);
  renameBack(b);
  const warmup = b.summary.mapped.find((m) => m.setting === 'lr_warmup_steps');
  if (warmup && warmupNote) Object.assign(warmup, { setting: 'lr_warmup', note: warmupNote });
}
