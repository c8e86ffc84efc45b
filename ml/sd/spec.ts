/** A canonical tensor name with its shape, and the helpers that list a model's weights (see keys.ts). */

export const UNET_PREFIX = 'model.diffusion_model.';
export const VAE_PREFIX = 'first_stage_model.';
export const TEXT_PREFIX = 'cond_stage_model.transformer.text_model.';

/** How the tiny generator initialises a tensor (a real file's values do not matter to the loader). */
export type TensorInit = 'fanIn' | 'bias' | 'normWeight' | 'embedding';

/** One weight of the model: its canonical name and shape. */
export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: TensorInit;
}

/** Collects specs under a prefix; `linear`, `conv` and `norm` add the weight and its bias. */
export class SpecList {
  readonly specs: TensorSpec[] = [];
  constructor(private readonly prefix: string) {}

  add(name: string, shape: readonly number[], init: TensorInit): void {
    this.specs.push({ name: this.prefix + name, shape, init });
  }
  linear(name: string, out: number, inF: number, bias = true): void {
    this.add(`${name}.weight`, [out, inF], 'fanIn');
    if (bias) this.add(`${name}.bias`, [out], 'bias');
  }
  conv(name: string, out: number, inF: number, k: number): void {
    this.add(`${name}.weight`, [out, inF, k, k], 'fanIn');
    this.add(`${name}.bias`, [out], 'bias');
  }
  norm(name: string, c: number): void {
    this.add(`${name}.weight`, [c], 'normWeight');
    this.add(`${name}.bias`, [c], 'bias');
  }
}

/** Number of values of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
