/**
 * An IMAGES value (Sample, LoraGrid) as a labelled grid: a row per LoRA strength row, a column per prompt and seed,
 * images scaled up pixelated; a click opens the viewer on that image with the whole grid a step away.
 */
import { memo, type CSSProperties } from 'react';
import { isArtifactRef, type ArtifactRef, type JsonValue } from '../../../protocol/values';
import { artifactUrl } from '../api/http';
import { enlargeGallery } from '../store/ui';

export interface SampleItem {
  image: ArtifactRef;
  caption: string;
  seed?: number;
}

/** Whether a value is an IMAGES value: `{ kind: 'images', items: [{ image, caption }] }`. */
export function isImagesValue(v: JsonValue | undefined): v is { kind: 'images'; items: JsonValue[] } & JsonValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    v.kind === 'images' &&
    Array.isArray(v.items) &&
    v.items.every((i) => typeof i === 'object' && i !== null && !Array.isArray(i) && isArtifactRef(i.image))
  );
}

export interface GridLayout {
  rows: string[];
  columns: { prompt: string; seed?: number }[];
  /** cells[row][column], undefined where the grid has a hole. */
  cells: (SampleItem | undefined)[][];
}

/** The row label of an item ("lora 0.7"; '' when the grid has one unlabelled row) and its prompt without it. */
function split(item: SampleItem): { row: string; prompt: string } {
  const row = typeof item.image.row === 'string' ? item.image.row : '';
  const suffix = row ? ` [${row}]` : '';
  const prompt = suffix && item.caption.endsWith(suffix) ? item.caption.slice(0, -suffix.length) : item.caption;
  return { row, prompt };
}

/** Lays out items by row label and by (prompt, seed), in the order they first appear. */
export function layoutGrid(items: readonly SampleItem[]): GridLayout {
  const rows: string[] = [];
  const columns: GridLayout['columns'] = [];
  const colKey = (prompt: string, seed?: number): string => `${prompt}\u0000${seed ?? ''}`;
  const colIndex = new Map<string, number>();
  const placed: [number, number, SampleItem][] = [];
  for (const item of items) {
    const { row, prompt } = split(item);
    if (!rows.includes(row)) rows.push(row);
    const key = colKey(prompt, item.seed);
    if (!colIndex.has(key)) colIndex.set(key, columns.push({ prompt, seed: item.seed }) - 1);
    placed.push([rows.indexOf(row), colIndex.get(key)!, item]);
  }
  const cells = rows.map(() => columns.map((): SampleItem | undefined => undefined));
  for (const [r, c, item] of placed) cells[r]![c] = item;
  return { rows, columns, cells };
}

/** What the viewer says about an image: prompt, seed and row. */
export const describeSample = (item: SampleItem): string => {
  const { row, prompt } = split(item);
  return [prompt, item.seed !== undefined ? `seed ${item.seed}` : '', row].filter(Boolean).join(' · ');
};

/** Characters after which a row label may be cut into its shared part and the part that tells rows apart. */
const LABEL_BREAK = /[\s@=×:,+]/;

/**
 * The start every row label shares, cut after a separator ("xyz_style-step00600@"), and what is left of each label
 * ("0.7"): the rows differ only by strength, so that part is what the row header must show whatever its width.
 */
export function splitRowLabels(rows: readonly string[]): { shared: string; distinct: string[] } {
  if (rows.length < 2) return { shared: '', distinct: [...rows] };
  let n = 0;
  const first = rows[0]!;
  while (n < first.length && rows.every((r) => r[n] === first[n])) n++;
  while (n > 0 && !LABEL_BREAK.test(first[n - 1]!)) n--;
  if (rows.some((r) => r.length === n)) return { shared: '', distinct: [...rows] };
  return { shared: first.slice(0, n).trim(), distinct: rows.map((r) => r.slice(n).trim()) };
}

export const SampleGrid = memo(function SampleGrid({ items }: { items: SampleItem[] }) {
  const grid = layoutGrid(items);
  const ordered = grid.cells.flat().filter((x): x is SampleItem => x !== undefined);
  const gallery = ordered.map((i) => ({ url: artifactUrl(i.image.$artifact), label: describeSample(i) }));
  const labelled = grid.rows.some((r) => r !== '');
  const seeds = new Set(grid.columns.map((c) => c.seed)).size > 1;
  const labels = splitRowLabels(grid.rows);
  return (
    <div className="sample-grid-scroll" style={{ '--sample-columns': grid.columns.length } as CSSProperties}>
      {/* Above the grid, not in its corner: the label column is a few characters wide and broke it mid-word. */}
      {labels.shared && (
        <div className="sample-rows-caption" data-testid="sample-rows-shared" title={`Every row: ${labels.shared}`}>
          {labels.shared}
        </div>
      )}
      <table className="sample-grid" data-testid="sample-grid">
        <thead>
          <tr>
            {labelled && <th className="sample-corner" />}
            {grid.columns.map((c, i) => (
              <th key={i} scope="col" data-testid="sample-column">
                {c.prompt}
                {seeds && c.seed !== undefined && <div className="muted">seed {c.seed}</div>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.cells.map((row, r) => (
            <tr key={r}>
              {labelled && (
                <th scope="row" data-testid="sample-row" title={grid.rows[r]}>
                  {labels.distinct[r]}
                </th>
              )}
              {row.map((item, c) => (
                <td key={c}>
                  {item && (
                    <img
                      className="sample"
                      src={artifactUrl(item.image.$artifact)}
                      alt={describeSample(item)}
                      title={describeSample(item)}
                      onClick={() => enlargeGallery(gallery, ordered.indexOf(item))}
                      data-testid="sample-image"
                    />
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
