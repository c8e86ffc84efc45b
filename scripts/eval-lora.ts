/**
 * Evaluates LoRAs trained by the quick start's workflow on the shipped model: do they answer to their trigger word?
 *
 *   npm run eval:lora -- [--cases twemoji,openmoji,object,object-lora] [--concepts 32] [--seeds 2]
 *                        [--reg-concepts N] [--set train.<param>=<json>]... [--model base.safetensors] [--out data/eval-lora]
 *
 * Style LoRAs (the quick start's Twemoji set, and the OpenMoji example): samples of held-out subjects (none in the
 * dataset), each with `--seeds` noises, judged by a style classifier (eval-lora-measures.ts) with the trigger at
 * strength 0.7 and 1.0, and without it (bleeding), against the base model; the subject's survival: how often its own
 * concept is among the 10 nearest real renders (of 1,594 concepts in four styles), relative to the base model's rate.
 * Every share is printed with its count and 95% interval: 16 samples (the former default) could not tell 25% from
 * 15%. `--reg-concepts N`: prior preservation on N more concept captions (none of them evaluated) beside the
 * training captions. `--parts`: the text encoder's and the image model's adapters judged apart. The subjects are
 * TrainLoRA's priorExclude, so that prior concepts (priorConcepts) never include them. The survival judge's own
 * accuracy is printed first: the subjects' real renders in each style, that style's renders left out of its gallery.
 * Object LoRA: a concept held out of pretraining, 20 images (four emoji sets x five crops) captioned
 * "sks_thing, <set> style", trained with the object-embedding preset (pivotal tuning alone; `object-lora`: the object
 * preset's adapters): how often samples with the trigger have it as their nearest real render (top-1 and top-10),
 * and how often prompts without the trigger keep the base model's nearest concept.
 * Every case also prints TrainLoRA's own LoRA check (effect, bleeding, survival per checkpoint) and its diagnosis.
 * The LoRA evaluated is LoRACheck's `best` output (the checkpoint it chose).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { listConcepts, tilesToPng, ALL_STYLES, type StyleId } from '../ml/corpus';
import { conceptText } from '../ml/corpus/captions';
import { codepointKey, loadIconSet } from '../ml/corpus/iconsets';
import { loadModel, type DiTModel } from '../ml/dit/weights';
import { readLora } from '../ml/lora/file';
import { sampleCombos } from '../ml/lora/sample';
import type { LoraSet } from '../ml/lora/types';
import { builtinNodes } from '../nodes';
import { SHIPPED_WEIGHTS } from '../nodes/model/model-value';
import { TRAIN_PRESETS } from '../nodes/lora/presets';
import type { LoraValue } from '../nodes/lora/lora-value';
import type { WorkflowFile } from '../protocol/workflow';
import type { ParamValue } from '../protocol/schema';
import {
  createArtifactStore,
  createMemoryCache,
  createPathPolicy,
  createRegistry,
  executeWorkflow,
} from '../server/engine';
import { EXAMPLE_CODEPOINTS, renderExample } from './examples/emoji-examples';
import {
  conceptRetrieval,
  judgeOnRealRenders,
  styleClassifier,
  styleCount,
  wilson,
  type Retrieval,
  type StyleClassifier,
} from './eval-lora-measures';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const sets = (): [string, ParamValue][] =>
  argv.flatMap((a, i) => {
    if (a !== '--set') return [];
    const [k = '', ...v] = (argv[i + 1] ?? '').split('=');
    const text = v.join('=');
    let value: ParamValue;
    try {
      value = JSON.parse(text) as ParamValue;
    } catch {
      value = text;
    }
    return [[k.replace(/^train\./, ''), value]];
  });
const say = (s: string) => process.stdout.write(`${s}\n`);
const pct = (x: number) => `${(100 * x).toFixed(0)}%`.padStart(4);
const secs = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
const OBJECT_TRIGGER = 'sks_thing';
const noto = loadIconSet('noto');

interface Env {
  root: string;
  dataDir: string;
  modelFile: string;
}

/** Five crops of one emoji: as is, mirrored, zoomed in, shifted, zoomed out. */
async function crops(png: Buffer): Promise<Buffer[]> {
  const s = 256;
  const flat = (img: ReturnType<typeof sharp>) => img.flatten({ background: '#ffffff' }).png().toBuffer();
  return [
    png,
    await flat(sharp(png).flop()),
    await flat(
      sharp(png)
        .extract({ left: 24, top: 24, width: s - 48, height: s - 48 })
        .resize(s, s),
    ),
    await flat(
      sharp(png).extend({ left: 40, top: 20, background: '#ffffff' }).extract({ left: 0, top: 0, width: s, height: s }),
    ),
    await flat(sharp(png).resize(200, 200).extend({ left: 28, right: 28, top: 28, bottom: 28, background: '#ffffff' })),
  ];
}

/** Writes the datasets: twemoji-style, openmoji-style (the examples), and the object set of `objectCp`. */
async function writeDatasets(root: string, objectCp: string): Promise<void> {
  for (const style of ['twemoji', 'openmoji'] as const) {
    const dir = path.join(root, 'examples', `${style}-style`);
    fs.mkdirSync(dir, { recursive: true });
    for (const cp of EXAMPLE_CODEPOINTS) {
      const img = await renderExample(style, cp);
      fs.writeFileSync(path.join(dir, `${img.stem}.png`), img.png);
      fs.writeFileSync(path.join(dir, `${img.stem}.txt`), `${img.caption}\n`);
    }
  }
  const dir = path.join(root, 'examples', 'object');
  fs.mkdirSync(dir, { recursive: true });
  for (const style of ALL_STYLES) {
    const all = await crops((await renderExample(style, objectCp)).png);
    for (const [i, png] of all.entries()) {
      fs.writeFileSync(path.join(dir, `${style}_${i}.png`), png);
      fs.writeFileSync(path.join(dir, `${style}_${i}.txt`), `${style} style\n`);
    }
  }
}

/** Runs the quick start's workflow up to its LoRA check on a dataset folder; returns the LoRA the check chose. */
async function train(env: Env, folder: string, trigger: string, extra: Record<string, ParamValue>) {
  const wf = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', 'workflows', 'quickstart-style-lora.json'), 'utf8'),
  ) as WorkflowFile;
  const node = (id: string) => wf.nodes.find((n) => n.id === id)!;
  node('model').params.file = 'base.safetensors';
  node('images').params.folder = folder;
  node('caption').params.trigger = trigger;
  Object.assign(node('train').params, extra, Object.fromEntries(sets()));
  const logs: string[] = [];
  const engine = {
    registry: createRegistry(builtinNodes),
    cache: createMemoryCache(),
    artifacts: createArtifactStore(path.join(env.dataDir, 'artifacts')),
    paths: createPathPolicy([env.root]),
    workRoot: path.join(env.dataDir, 'work'),
    cpuSlots: 2,
    gpuDevices: [],
  };
  let best: LoraValue | undefined;
  let report = '';
  const t0 = Date.now();
  const outcome = await executeWorkflow(engine, {
    runId: `eval-${folder.replace(/\W/g, '-')}`,
    workflow: wf,
    targets: ['check'],
    signal: new AbortController().signal,
    onEvent: (e) => {
      if (e.type === 'node.log' && e.nodeId === 'train') logs.push(e.message);
      if (e.type === 'node.failed') say(`${e.nodeId} failed: ${e.error.message}`);
      if (e.type === 'node.finished' && e.nodeId === 'check') {
        best = e.outputs.best as LoraValue;
        report = String(e.outputs.report);
      }
    },
  });
  if (outcome !== 'succeeded' || !best) throw new Error(`TrainLoRA + LoRACheck on ${folder} ${outcome}`);
  const p = node('train').params;
  say(
    `TrainLoRA + LoRACheck on ${folder} (${p.steps} steps, lr ${p.learningRate}, batch ${p.batch}, ${JSON.stringify(Object.fromEntries(sets()))}): ${secs(t0)} in all`,
  );
  for (const l of [...logs.filter((l) => /loss curve|steps\/s|prior preservation/.test(l)), ...report.split('\n')])
    say(`  ${l}`);
  const set = await readLora(engine.artifacts.pathOf(best.artifact), (await loadModel(env.modelFile)).config);
  const classPrompts = (p.classPrompts as string[] | undefined) ?? [];
  return { set, step: best.step, strength: best.strength, classPrompts };
}

/** Samples `prompts` with the base model and the LoRA at 0.7 and 1.0: [base, 0.7, 1.0]. */
const sampleThree = (base: DiTModel, set: LoraSet, prompts: string[], seed = 0) =>
  sampleCombos(base, [[], [{ set, strength: 0.7 }], [{ set, strength: 1 }]], { prompts, seed, steps: 20, guidance: 4 });

/**
 * `n` concept captions for prior preservation beyond the training captions: every 13th concept from offset 6, so
 * none is an evaluated subject (every 13th from 0), in the dataset or held out of pretraining.
 */
function regPrompts(all: ReturnType<typeof listConcepts>, evalIdx: readonly number[], n: number): string[] {
  const inDataset = new Set(EXAMPLE_CODEPOINTS.map(codepointKey));
  return all
    .filter((c, i) => i % 13 === 6 && !evalIdx.includes(i) && !c.heldOut && !inDataset.has(c.codepoint))
    .slice(0, n)
    .map((c) => c.text);
}

/** "25% (16/64, 95% 16-37%)": a share with its count and Wilson interval. */
const share = ({ k, n }: { k: number; n: number }): string => {
  const [lo, hi] = wilson(k, n);
  return `${pct(k / Math.max(1, n))} (${k}/${n}, 95% ${(100 * lo).toFixed(0)}-${(100 * hi).toFixed(0)}%)`;
};

async function styleCase(
  env: Env,
  style: StyleId,
  clf: StyleClassifier,
  retrieval: Retrieval,
  evalIdx: number[],
  all: ReturnType<typeof listConcepts>,
  seeds: number,
): Promise<Uint8Array[]> {
  say(`\n== style LoRA: ${style} (20 images, trigger xyz_style) ==`);
  const regConcepts = Number(arg('reg-concepts', '0'));
  // The evaluated subjects never serve as prior concepts (TrainLoRA's priorConcepts): their bleeding is measured.
  const priorExclude = evalIdx.map((i) => all[i]!.text);
  const lora = await train(env, `examples/${style}-style`, 'xyz_style', {
    priorExclude,
    ...(regConcepts > 0 ? { classPrompts: ['[captions]', ...regPrompts(all, evalIdx, regConcepts)] } : {}),
  });
  const leaked = evalIdx.filter((i) => lora.classPrompts.some((p) => p.trim().toLowerCase() === all[i]!.text));
  if (leaked.length)
    say(`WARNING: ${leaked.length} held-out subject(s) are class prompts too, so bleeding is understated on them`);
  const base = await loadModel(env.modelFile);
  // Each subject `seeds` times: sample i draws the noise of (seed 0, i), so every repeat has noise of its own.
  const idx = Array.from({ length: seeds }, () => evalIdx).flat();
  const subjects = idx.map((i) => all[i]!.text);
  const t0 = Date.now();
  const a = await sampleThree(
    base,
    lora.set,
    subjects.map((s) => `xyz_style, ${s}`),
  );
  const b = await sampleThree(base, lora.set, subjects);
  say(
    `evaluated: checkpoint ${lora.step} (the check's best) on ${evalIdx.length} held-out subjects x ${seeds} seed(s), ${6 * subjects.length} samples in ${secs(t0)}`,
  );
  const judged = (t: Uint8Array) => share(styleCount(clf, t, style));
  say(`share of samples judged ${style} by the style classifier (count, Wilson 95% interval):`);
  say(
    `  with trigger:    base ${judged(a[0]!)}   LoRA@0.7 ${judged(a[1]!)}   LoRA@1.0 ${judged(a[2]!)}   (aim >= 90%)`,
  );
  say(
    `  without trigger: base ${judged(b[0]!)}   LoRA@0.7 ${judged(b[1]!)}   LoRA@1.0 ${judged(b[2]!)}   (bleeding, aim <= 15%)`,
  );
  const recognised = (t: Uint8Array) => retrieval.within(t, idx, 10).filter(Boolean).length;
  const r0 = recognised(b[0]!);
  const rec = (t: Uint8Array) => {
    const k = recognised(t);
    return `${share({ k, n: idx.length })}, ${r0 > 0 ? pct(k / r0) : ' n/a'} of base`;
  };
  say(
    `subject recognised (own concept among the 10 nearest of ${all.length}): base ${share({ k: r0, n: idx.length })}; with trigger LoRA@0.7 ${rec(a[1]!)}; LoRA@1.0 ${rec(a[2]!)} (aim >= 80% of base)`,
  );
  if (argv.includes('--parts')) await partsDiagnosis(base, lora.set, subjects, (t) => judged(t));
  return [...a, ...b];
}

/**
 * Which adapters carry the style and which the bleeding: the text encoder's and the image model's (cross-attention)
 * adapters sampled apart at strength 1, and the text encoder's at half strength beside the rest at 1.
 */
async function partsDiagnosis(base: DiTModel, set: LoraSet, subjects: string[], judged: (t: Uint8Array) => string) {
  const part = (text: boolean): LoraSet => ({
    ...set,
    adapters: set.adapters.filter((a) => a.module.startsWith('text.') === text),
  });
  const [te, unet] = [part(true), part(false)];
  const combos = [
    [{ set: te, strength: 1 }],
    [{ set: unet, strength: 1 }],
    [
      { set: te, strength: 0.5 },
      { set: unet, strength: 1 },
    ],
  ];
  const names = ['text encoder only @1', 'image model only @1', 'text encoder @0.5 + image model @1'];
  const opts = { seed: 0, steps: 20, guidance: 4 };
  const a = await sampleCombos(base, combos, { ...opts, prompts: subjects.map((s) => `xyz_style, ${s}`) });
  const b = await sampleCombos(base, combos, { ...opts, prompts: subjects });
  say(`adapters apart (${te.adapters.length} text encoder, ${unet.adapters.length} image model):`);
  for (const [i, n] of names.entries()) say(`  ${n}: with trigger ${judged(a[i]!)}, without ${judged(b[i]!)}`);
}

async function objectCase(
  env: Env,
  objectIdx: number,
  retrieval: Retrieval,
  all: ReturnType<typeof listConcepts>,
  others: number[],
  adapters: boolean,
) {
  const concept = all[objectIdx]!;
  say(
    `\n== object LoRA: "${concept.text}" (held out of pretraining), 20 images in 4 sets, trigger ${OBJECT_TRIGGER}, ${adapters ? 'object preset (adapters, prior preservation)' : 'object-embedding preset (pivotal tuning alone)'} ==`,
  );
  // Class prompts of other things (the style examples' subjects): what the object's trigger must leave alone.
  const classPrompts = EXAMPLE_CODEPOINTS.map((cp) => `${conceptText(noto.byCodepoint.get(cp) ?? '')}, noto style`);
  // The object-embedding preset (pivotal tuning alone) at the quick start's 600 steps; `--cases object-lora`: the
  // object preset's adapters with prior preservation, as before.
  const { steps: _auto, ...embedding } = TRAIN_PRESETS['object-embedding']!;
  // The adapters keep kohya's prior target (class images), as the README's figure of this case was measured.
  const settings = adapters
    ? { loraType: 'object', shuffleTags: false, classPrompts, priorTarget: 'class images' }
    : embedding;
  const priorExclude = others.map((i) => all[i]!.text);
  const lora = await train(env, 'examples/object', OBJECT_TRIGGER, { ...settings, priorExclude });
  const base = await loadModel(env.modelFile);
  const withPrompts = [...ALL_STYLES, ...ALL_STYLES].map((s) => `${OBJECT_TRIGGER}, ${s} style`);
  const t0 = Date.now();
  const a = await sampleThree(base, lora.set, withPrompts);
  const plain = others.map((i) => `${all[i]!.text}, noto style`);
  const b = await sampleThree(base, lora.set, plain);
  say(`evaluated: checkpoint ${lora.step}; ${3 * (withPrompts.length + plain.length)} samples in ${secs(t0)}`);
  const targets = withPrompts.map(() => objectIdx);
  const top1 = (t: Uint8Array) => retrieval.nearest(t).filter((n) => n === objectIdx).length / withPrompts.length;
  const top10 = (t: Uint8Array) => retrieval.within(t, targets, 10).filter(Boolean).length / withPrompts.length;
  say(`with trigger, nearest real render is "${concept.text}" (top-1 / top-10 of ${all.length}; aim top-1 >= 50%):`);
  say(
    `  base ${pct(top1(a[0]!))} / ${pct(top10(a[0]!))}   LoRA@0.7 ${pct(top1(a[1]!))} / ${pct(top10(a[1]!))}   LoRA@1.0 ${pct(top1(a[2]!))} / ${pct(top10(a[2]!))}`,
  );
  const baseNearest = retrieval.nearest(b[0]!);
  const kept = (t: Uint8Array) => retrieval.nearest(t).filter((n, i) => n === baseNearest[i]).length / plain.length;
  say(
    `without trigger, ${plain.length} other concepts keep the base model's nearest concept: LoRA@0.7 ${pct(kept(b[1]!))}   LoRA@1.0 ${pct(kept(b[2]!))}   (aim >= 80%)`,
  );
  return [...a, ...b];
}

async function main(): Promise<void> {
  const out = path.resolve(arg('out', 'data/eval-lora'));
  fs.mkdirSync(out, { recursive: true });
  const cases = arg('cases', 'twemoji,openmoji,object').split(',');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-eval-lora-'));
  const root = path.join(dataDir, 'root');
  const modelFile = arg('model', SHIPPED_WEIGHTS);
  if (!fs.existsSync(modelFile)) throw new Error(`no model at ${modelFile}: the shipped weights or --model`);
  fs.mkdirSync(root, { recursive: true });
  fs.copyFileSync(modelFile, path.join(root, 'base.safetensors'));
  const env: Env = { root, dataDir, modelFile };

  const all = listConcepts();
  const inDataset = new Set(EXAMPLE_CODEPOINTS.map(codepointKey));
  const object = all.findIndex(
    (c) => c.heldOut && noto.byCodepoint.has(c.codepoint) && /\b(face|heart)\b/.test(c.text) === false,
  );
  await writeDatasets(root, all[object]!.codepoint);
  const nEval = Number(arg('concepts', '32'));
  const seeds = Number(arg('seeds', '2'));
  const evalIdx = all
    .map((c, i) => (inDataset.has(c.codepoint) || c.heldOut ? -1 : i))
    .filter((i) => i >= 0 && i % 13 === 0)
    .slice(0, nEval);
  let t0 = Date.now();
  const needStyle = cases.some((c) => !c.startsWith('object'));
  const clf = needStyle
    ? await styleClassifier(
        all.filter((_, i) => !evalIdx.includes(i)).map((c) => c.codepoint),
        evalIdx.map((i) => all[i]!.codepoint),
      )
    : undefined;
  if (clf)
    say(
      `style classifier: accuracy on ${evalIdx.length} held-out concepts x 4 styles ${pct(clf.accuracy)} (chance 25%), ${secs(t0)}`,
    );
  t0 = Date.now();
  const retrieval = await conceptRetrieval(
    all.map((c) => c.codepoint),
    ALL_STYLES,
  );
  say(`retrieval gallery: ${all.length} concepts x ${ALL_STYLES.length} styles, ${secs(t0)}`);
  if (needStyle) {
    const real = await judgeOnRealRenders(
      retrieval,
      all.map((c) => c.codepoint),
      evalIdx,
    );
    say(
      `survival judge on the real renders of the ${evalIdx.length} subjects, that style's renders left out of the gallery (own concept among the 10 nearest): ${[...real].map(([s, r]) => `${s} ${share(r)}`).join(', ')}`,
    );
  }
  const grids: Uint8Array[] = [];
  for (const c of cases) {
    if (c === 'object' || c === 'object-lora')
      grids.push(...(await objectCase(env, object, retrieval, all, evalIdx, c === 'object-lora')));
    else grids.push(...(await styleCase(env, c as StyleId, clf!, retrieval, evalIdx, all, seeds)));
  }
  const tiles = new Uint8Array(grids.reduce((n, t) => n + t.length, 0));
  let o = 0;
  for (const t of grids) (tiles.set(t, o), (o += t.length));
  const file = path.join(out, 'samples.png');
  fs.writeFileSync(file, await tilesToPng(tiles, 32, 16, 2));
  say(`\ngrid (per case rows: with trigger base/0.7/1.0, without trigger base/0.7/1.0): ${file}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  process.stderr.write(`eval-lora failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
