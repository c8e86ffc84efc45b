/** What a TrainLoRA run left in a data folder: the checkpoint steps on disk, for tests of reruns and retention. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The checkpoint steps on disk in every LoRA state folder of the data folder, sorted. */
export function checkpointStepsOnDisk(dataDir: string): number[] {
  const state = join(dataDir, 'state');
  return readdirSync(state)
    .filter((d) => d.startsWith('lora-'))
    .flatMap((d) => readdirSync(join(state, d)))
    .map((f) => /^step-(\d+)\.safetensors$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}
