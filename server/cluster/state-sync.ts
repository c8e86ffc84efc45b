/**
 * A node's state folders (TrainLoRA's checkpoints) follow the job across workers: while the node runs, files
 * that changed are uploaded to the server every `intervalMs`; a worker that takes over a job first downloads
 * the folders the job's data lists, so the node resumes from the last uploaded checkpoint with its step count.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../ml/atomic-write';
import { parseStateKey, STATE_FILE_NAME, stateKeyOf } from './blob-target';
import type { ServerClient } from './server-client';
import { uploadFile } from './transfer';

/** Where a state folder lives under a work root (as the engine's ctx.stateDir puts it). */
export const localStateDir = (workRoot: string, stateKey: string): string => join(workRoot, 'state', stateKey);

/** Downloads the listed state folders (files the worker already has with the same size are kept). */
export async function restoreState(keys: readonly string[], workRoot: string, server: ServerClient): Promise<number> {
  let bytes = 0;
  for (const stateKey of keys) {
    const folder = parseStateKey(stateKey);
    if (!folder) continue;
    const dir = localStateDir(workRoot, stateKey);
    mkdirSync(dir, { recursive: true });
    const route = `/cluster/state/${folder.type}/${folder.key}`;
    const { files } = await server.getJson<{ files: { name: string; bytes: number }[] }>(route);
    for (const f of files) {
      if (!STATE_FILE_NAME.test(f.name)) continue;
      const local = join(dir, f.name);
      if (existsSync(local) && statSync(local).size === f.bytes) continue;
      const data = await server.getBytes(`${route}/${f.name}`);
      await writeFileAtomic(local, data);
      bytes += data.byteLength;
    }
  }
  return bytes;
}

export interface StateSync {
  /** Starts following a state folder the node asked for. */
  watch(type: string, key: string, dir: string): void;
  /** The folders followed so far ("Type/key"). */
  keys(): string[];
  /** Uploads what changed since the last pass; passes never overlap. */
  flush(): Promise<void>;
  stop(): void;
}

/** Follows the node's state folders and uploads changed files every `intervalMs` (and on flush). */
export function createStateSync(server: ServerClient, intervalMs: number, onError: (e: Error) => void): StateSync {
  const folders = new Map<string, { type: string; key: string; dir: string }>();
  const uploaded = new Map<string, string>();
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    for (const [stateKey, f] of folders) {
      if (!existsSync(f.dir)) continue;
      // Checkpoints before the logs that mention them: a worker that resumes never sees a log ahead of its checkpoint.
      const names = readdirSync(f.dir)
        .filter((n) => STATE_FILE_NAME.test(n) && !n.endsWith('.tmp'))
        .sort((a, b) => Number(b.endsWith('.safetensors')) - Number(a.endsWith('.safetensors')));
      for (const name of names) {
        const file = join(f.dir, name);
        let signature: string;
        try {
          const s = statSync(file);
          if (!s.isFile()) continue;
          signature = `${s.size}:${s.mtimeMs}`;
        } catch {
          continue; // deleted meanwhile (old checkpoints are pruned)
        }
        const id = `${stateKey}/${name}`;
        if (uploaded.get(id) === signature) continue;
        await uploadFile(server, { kind: 'state', type: f.type, key: f.key, name }, file);
        uploaded.set(id, signature);
      }
    }
  };
  const flush = () => {
    running = running.then(pass).catch((e: unknown) => onError(e as Error));
    return running;
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    watch(type, key, dir) {
      const stateKey = stateKeyOf(type, key);
      if (!folders.has(stateKey)) {
        const folder = parseStateKey(stateKey)!;
        folders.set(stateKey, { ...folder, dir });
      }
    },
    keys: () => [...folders.keys()],
    flush,
    stop: () => clearInterval(timer),
  };
}
