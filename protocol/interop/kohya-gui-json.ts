/**
 * The kohya_ss GUI's saved configs (JSON): sd-scripts arguments under the GUI's own names, numbers often as
 * strings, "" for a field left empty. Renamed to sd-scripts names, then mapped as sd-scripts arguments.
 */
import type { ImportBuilder } from './import-builder';
import { importKohyaArgs, type Companions } from './kohya-args';
import { networkArgSetting } from './kohya-network-args';
import { coerce } from './mapping-table';

/** GUI field -> sd-scripts argument, where they differ. */
const RENAMES: Record<string, string> = {
  optimizer: 'optimizer_type',
  max_resolution: 'resolution',
  epoch: 'max_train_epochs',
};

/** The GUI's LoRA_type for sd-scripts' networks.lora with conv layers. */
const LOCON = 'Kohya LoCon';

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

/**
 * The GUI's conv_dim / conv_alpha fields: kohya_ss hands them to sd-scripts' network_args only for LoRA_type
 * "Kohya LoCon" (its LyCORIS types pass them to LyCORIS), so under "Standard" they are saved but unused.
 */
function convArgs(
  b: ImportBuilder,
  loraType: unknown,
  conv: Map<string, unknown>,
  args: Record<string, unknown>,
): void {
  if (conv.size === 0) return;
  const shownValues = [...conv].map(([k, v]) => `${k} = ${String(v)}`).join(', ');
  if (loraType === LOCON) {
    const items = [...conv].map(([k, v]) => `${k}=${String(v)}`);
    const given = args.network_args;
    args.network_args = [...(given === undefined ? [] : Array.isArray(given) ? given : [given]), ...items];
  } else if (loraType === undefined || loraType === 'Standard')
    b.note(`${shownValues}: not used (kohya_ss passes them to sd-scripts for LoRA_type "${LOCON}" only)`);
  else for (const [k, v] of conv) b.ignore(k, v, `not supported, ignored (LoRA_type ${String(loraType)})`);
}

/** Names settings in the summary as the GUI does (max_resolution, not resolution; conv_dim, not network_args). */
function renameBack(b: ImportBuilder): void {
  const back = new Map(Object.entries(RENAMES).map(([gui, kohya]) => [kohya, gui]));
  for (const key of ['conv_dim', 'conv_alpha']) back.set(networkArgSetting(key), key);
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
  const conv = new Map<string, unknown>();
  let warmupNote: string | undefined;
  for (const [key, value] of Object.entries(gui)) {
    if (value === '' || value === null) {
      empty.push(key);
      continue;
    }
    if (key === 'LoRA_type') {
      if (value === 'Standard' || value === LOCON) {
        args.network_module = 'networks.lora';
        b.note(`LoRA_type = "${value}": ${value === LOCON ? 'LoRA with LoCon (conv_dim, conv_alpha)' : 'plain LoRA'}`);
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
      conv.set(key, value);
      continue;
    }
    if (key === 'flux1_checkbox' && value === false) continue;
    args[RENAMES[key] ?? key] = value;
  }
  convArgs(b, gui.LoRA_type, conv, args);
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
