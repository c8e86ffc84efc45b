// What the full-size SD benches (bench:sd15, bench:sdxl) share around their measurements: the command-line options
// and the process memory figures (/proc, Linux) they gate on and report.
import { readFileSync, writeFileSync } from 'node:fs';

/** `--name value` options and `--name` flags of this command line. */
export function benchArgs(args: readonly string[] = process.argv.slice(2)) {
  return {
    /** The value after `--name`, else `dflt`. */
    opt(name: string, dflt: string): string {
      const i = args.indexOf(`--${name}`);
      return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
    },
    /** Whether `--name` is given. */
    flag(name: string): boolean {
      return args.includes(`--${name}`);
    },
  };
}

/** MemAvailable in GiB (0 where /proc/meminfo is missing). */
export function availableGiB(): number {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) / 2 ** 20 : 0;
}

/** Resets this process's peak RSS (Linux clear_refs 5), so each phase reports its own peak. */
export function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux or not permitted: the peak then covers every phase so far.
  }
}

/** This process's peak RSS (VmHWM) in GiB since start or the last resetPeak. */
export function peakGiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 2 ** 20 : 0;
}

/** A deterministic input of n values in [-1, 1]. */
export const wave = (n: number, f: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));
