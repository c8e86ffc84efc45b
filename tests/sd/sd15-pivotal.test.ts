/** Pivotal tuning on SD 1.5 (the scenario is pivotal-setup.ts's): CLIP-L rows saved as A1111's string_to_param. */
import { CLIP_PREFIX } from '../../ml/sd/clip';
import { tinyCheckpoint } from './fixtures';
import { pivotalScenario } from './pivotal-setup';

jest.setTimeout(900_000);

test('SD 1.5: the trigger trains its own CLIP rows, saved, reloaded and resumed as trained', async () => {
  await pivotalScenario(
    {
      family: 'sd15',
      tables: [
        { key: 'bundle_emb.xyz_disc.string_to_param.*', table: `${CLIP_PREFIX}embeddings.token_embedding.weight` },
      ],
    },
    (root, name) => tinyCheckpoint(root, name, { dtype: 'F16' }),
  );
});
