/** Pivotal tuning on SDXL (the scenario is pivotal-setup.ts's): CLIP-L and bigG rows saved as clip_l / clip_g. */
import { SDXL_CLIP_G_PREFIX, SDXL_CLIP_L_PREFIX } from '../../ml/sd/sdxl-keys';
import { tinySdxlCheckpoint } from './fixtures';
import { pivotalScenario } from './pivotal-setup';

jest.setTimeout(1_500_000); // three tiny SDXL runs and their samples: 3 CPU-minutes, 15 on a loaded 2-core machine

test('SDXL: the trigger trains its own CLIP-L and bigG rows, saved, reloaded and resumed as trained', async () => {
  await pivotalScenario(
    {
      family: 'sdxl',
      tables: [
        { key: 'bundle_emb.xyz_disc.clip_l', table: `${SDXL_CLIP_L_PREFIX}embeddings.token_embedding.weight` },
        { key: 'bundle_emb.xyz_disc.clip_g', table: `${SDXL_CLIP_G_PREFIX}token_embedding.weight` },
      ],
    },
    (root, name) => tinySdxlCheckpoint(root, name, { dtype: 'F16' }),
  );
});
