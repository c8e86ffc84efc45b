/** Real image files made with sharp for the dataset tests: every format, and every way a file can be broken. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';

type Rgb = { r: number; g: number; b: number };

/** A solid-colour image with a darker band on its left, so orientation can be checked. */
export function marked(width: number, height: number, color: Rgb): Sharp {
  const band = Buffer.alloc(Math.max(1, Math.floor(width / 4)) * height * 3, 0);
  return sharp({ create: { width, height, channels: 3, background: color } }).composite([
    { input: band, raw: { width: Math.max(1, Math.floor(width / 4)), height, channels: 3 }, left: 0, top: 0 },
  ]);
}

/** Noise-textured image (sharp detail) of the given size, deterministic for a seed. */
export function noise(width: number, height: number, seed = 1): Sharp {
  const data = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}

export function write(path: string, data: Buffer | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return path;
}

const RED = { r: 220, g: 30, b: 30 };

/** Writes one image per supported format plus the special cases into `dir`; returns the file names. */
export async function writeFormatZoo(dir: string): Promise<void> {
  const base = () => marked(32, 16, RED);
  write(join(dir, 'a_jpg.jpg'), await base().jpeg().toBuffer());
  write(join(dir, 'b_jpeg.jpeg'), await base().jpeg().toBuffer());
  write(join(dir, 'c_png.png'), await base().png().toBuffer());
  write(join(dir, 'd_webp.webp'), await base().webp().toBuffer());
  write(join(dir, 'e_gif.gif'), await base().gif().toBuffer());
  write(join(dir, 'f_tiff.tiff'), await base().tiff().toBuffer());
  write(join(dir, 'g_avif.avif'), await base().avif().toBuffer());
  // EXIF orientation 6: stored 32x16, shown rotated 90° clockwise as 16x32.
  write(join(dir, 'h_exif.jpg'), await base().jpeg().withMetadata({ orientation: 6 }).toBuffer());
  write(join(dir, 'i_cmyk.jpg'), await base().toColourspace('cmyk').jpeg().toBuffer());
  write(join(dir, 'j_16bit.png'), await base().toColourspace('rgb16').png().toBuffer());
  write(join(dir, 'k_grey.png'), await base().toColourspace('b-w').png().toBuffer());
  const transparent = await sharp({
    create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0 } },
  })
    .png()
    .toBuffer();
  write(join(dir, 'l_alpha.png'), transparent);
}

/** Writes the broken files: truncated PNG and JPEG, zero-byte, a text file named .png, a non-UTF-8 caption. */
export async function writeBrokenFiles(dir: string): Promise<void> {
  const png = await noise(64, 64).png().toBuffer();
  write(join(dir, 'truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
  const jpg = await noise(64, 64).jpeg().toBuffer();
  write(join(dir, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
  write(join(dir, 'empty.png'), Buffer.alloc(0));
  write(join(dir, 'notes.png'), 'these are my notes, not an image\n');
  write(join(dir, 'latin1.png'), await marked(16, 16, RED).png().toBuffer());
  write(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x63, 0x72, 0xe8, 0x6d, 0x65])); // "café crème" in Latin-1
}

/** A photo-like image: smooth shapes (stable under recompression, so near-duplicates are found) plus fine grain. */
export function pattern(width: number, height: number, seed = 1): Sharp {
  const data = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const grain = ((s >>> 24) - 128) / 4;
      const base = 128 + 90 * Math.sin((x + seed * 37) / (width / 7)) * Math.cos((y - seed * 11) / (height / 5));
      for (let c = 0; c < 3; c++)
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + grain + c * 10)));
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}
