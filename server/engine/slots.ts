/**
 * Resource slots: a pool of CPU slots shared by cpu nodes and one slot per GPU device for gpu nodes, so two
 * training nodes never share a device while CPU preprocessing runs beside them. Without GPUs, gpu nodes share
 * one training slot on the CPU (two trainings at once would only halve each other's speed and double memory).
 */
export type Resource = 'cpu' | 'gpu';

export interface Slots {
  /** Takes a slot for `resource` and returns the device it is on, or null when all are busy. */
  tryAcquire(resource: Resource): string | null;
  release(resource: Resource, device: string): void;
  /**
   * Calls `listener` after every release; returns the function that stops it. Slots shared by several runs use it
   * to start one run's waiting node when another run frees a slot.
   */
  onRelease?(listener: () => void): () => void;
}

/** Creates the slots of one executor: `cpuSlots` CPU slots and one slot per entry of `gpuDevices`. */
export function createSlots(cpuSlots: number, gpuDevices: readonly string[]): Slots {
  let freeCpu = Math.max(1, Math.floor(cpuSlots));
  const gpuFree = new Map<string, boolean>((gpuDevices.length > 0 ? gpuDevices : ['cpu']).map((d) => [d, true]));
  return {
    tryAcquire(resource) {
      if (resource === 'cpu') {
        if (freeCpu === 0) return null;
        freeCpu--;
        return 'cpu';
      }
      for (const [device, free] of gpuFree) {
        if (free) {
          gpuFree.set(device, false);
          return device;
        }
      }
      return null;
    },
    release(resource, device) {
      if (resource === 'cpu') freeCpu++;
      else gpuFree.set(device, true);
    },
  };
}
