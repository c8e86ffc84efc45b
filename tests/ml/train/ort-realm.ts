/**
 * Jest runs tests in a separate JS realm, but onnxruntime-node's native code returns typed arrays of the main realm,
 * which onnxruntime-common's `instanceof` checks then reject. Import this FIRST in tests that run sessions: it makes
 * the test realm use the main realm's typed-array constructors (a jest testEnvironment would be the cleaner fix).
 */
import * as vm from 'node:vm';

const NAMES = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;
const g = globalThis as unknown as Record<string, unknown>;
for (const name of NAMES) g[name] = vm.runInThisContext(name);
export {};
