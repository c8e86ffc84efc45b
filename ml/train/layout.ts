// Packing named parameters into one flat float32 vector: few graph inputs/outputs make session.run cheap.

import type { NamedParams } from './types';

export interface PackedParam {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

export interface ParamLayout {
  readonly params: readonly PackedParam[];
  readonly total: number;
}

/** The layout of `shapes` in the given order. */
export function layoutOf(shapes: Record<string, { readonly shape: readonly number[] }>): ParamLayout {
  let offset = 0;
  const params = Object.entries(shapes).map(([name, { shape }]) => {
    if (!shape.every((d) => Number.isInteger(d) && d > 0))
      throw new Error(`parameter '${name}': shape [${shape.join(', ')}] must have positive integer dimensions`);
    const size = shape.reduce((a, b) => a * b, 1);
    const p = { name, shape, offset, size };
    offset += size;
    return p;
  });
  if (params.length === 0) throw new Error('the task has no trainable parameters');
  return { params, total: offset };
}

/** Copies named values into one flat vector following `layout`, checking each size. */
export function pack(
  layout: ParamLayout,
  values: Record<string, { readonly data: Float32Array }>,
  what = 'parameter',
): Float32Array {
  const flat = new Float32Array(layout.total);
  for (const p of layout.params) {
    const v = values[p.name];
    if (!v) throw new Error(`${what} '${p.name}' is missing`);
    if (v.data.length !== p.size)
      throw new Error(
        `${what} '${p.name}' has ${v.data.length} values, expected ${p.size} for shape [${p.shape.join(', ')}]`,
      );
    flat.set(v.data, p.offset);
  }
  return flat;
}

/** Splits a flat vector back into named arrays (copies). */
export function unpack(layout: ParamLayout, flat: Float32Array): NamedParams {
  const out: NamedParams = {};
  for (const p of layout.params) out[p.name] = { shape: p.shape, data: flat.slice(p.offset, p.offset + p.size) };
  return out;
}
