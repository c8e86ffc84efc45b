import { randomUUID } from 'node:crypto';
import { defineNode } from '../api';

/** A small seeded generator (mulberry32): the same seed gives the same number on every machine. */
function seeded(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * A random number between min and max. With a seed (>= 0) it is reproducible and cached like any node; with
 * seed -1 it is new on every run. Cacheability is a property of the type, so the "new every run" case goes
 * through the fingerprint instead: a fresh nonce per run changes the key of this node and of its dependents.
 */
export const randomNumberNode = defineNode<{ min: number; max: number; integer: boolean; seed: number }>({
  schema: {
    type: 'RandomNumber',
    version: 1,
    category: 'primitives',
    title: 'Random number',
    description:
      'A random number between min and max: the same on every run with a seed, new on every run with seed -1.',
    inputs: [],
    outputs: [{ name: 'value', type: 'NUMBER' }],
    params: [
      { name: 'min', kind: 'number', default: 0 },
      { name: 'max', kind: 'number', default: 1 },
      {
        name: 'integer',
        kind: 'boolean',
        default: false,
        tooltip: 'A whole number between min and max, both included.',
      },
      {
        name: 'seed',
        kind: 'int',
        default: -1,
        min: -1,
        tooltip: '-1: a new number on every run (never served from cache).',
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },
  fingerprint: (params) => (params.seed < 0 ? randomUUID() : ''),
  execute: async (_inputs, params) => {
    const u = params.seed < 0 ? Math.random() : seeded(params.seed);
    const lo = Math.min(params.min, params.max);
    const hi = Math.max(params.min, params.max);
    const value = params.integer
      ? Math.ceil(lo) + Math.floor(u * (Math.floor(hi) - Math.ceil(lo) + 1))
      : lo + u * (hi - lo);
    return { value };
  },
});
