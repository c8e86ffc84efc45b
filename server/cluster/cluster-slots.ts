/**
 * The slots of a server with workers, shared by all its runs: `cpuSlots` for the nodes it runs itself, and no
 * limit on device nodes, which wait in the BullMQ queue until a worker is free (the workers are the slots).
 */
import type { Resource, Slots } from '../engine/slots';

/** Creates the shared slots; the device of a device node is chosen by the worker that takes its job. */
export function createClusterSlots(cpuSlots: number): Slots {
  let freeCpu = Math.max(1, Math.floor(cpuSlots));
  const listeners = new Set<() => void>();
  return {
    tryAcquire(resource: Resource) {
      if (resource === 'gpu') return 'worker';
      if (freeCpu === 0) return null;
      freeCpu--;
      return 'cpu';
    },
    release(resource: Resource) {
      if (resource === 'cpu') freeCpu++;
      for (const l of [...listeners]) l();
    },
    onRelease(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
