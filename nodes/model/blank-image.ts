/**
 * Blank images: every pixel one colour. That is what NaN or infinite values become on their way to pixels (NaN
 * latents decode to all black), after an overflow in a LoRA trained with too high a learning rate, a strength far
 * above 1, or half-precision weights. A sampler never draws a real subject that flat, so Sample and the LoRA
 * check say so on the node instead of showing black squares without a word (QA S6-F17).
 */

/** How far (0-255) a channel may stray from the first pixel's and the image still count as one colour. */
const TOLERANCE = 2;

/** The colour of an RGB (HWC bytes) image whose every pixel is one colour, as #rrggbb; undefined otherwise. */
export function blankColour(rgb: Uint8Array, tolerance = TOLERANCE): string | undefined {
  if (rgb.length < 3) return undefined;
  const [r, g, b] = [rgb[0]!, rgb[1]!, rgb[2]!];
  for (let i = 0; i + 2 < rgb.length; i += 3)
    if (
      Math.abs(rgb[i]! - r) > tolerance ||
      Math.abs(rgb[i + 1]! - g) > tolerance ||
      Math.abs(rgb[i + 2]! - b) > tolerance
    )
      return undefined;
  const hex = (v: number) => v.toString(16).padStart(2, '0');
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

const colourName = (hex: string): string =>
  hex === '#000000' ? 'all black' : hex === '#ffffff' ? 'all white' : `all ${hex}`;

/** One image a node drew: its pixels, what names it to the user, and whether any LoRA was applied to it. */
export interface DrawnImage {
  rgb: Uint8Array;
  /** E.g. `image 2 "red apple" [mylora@0.7]`. */
  label: string;
  withLora: boolean;
}

/** How many blank images a warning names before it says "and N more". */
const NAMED = 3;

/**
 * The warning for the blank images among `images` (undefined when none is): which ones and their colour, the
 * likely cause, and what to try. `who` starts the message where the node does more than draw ("LoRA check").
 */
export function blankImagesWarning(images: readonly DrawnImage[], who?: string): string | undefined {
  const blank = images.flatMap((im) => {
    const colour = blankColour(im.rgb);
    return colour ? [{ ...im, colour }] : [];
  });
  if (blank.length === 0) return undefined;
  const named = blank
    .slice(0, NAMED)
    .map((im) => `${im.label} (${colourName(im.colour)})`)
    .join(', ');
  const more = blank.length > NAMED ? ` and ${blank.length - NAMED} more` : '';
  const count =
    blank.length === images.length ? 'every image is blank' : `${blank.length} of ${images.length} images are blank`;
  const head = `${who ? `${who}: ` : ''}${count}, one colour from edge to edge: ${named}${more}`;
  const loraOnly = blank.every((im) => im.withLora) && images.some((im) => !im.withLora && !blankColour(im.rgb));
  const cause = loraOnly
    ? 'Only images with a LoRA are blank, so the LoRA is the likely cause: its weights overflow (NaN or infinite values) at this strength, as after training with too high a learning rate.'
    : 'This is what NaN or infinite values look like once drawn: an overflow in the model or a LoRA (too high a learning rate in training, a LoRA strength far above 1, or weights in half precision).';
  // Blank without any LoRA: the model itself is the problem, whatever the LoRAs do.
  const tryThis = blank.every((im) => im.withLora)
    ? 'Try a lower LoRA strength (0.5-1.0) or an earlier checkpoint, or retrain with a lower learning rate'
    : 'Try a lower guidance scale; if the model alone stays blank its file holds NaN or overflowing weights (an SDXL VAE stored in float16 is a known case): use a float32 copy';
  return `${head}. ${cause} ${tryThis}.`;
}
