// Execution providers: which onnxruntime backend runs training, and a probe that explains what is missing.
import { GraphBuilder } from '../graph';

export type ProviderName = 'cpu' | 'webgpu' | 'cuda';

const HINTS: Record<ProviderName, string> = {
  cpu: 'the CPU provider ships with onnxruntime-node; reinstall the package (npm ci)',
  webgpu:
    'WebGPU (bundled with onnxruntime-node) needs a GPU with a Vulkan driver: install the vendor driver and libvulkan1',
  cuda: 'the CUDA provider is not installed: with CUDA 12 and cuDNN 9 present, run `npm install onnxruntime-node --onnxruntime-node-install=cuda12`',
};

const probed = new Map<ProviderName, Promise<void>>();

/** Session options that select `provider` (with `threads` intra-op threads on the CPU). */
export function providerOptions(
  provider: ProviderName,
  threads?: number,
): { executionProviders: string[]; intraOpNumThreads?: number; interOpNumThreads?: number } {
  return { executionProviders: [provider], ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}) };
}

/** Creates a tiny session on `provider`; throws an error naming the provider and the missing piece when it fails. */
export function probeProvider(provider: ProviderName): Promise<void> {
  if (!(provider in HINTS))
    return Promise.reject(new Error(`unknown execution provider '${provider}' (use cpu, webgpu or cuda)`));
  let p = probed.get(provider);
  if (!p) {
    p = (async () => {
      const g = new GraphBuilder({ name: `probe_${provider}` });
      g.output(g.add(g.input('x', 'float32', [4]), 1), 'y');
      try {
        // Severity 4 (fatal only): the failure is reported once, by the error below, not also as a native log line.
        const s = await g.createSession({ executionProviders: [provider], logSeverityLevel: 4 });
        await s.release();
      } catch (e) {
        probed.delete(provider);
        const why = ((e as Error).message.split('\n')[0] ?? '').slice(0, 300);
        throw new Error(
          `execution provider '${provider}' is unavailable: ${HINTS[provider]} (onnxruntime said: ${why})`,
        );
      }
    })();
    probed.set(provider, p);
  }
  return p;
}
