/**
 * Jest runs tests in their own JS realm, but onnxruntime-node's native code works with the main realm's typed
 * arrays, and onnxruntime-common's `instanceof` checks reject the test realm's. Import this FIRST in tests that
 * run ONNX sessions: the test realm then uses the main realm's typed-array constructors.
 */
import * as vm from 'node:vm';

const NAMES = ['Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'] as const;
const g = globalThis as unknown as Record<string, unknown>;
for (const name of NAMES) g[name] = vm.runInThisContext(name);
export {};
