/** Thumbnails and the contact-sheet grid the report shows. */
import sharp from 'sharp';

/** A square thumbnail (letterboxed on grey) as PNG. */
export async function thumbnail(path: string, size: number): Promise<Buffer> {
  return sharp(path)
    .resize({ width: size, height: size, fit: 'contain', background: '#808080', kernel: 'lanczos3' })
    .png()
    .toBuffer();
}

/** Lays square PNG thumbnails out in rows of `columns`, with a gap, on a dark background. */
export async function contactSheet(thumbs: Buffer[], size: number, columns = 8, gap = 4): Promise<Buffer> {
  const cols = Math.max(1, Math.min(columns, thumbs.length));
  const rows = Math.max(1, Math.ceil(thumbs.length / cols));
  return sharp({
    create: { width: cols * (size + gap) + gap, height: rows * (size + gap) + gap, channels: 3, background: '#202020' },
  })
    .composite(
      thumbs.map((input, i) => ({
        input,
        left: gap + (i % cols) * (size + gap),
        top: gap + Math.floor(i / cols) * (size + gap),
      })),
    )
    .png()
    .toBuffer();
}
