/** The example datasets' content: which emoji, rendered how, and the deliberately broken files. */
import sharp from 'sharp';
import { conceptText } from '../../ml/corpus/captions';
import { codepointKey, loadIconSet } from '../../ml/corpus/iconsets';
import type { StyleId } from '../../ml/corpus/styles';

/** 20 varied subjects (fruit, animals, objects, places, weather), so a style LoRA learns the style, not a subject. */
export const EXAMPLE_CODEPOINTS = [
  '1f34e',
  '1f34c',
  '1f352',
  '1f349',
  '1f431',
  '1f436',
  '1f98a',
  '1f43c',
  '1f680',
  '1f697',
  '2693',
  '1f3b8',
  '1f4a1',
  '1f3e0',
  '1f333',
  '1f335',
  '1f308',
  '1f381',
  '1f555',
  '1f455',
];

/** Side of the example images: larger than the built-in model's 32 px so Resize and the report have work to do. */
export const EXAMPLE_SIZE = 256;

export type ExampleImage = { stem: string; caption: string; png: Buffer };

/** Renders one emoji as an RGB PNG on white: rasterised at 2x from the SVG, then downscaled (no faint outlines). */
export async function renderExample(style: StyleId, codepoint: string, size = EXAMPLE_SIZE): Promise<ExampleImage> {
  const set = loadIconSet(style);
  const name = set.byCodepoint.get(codepointKey(codepoint));
  if (!name) throw new Error(`${style} has no emoji for ${codepoint}`);
  const png = await sharp(Buffer.from(set.svg(name, size * 2)))
    .flatten({ background: '#ffffff' })
    .resize(size, size, { kernel: 'lanczos3', fit: 'fill' })
    .removeAlpha()
    .png({ compressionLevel: 9 })
    .toBuffer();
  const caption = conceptText(name);
  return { stem: caption.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, ''), caption, png };
}

/** The broken-dataset folder: a few good images and one of each problem the loader and the report must name. */
export async function brokenDatasetFiles(style: StyleId): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const good = await Promise.all(EXAMPLE_CODEPOINTS.slice(0, 6).map((cp) => renderExample(style, cp)));
  for (const img of good) {
    files.set(`${img.stem}.png`, img.png);
    files.set(`${img.stem}.txt`, Buffer.from(`${img.caption}\n`));
  }
  const first = good[0] as ExampleImage;
  files.set('duplicate_of_red_apple.png', first.png);
  files.set('duplicate_of_red_apple.txt', Buffer.from(`${first.caption}\n`));
  files.set('no_caption.png', (await renderExample(style, EXAMPLE_CODEPOINTS[6] as string)).png);
  files.set('truncated.png', first.png.subarray(0, Math.floor(first.png.length / 2)));
  files.set('zero_byte.png', Buffer.alloc(0));
  files.set('text_named_png.png', Buffer.from('This is a text file with a .png name, not an image.\n'));
  files.set('latin1_caption.png', (await renderExample(style, EXAMPLE_CODEPOINTS[7] as string)).png);
  files.set('latin1_caption.txt', Buffer.from('caf\xe9 cr\xe8me panda\n', 'latin1'));
  files.set('tiny.png', (await renderExample(style, EXAMPLE_CODEPOINTS[8] as string, 16)).png);
  files.set('tiny.txt', Buffer.from('rocket, much too small\n'));
  return files;
}
