/**
 * Importing a kohya config in the editor as a user does: Library -> Import, choosing the sd-scripts TOML with its
 * dataset config and prompts file; or dropping an ai-toolkit YAML on the canvas. The workflow opens in a new tab
 * with the mapped values on its nodes, and the summary shows (toast and note).
 *
 *   LoadImages ─> Caption ─> Resize ─> TrainLoRA ─┬─> Sample, Sample
 *   LoadModel ───────────────┴─────────┘          └─> SaveCheckpoint
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { useServerAndBrowser, withScreenshot } from './harness';

const FIXTURES = path.resolve(__dirname, '../fixtures/interop');

const editor = useServerAndBrowser();
let page: Page;

beforeEach(async () => {
  page = await (await editor.browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
  page.setDefaultTimeout(20000);
  await page.goto(editor.server.url);
});

afterEach(async () => {
  await page.context().close();
});

const value = (nodeId: string, param: string) => page.inputValue(`[data-testid=param-${nodeId}-${param}]`);

test('Library -> Import of an sd-scripts TOML opens a tab whose TrainLoRA carries the mapped values', async () => {
  await withScreenshot(page, 'import-kohya-toml', async () => {
    await page.click('[data-testid=side-library]');
    await page.setInputFiles(
      '[data-testid=import-config-input]',
      ['sdxl-character.toml', 'sdxl-character_dataset.toml', 'sdxl-character_prompts.txt'].map((f) =>
        path.join(FIXTURES, f),
      ),
    );
    // The welcome tab has a TrainLoRA too: wait for the imported tab (its toast and its second Sample node).
    await page.waitForSelector('[data-testid=toast]:has-text("Imported sdxl-character.toml")');
    await page.waitForSelector('[data-testid=node-sample2]');
    expect(await value('train', 'rank')).toBe('32');
    expect(await value('train', 'alpha')).toBe('16');
    expect(Number(await value('train', 'learningRate'))).toBe(0.0002);
    expect(await value('train', 'steps')).toBe('1500');
    expect(await value('images', 'repeats')).toBe('10');
    expect(await value('images', 'folder')).toBe('datasets/sks_woman');
    expect(await value('caption', 'trigger')).toBe('sks woman');
    // What TrainLoRA cannot take is listed by name; noise_offset is a TrainLoRA parameter now, so it is not.
    const summary = await page.textContent('[data-testid=note-import-summary]');
    expect(summary).toMatch(/Not supported, ignored: .*mixed_precision = "bf16"/);
    expect(summary).not.toMatch(/noise_offset/);
  });
});

test('dropping an ai-toolkit YAML on the canvas imports it with its trigger word', async () => {
  await withScreenshot(page, 'import-drop-yaml', async () => {
    await page.waitForSelector('[data-testid=canvas]');
    const text = fs.readFileSync(path.join(FIXTURES, 'aitoolkit-flux.yaml'), 'utf8');
    await page.evaluate((yaml) => {
      const dt = new DataTransfer();
      dt.items.add(new File([yaml], 'aitoolkit-flux.yaml', { type: 'application/yaml' }));
      const canvas = document.querySelector('[data-testid=canvas]')!;
      canvas.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, text);
    await page.waitForSelector('[data-testid=toast]:has-text("Imported aitoolkit-flux.yaml")');
    await page.waitForSelector('.tab.active:has-text("p3r5on_flux")');
    expect(await value('train', 'trigger')).toBe('p3r5on');
    expect(await value('train', 'steps')).toBe('2000');
  });
});
