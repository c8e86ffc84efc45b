// The half of parity:sd15 and parity:sdxl that is the same for both: hand the weights, inputs and our outputs to
// the PyTorch reference script (float64), print max |ours - ref| per model part, and say whether every part is
// within 1e-4 of its range.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeSafetensors, type TensorToWrite } from '../ml/safetensors';

const out = (s: string): boolean => process.stdout.write(s + '\n');

/** `--seed N` from the command line (1 when absent). */
export const parseSeed = (args = process.argv.slice(2)): number => {
  const at = args.indexOf('--seed');
  return at >= 0 ? Number(args[at + 1]) : 1;
};

/** A smooth deterministic input of `n` values (the seed shifts its phase). */
export function wave(n: number, f: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i * f + seed));
}

interface Weights {
  readonly names: readonly string[];
  tensor(name: string): TensorToWrite;
}

interface ReferenceReport {
  torch: string;
  parts: Record<string, { max_abs?: number; rel?: number; ref_max?: number; error?: string }>;
}

/**
 * Runs `bench/<script>` on the same weights and inputs, prints the table under `title(torchVersion)` and returns
 * whether every part is within 1e-4 of its largest reference value.
 */
export async function compareWithReference(
  script: string,
  title: (torch: string) => string,
  weights: Weights,
  inputs: Record<string, TensorToWrite>,
  ours: Record<string, TensorToWrite>,
): Promise<boolean> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parity-'));
  try {
    const file = (n: string): string => path.join(dir, `${n}.safetensors`);
    await writeSafetensors(file('weights'), Object.fromEntries(weights.names.map((n) => [n, weights.tensor(n)])));
    await writeSafetensors(file('inputs'), inputs);
    await writeSafetensors(file('ours'), ours);
    const py = spawnSync(
      '/usr/bin/python3',
      [path.join(__dirname, script), file('weights'), file('inputs'), file('ours')],
      {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: '2' },
      },
    );
    if (py.status !== 0)
      throw new Error(
        `the PyTorch reference failed (is python3-torch installed? apt-get install python3-torch):\n${py.stderr}`,
      );
    const report = JSON.parse(py.stdout) as ReferenceReport;
    out(title(report.torch));
    out(`${'part'.padEnd(12)} ${'max |diff|'.padStart(12)} ${'relative'.padStart(10)} ${'max |ref|'.padStart(10)}`);
    let bad = false;
    for (const [n, r] of Object.entries(report.parts)) {
      if (r.error) {
        bad = true;
        out(`${n.padEnd(12)} ${r.error}`);
        continue;
      }
      bad ||= !(r.rel! <= 1e-4);
      out(
        `${n.padEnd(12)} ${r.max_abs!.toExponential(2).padStart(12)} ${r.rel!.toExponential(2).padStart(10)} ${r.ref_max!.toFixed(3).padStart(10)}`,
      );
    }
    out(bad ? 'FAIL: a part differs by more than 1e-4 of its range' : 'ok: every part within 1e-4 of its range');
    return !bad;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
