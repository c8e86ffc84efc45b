/**
 * `npx tsx scripts/template-pictures.ts [template...]`: runs the gallery's templates that work on the example
 * datasets, with the built-in model, and keeps a small picture of each one's result (its grid output) in
 * workflows/templates/pictures/<name>.png, which the gallery shows on the template's card. Only what the model
 * drew is kept (dataset preparation's result would be the Twemoji images themselves); templates that need the
 * user's own images (character, object, likeness) or LoRAs (stacking two) have no result to show until then: their
 * card draws the graph. Run `npm run examples` first; LORAFLOW_DATA chooses the data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { isArtifactRef } from '../protocol/values';
import { parseWorkflow } from '../protocol/workflow-io';
import { resolveConfig } from '../server/config';
import { createRuntime } from '../server/queue';

const REPO = path.resolve(__dirname, '..');
const PICTURES = path.join(REPO, 'workflows/templates/pictures');
/** The card is about 300 px wide: twice that is sharp on any screen and keeps each file small. */
const MAX_WIDTH = 600;
/** A re-tiled grid's tiles: twice the emoji model's 32 px, so that every pixel stays square. */
const TILE = 64;

interface ResultSpec {
  file: string;
  /** The node whose grid output shows the result. */
  node: string;
  /** A grid of square tiles `from` wide, laid out again `to` wide (a tall grid would be a sliver on the card). */
  retile?: { from: number; to: number };
}

const RESULTS: Record<string, ResultSpec> = {
  'quickstart-style-lora': { file: 'workflows/quickstart-style-lora.json', node: 'sample' },
  // Rows are checkpoint × strength, columns the two prompts: each checkpoint's three strengths become one row.
  'checkpoint-strength-grid': {
    file: 'workflows/templates/checkpoint-strength-grid.json',
    node: 'grid',
    retile: { from: 2, to: 6 },
  },
};

/** Lays a grid of square tiles, `from` to a row, out again with `to` to a row (same order). */
async function retile(file: string, from: number, to: number): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(file).metadata();
  const size = Math.floor(width / from);
  const count = from * Math.floor(height / size);
  const tiles = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp(file)
        .extract({ left: (i % from) * size, top: Math.floor(i / from) * size, width: size, height: size })
        .toBuffer(),
    ),
  );
  return sharp({
    create: { width: to * size, height: Math.ceil(count / to) * size, channels: 3, background: '#ffffff' },
  })
    .composite(tiles.map((input, i) => ({ input, left: (i % to) * size, top: Math.floor(i / to) * size })))
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(RESULTS);
  const runtime = createRuntime(resolveConfig(), { adoptExisting: false });
  try {
    for (const name of names) {
      const spec = RESULTS[name];
      if (!spec) throw new Error(`no result picture is made for "${name}" (known: ${Object.keys(RESULTS).join(', ')})`);
      const { workflow } = parseWorkflow(fs.readFileSync(path.join(REPO, spec.file), 'utf8'));
      const submitted = runtime.queue.submit(workflow);
      if (!submitted.ok) throw new Error(`${name}: ${JSON.stringify(submitted)}`);
      process.stdout.write(`${name}: running (run ${submitted.id})…\n`);
      const final = await runtime.queue.waitFor(submitted.id);
      const grid = runtime.queue.detail(submitted.id)?.nodes[spec.node]?.outputs?.grid;
      if (final.status !== 'succeeded' || !isArtifactRef(grid))
        throw new Error(`${name}: the run ended ${final.status} without a grid from node "${spec.node}"`);
      const source = runtime.env.artifacts.pathOf(grid);
      const png = await sharp(spec.retile ? await retile(source, spec.retile.from, spec.retile.to) : source)
        .resize({ width: spec.retile ? spec.retile.to * TILE : MAX_WIDTH, withoutEnlargement: true, kernel: 'nearest' })
        .png({ palette: true, compressionLevel: 9 })
        .toBuffer();
      fs.mkdirSync(PICTURES, { recursive: true });
      const out = path.join(PICTURES, `${name}.png`);
      fs.writeFileSync(`${out}.tmp`, png);
      fs.renameSync(`${out}.tmp`, out);
      process.stdout.write(`${name}: ${path.relative(REPO, out)} (${(png.length / 1024).toFixed(0)} KiB)\n`);
    }
  } finally {
    await runtime.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`template-pictures failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
