/**
 * `loraflow serve --data <data> --allow <datasets> --models <ComfyUI>` (a user with their own checkpoint, QA-SD S8):
 * every folder the editor's model pickers offer (GET /api/models) must be one a node may use. loraflow's own
 * <data>/models and <data>/loras were offered but were outside the allowed folders once --allow was given, so
 * choosing <data>/loras in Save LoRA was refused ("is outside the allowed folders").
 */
import fs from 'node:fs';
import path from 'node:path';
import { get, startServer, tempDir, type ServerProcess } from './harness';

jest.setTimeout(60_000);

let server: ServerProcess | undefined;
afterAll(async () => server?.stop());

test('every folder the pickers offer is allowed when --allow names only a dataset folder', async () => {
  const data = tempDir();
  const datasets = tempDir();
  const comfy = tempDir();
  for (const dir of ['models/checkpoints', 'models/loras']) fs.mkdirSync(path.join(comfy, dir), { recursive: true });
  server = await startServer(data, ['--allow', datasets, '--models', comfy]);
  const models = await get(`${server.url}/api/models`);
  const folders = (models.body.folders as { path: string; source: string }[]).map((f) => f.path);
  expect(folders).toContain(path.join(data, 'loras'));
  for (const folder of folders) {
    const listing = await get(`${server.url}/api/files?path=${encodeURIComponent(folder)}`);
    expect({ folder, status: listing.status, error: listing.body.message }).toEqual({
      folder,
      status: 200,
      error: undefined,
    });
  }
  // Relative paths still start at the first --allow folder.
  expect(server.output()).toContain(`allowed folders ${datasets}`);
});
