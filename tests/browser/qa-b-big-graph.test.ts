/**
 * QA (helper B): a 3000-node workflow took 15-29 s to open: fitted whole into view (zoom 0.05, where no node can
 * be read), every node stayed in the page, and each style, layout and paint pass went over all of them. A graph of
 * more than 1000 nodes now opens at a zoom of at least 0.25 and renders only the nodes in view
 * (bench/editor-open.ts for the figures); zooming out brings the others in.
 *
 *   d0 -> d1 -> … -> d2999 (Delay), 50 per row
 */
import type { Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { newEditorPage, putWorkflow, useServerAndBrowser, withScreenshot } from './harness';

jest.setTimeout(180_000);

const env = useServerAndBrowser();
let page: Page;
beforeEach(async () => {
  page = await newEditorPage(env.browser);
});
afterEach(async () => {
  await page.context().close();
});

const N = 3000;
const wf: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Big graph',
  nodes: Array.from({ length: N }, (_, i) => ({
    id: `d${i}`,
    type: 'Delay',
    params: { ms: 1, steps: 1 },
    position: { x: (i % 50) * 280, y: Math.floor(i / 50) * 220 },
  })),
  edges: Array.from({ length: N - 1 }, (_, i) => ({
    id: `e${i}`,
    from: { node: `d${i}`, socket: 'value' },
    to: { node: `d${i + 1}`, socket: 'value' },
  })),
  groups: [],
  notes: [],
};

const inPage = (): Promise<number> => page.evaluate<number>(`document.querySelectorAll('.react-flow__node').length`);
const zoom = (): Promise<number> =>
  page.evaluate<number>(
    `Number(/scale\\(([\\d.]+)\\)/.exec(document.querySelector('.react-flow__viewport').style.transform)[1])`,
  );

test('a 3000-node workflow opens at a readable zoom with only the nodes in view in the page', async () => {
  await withScreenshot(page, 'big-graph', async () => {
    await putWorkflow(env.server, 'big-graph', wf);
    await page.goto(env.server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-big-graph]');
    await page.waitForFunction(
      `(() => {
        const n = document.querySelectorAll('.react-flow__node').length;
        const t = document.querySelector('.react-flow__viewport')?.style.transform ?? '';
        return !t.includes('scale(1)') && n > 20 && n < 1000 && document.querySelectorAll('.react-flow__edge').length > 0;
      })()`,
      undefined,
      { timeout: 60_000 },
    );
    expect(await zoom()).toBeGreaterThanOrEqual(0.25);
    const shown = await inPage();
    expect(shown).toBeGreaterThan(20);
    // Zooming out shows more of the graph.
    await page.mouse.move(500, 400);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 400);
    await page.waitForFunction(`document.querySelectorAll('.react-flow__node').length > ${shown}`, undefined, {
      timeout: 30_000,
    });
  });
});
