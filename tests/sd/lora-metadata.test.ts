/** The base checkpoint's hashes as A1111 and kohya compute them, and the SD 1.5 metadata of a LoRA file. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkpointHashes } from '../../ml/sd/hash';
import { sd15LoraMetadata } from '../../ml/sd/lora-metadata';
import { openSdCheckpoint } from '../../ml/sd/checkpoint';
import { tempDir, tinyCheckpoint } from './fixtures';

const dir = tempDir('sd-hash');

describe('checkpoint hashes', () => {
  it("computes A1111's legacy hash (64 KiB at 0x100000) and the full sha256 of a file", async () => {
    const path = await tinyCheckpoint(dir, 'h.safetensors', { dtype: 'F16', extras: false });
    const bytes = readFileSync(path);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const ckpt = openSdCheckpoint(path);
    const h = await checkpointHashes(ckpt.files);
    ckpt.close();
    expect(h.sha256).toBe(sha(bytes));
    expect(h.legacy).toBe(sha(bytes.subarray(0x100000, 0x110000)).slice(0, 8));
    expect(h.autoV2).toBe(h.sha256.slice(0, 10));
  });

  it('hashes a diffusers folder by its three weight files, so editing one changes it', async () => {
    const folder = await tinyCheckpoint(dir, 'folder', { layout: 'diffusers', dtype: 'F16' });
    const other = await tinyCheckpoint(dir, 'folder-seed-1', { layout: 'diffusers', dtype: 'F16', seed: 1 });
    const files = (p: string) => {
      const c = openSdCheckpoint(p);
      c.close();
      return c.files;
    };
    expect(files(folder).map((f) => f.slice(folder.length + 1))).toEqual([
      'unet/diffusion_pytorch_model.safetensors',
      'text_encoder/model.safetensors',
      'vae/diffusion_pytorch_model.safetensors',
    ]);
    expect((await checkpointHashes(files(folder))).sha256).not.toBe((await checkpointHashes(files(other))).sha256);
  });
});

describe('SD 1.5 LoRA metadata', () => {
  it("marks the file as SD 1.5 the way kohya does, with the base model's hashes", () => {
    const m = sd15LoraMetadata({
      base: {
        name: 'v1-5-pruned-emaonly',
        hashes: { sha256: 'ab'.repeat(32), legacy: '12345678', autoV2: 'ababababab' },
      },
      title: 'xyz style',
      resolution: 512,
      rank: 32,
      alpha: 16,
      conv: { rank: 8, alpha: 1 },
      textEncoder: false,
      trigger: 'xyz_style',
    });
    expect(m).toMatchObject({
      ss_base_model_version: 'sd_v1',
      'modelspec.architecture': 'stable-diffusion-v1/lora',
      ss_sd_model_hash: '12345678',
      ss_new_sd_model_hash: 'ab'.repeat(32),
      ss_network_dim: '32',
      ss_network_alpha: '16',
      ss_network_train_unet_only: 'True',
      'modelspec.resolution': '512x512',
      'modelspec.trigger_phrase': 'xyz_style',
    });
    expect(JSON.parse(m.ss_network_args!)).toEqual({ conv_dim: '8', conv_alpha: '1' });
    expect(Object.values(m).every((v) => typeof v === 'string')).toBe(true);
  });
});
