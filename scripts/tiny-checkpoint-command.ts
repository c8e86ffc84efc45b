/**
 * What make-tiny-sd15.ts and make-tiny-sdxl.ts share: `<out-dir> [--widths tiny|full] [--seed N]`, one file or
 * folder per variant, each opened again by the loader that will read it and listed with its layout and size.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SdCheckpoint } from '../ml/sd/checkpoint';

export interface TinyCheckpointCommand<O> {
  /** The script's file name, for the usage line. */
  script: string;
  /** The variants to write, `[name, options]`: the full-size one for `--widths full`, else the tiny set. */
  variants(full: boolean): [string, O][];
  /** Writes one variant; returns the path written. */
  write(path: string, options: O & { seed: number }): Promise<string>;
  /** Opens a written checkpoint with the family's own loader. */
  open(path: string): SdCheckpoint;
}

const say = (s: string) => process.stdout.write(`${s}\n`);

function arg(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? argv[i + 1] : undefined;
}

async function makeTinyCheckpoints<O>(cmd: TinyCheckpointCommand<O>, argv: readonly string[]): Promise<void> {
  const out = argv[0];
  if (!out || out.startsWith('--')) throw new Error(`usage: ${cmd.script} <out-dir> [--widths tiny|full] [--seed N]`);
  mkdirSync(out, { recursive: true });
  const seed = Number(arg(argv, 'seed') ?? 0);
  for (const [name, options] of cmd.variants(arg(argv, 'widths') === 'full')) {
    const path = await cmd.write(join(out, name), { ...options, seed });
    const ckpt = cmd.open(path); // every file written is checked by the loader that will read it
    say(
      `${path}: ${ckpt.family} ${ckpt.layout} ${ckpt.dtype}, ${ckpt.names.length} weights, ` +
        `${(ckpt.bytes / 2 ** 20).toFixed(1)} MiB`,
    );
    ckpt.close();
  }
}

/** Runs the command on this process's arguments; a failure is one line on stderr and exit code 1. */
export function runTinyCheckpointCommand<O>(cmd: TinyCheckpointCommand<O>): void {
  makeTinyCheckpoints(cmd, process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
