/**
 * Opening an onnxruntime-node session on a built graph. Small models go to onnxruntime as bytes with in-memory
 * external data. A model whose large initializers pass `weightsOnDiskBytes` (a checkpoint's UNet) is written to a
 * temporary folder instead, its weights streamed into one file, and opened from there: onnxruntime copies in-memory
 * external data, so the in-memory way holds the weights three times while the session is created (our arrays, its
 * copy, its own tensors); from a file, with lazy initializers (frozen checkpoint weights), it holds them once.
 * Such a model is also opened without weight prepacking: every Gemm, MatMul and ConvTranspose that reads a weight
 * packs its own copy of it (a training step reads each weight two or three times: forward, recomputed forward,
 * input gradient), which doubled the SD 1.5 UNet LoRA step's session (6.7 against 3.4 GiB at 256 px) while the
 * step's CPU time stayed within the machine's noise. And without onnxruntime's CPU memory arena, which grows in
 * doubling chunks and keeps them: the 512 px SD 1.5 step peaked at 9.3 GiB without it against 11.7 with it, at about
 * the same CPU time (37.6 against 36.8 s). And without the NCHWc layout optimization (cappedLevel).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import type { GraphCore } from './core';
import { serializeModel, type SerializeOptions } from './serialize';
import { DTYPE_BYTES, numel } from './types';

export type SessionOptions = InferenceSession.SessionOptions &
  Omit<SerializeOptions, 'externalFile'> & {
    /**
     * Let idle intra-op threads spin between ops (onnxruntime's default). Off by default here: training and sampling
     * share the CPU with the server, the editor and other workers, and on a busy machine spinning threads burn the time
     * slices the working thread needs. Measured on the 2-core machine under load: a transformer training step took
     * 466 ms without spinning against 940 ms with it, and a 1024^3 MatMul ran at 81 against 51 GFLOP/s.
     */
    spinning?: boolean;
    /**
     * Open the model from a temporary file when its initializers hold at least this many bytes (default 256 MiB;
     * `Infinity`: always in memory). The folder is removed once the session exists.
     */
    weightsOnDiskBytes?: number;
    /** Where that temporary folder goes (default: LORAFLOW_WEIGHTS_TMP, else the system's temp folder). */
    weightsDir?: string;
    /** Let kernels prepack weights (default: yes for models in memory, no for those opened from a weights file). */
    prepack?: boolean;
  };

const ON_DISK_BYTES = 256 * 2 ** 20;

/** Serializes `g` and creates a session; options such as `executionProviders` pass through. */
export async function createSession(g: GraphCore, opts: SessionOptions = {}): Promise<InferenceSession> {
  const { externalThreshold, spinning, weightsOnDiskBytes, weightsDir, prepack, ...rest } = opts;
  const onDisk = initializerBytes(g) >= (weightsOnDiskBytes ?? ON_DISK_BYTES);
  const spin = withSpinning(rest.extra, spinning ?? false);
  const packed = (prepack ?? !onDisk) ? spin : withSession(spin, 'disable_prepacking', '1');
  const sessionOpts = { ...rest, extra: packed };
  if (onDisk) {
    const level = cappedLevel(rest.graphOptimizationLevel);
    const o = { enableCpuMemArena: false, ...sessionOpts, graphOptimizationLevel: level };
    return fromFolder(g, o, { externalThreshold }, weightsDir);
  }
  const { model, externalData } = serializeModel(g, { externalThreshold });
  try {
    return await InferenceSession.create(model, externalData.length ? { ...sessionOpts, externalData } : sessionOpts);
  } catch (e) {
    throw refused(g, e);
  }
}

/** Writes the model and its weights file into a fresh temporary folder, opens it, and removes the folder. */
async function fromFolder(
  g: GraphCore,
  opts: InferenceSession.SessionOptions,
  ser: SerializeOptions,
  dir?: string,
): Promise<InferenceSession> {
  const folder = mkdtempSync(path.join(dir ?? process.env.LORAFLOW_WEIGHTS_TMP ?? tmpdir(), 'loraflow-session-'));
  try {
    const modelPath = path.join(folder, 'model.onnx');
    // The model bytes are dropped before onnxruntime reads them: only the file and onnxruntime's tensors remain.
    writeFileSync(modelPath, serializeModel(g, { ...ser, externalFile: path.join(folder, 'weights.bin') }).model);
    try {
      return await InferenceSession.create(modelPath, opts);
    } catch (e) {
      throw refused(g, e);
    }
  } finally {
    // onnxruntime has read what it keeps (a file it mapped stays readable until unmapped).
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * A model opened from a weights file is optimized at most to onnxruntime's "extended" level: the next level's NCHWc
 * layout transformer keeps a reordered copy of every conv kernel beside the original (which the backward pass's
 * ConvTranspose still reads). For the 512 px SD 1.5 UNet LoRA step that copy was 2.1 GiB (peak 8.65 against 6.57 GiB,
 * `npx tsx bench/sd15-memory.ts 512`) at the same CPU time (45.6 against 46.2 s, load 7).
 */
function cappedLevel(
  level: InferenceSession.SessionOptions['graphOptimizationLevel'],
): InferenceSession.SessionOptions['graphOptimizationLevel'] {
  return level === undefined || level === 'all' ? 'extended' : level;
}

/** The bytes of every initializer of `g` (used or not; lazy ones by their declared shape). */
function initializerBytes(g: GraphCore): number {
  let n = 0;
  for (const t of [...g.initializers.keys(), ...g.lazyInitializers.keys()]) n += numel(t.shape) * DTYPE_BYTES[t.dtype];
  return n;
}

function refused(g: GraphCore, e: unknown): Error {
  return new Error(`onnxruntime refused graph '${g.graphName}': ${(e as Error).message}`);
}

/** `extra` with session.<key> set to `value`, unless the caller set it there already. */
function withSession(extra: Record<string, unknown>, key: string, value: string): Record<string, unknown> {
  const session = (extra.session ?? {}) as Record<string, unknown>;
  return session[key] !== undefined ? extra : { ...extra, session: { ...session, [key]: value } };
}

/** `extra` with session.intra_op.allow_spinning set, unless the caller set it there already. */
function withSpinning(extra: Record<string, unknown> | undefined, spinning: boolean): Record<string, unknown> {
  const session = (extra?.session ?? {}) as Record<string, unknown>;
  const intraOp = (session.intra_op ?? {}) as Record<string, unknown>;
  if (intraOp.allow_spinning !== undefined) return extra ?? {};
  return { ...extra, session: { ...session, intra_op: { ...intraOp, allow_spinning: spinning ? '1' : '0' } } };
}
