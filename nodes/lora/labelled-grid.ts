/** A grid image with a label on every row and column (sharp composites the tiles under an SVG of the text). */
import sharp from 'sharp';
import { tilesToPng } from '../../ml/corpus/render';

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface GridLabels {
  rows: string[];
  columns: string[];
  /** Optional spans over the columns: [label, first column, count] (e.g. "with the trigger"). */
  spans?: [string, number, number][];
}

/** `tiles` holds rows x columns RGB tiles of `size` px, row-major; returns the labelled PNG. */
export async function labelledGrid(tiles: Uint8Array, size: number, labels: GridLabels, scale = 2): Promise<Buffer> {
  const cols = labels.columns.length;
  const cell = size * scale;
  const labelW = 130;
  const headerH = labels.spans?.length ? 34 : 18;
  const width = labelW + cols * cell;
  const height = headerH + labels.rows.length * cell;
  const chars = Math.max(4, Math.floor(cell / 5.5));
  const text: string[] = [];
  for (const [name, first, count] of labels.spans ?? [])
    text.push(
      `<text x="${labelW + (first + count / 2) * cell}" y="12" text-anchor="middle" font-weight="bold">${escape(name)}</text>`,
    );
  labels.columns.forEach((c, i) =>
    text.push(
      `<text x="${labelW + (i + 0.5) * cell}" y="${headerH - 5}" text-anchor="middle">${escape(cut(c, chars))}</text>`,
    ),
  );
  labels.rows.forEach((r, i) =>
    text.push(`<text x="6" y="${headerH + (i + 0.5) * cell + 4}">${escape(cut(r, 22))}</text>`),
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="10" fill="#222">${text.join('')}</svg>`;
  const grid = await tilesToPng(tiles, size, cols, scale);
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([
      { input: grid, left: labelW, top: headerH },
      { input: Buffer.from(svg), left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
}
