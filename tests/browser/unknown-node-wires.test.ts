/**
 * QA S8-F7: a shared workflow with a node of a type this loraflow does not have (a ComfyUI node, a newer version's)
 * kept its wires in the file, but the node drew no sockets, so the wire into ShowImages was invisible: ShowImages
 * said "expected one connection, received 2" with one wire in sight, and only deleting the unknown node removed it.
 * The unknown node now shows the sockets its wires name; the wire is drawn, and selecting it and pressing Delete
 * removes it. In Chromium against a real server.
 *
 *   alien: ComfyAlienNode --images--> show: ShowImages <--images-- ft: FakeTrain
 */
import type { WorkflowFile } from '../../protocol/workflow';
import { newEditorPage, openFromLibrary, startEditorSession, withScreenshot, type EditorSession } from './harness';

let session: EditorSession;

const workflow: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Alien wire',
  nodes: [
    { id: 'alien', type: 'ComfyAlienNode', params: {}, position: { x: 0, y: 0 } },
    { id: 'ft', type: 'FakeTrain', params: { steps: 3, delay_ms: 0, lr: 0.0001, seed: 1 }, position: { x: 0, y: 300 } },
    { id: 'show', type: 'ShowImages', params: {}, position: { x: 500, y: 100 } },
  ],
  edges: [
    { id: 'e-alien', from: { node: 'alien', socket: 'IMAGE' }, to: { node: 'show', socket: 'images' } },
    { id: 'e-ft', from: { node: 'ft', socket: 'images' }, to: { node: 'show', socket: 'images' } },
  ],
  groups: [],
  notes: [],
};

beforeAll(async () => {
  session = await startEditorSession({ 'alien-wire': workflow });
}, 120000);
afterAll(() => session?.close());

test("an unknown node's wire is drawn from a socket of its own and can be deleted", async () => {
  const page = await newEditorPage(session.browser);
  await withScreenshot(page, 'unknown-node-wires', async () => {
    await openFromLibrary(page, session.server, 'alien-wire', 'alien');
    await page.waitForSelector('[data-testid=unknown-alien]');
    await page.waitForSelector('[data-testid=node-alien] [data-testid=handle-output-IMAGE]');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 2);

    await page.click('.react-flow__edge[data-id="e-alien"] .react-flow__edge-interaction', { force: true });
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 1);
    expect(await page.locator('.react-flow__edge[data-id="e-ft"]').count()).toBe(1);
    // The node keeps no socket for a wire that is gone.
    expect(await page.locator('[data-testid=node-alien] [data-testid=handle-output-IMAGE]').count()).toBe(0);
  });
  await page.context().close();
}, 90000);
