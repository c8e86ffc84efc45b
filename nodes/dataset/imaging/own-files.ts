/**
 * loraflow's own data folder is not a dataset: it holds the samples and previews a run drew (artifacts/), the
 * training checkpoints and cached images (work/), the run history (loraflow.db). A LoadImages folder that is the
 * data folder, or inside artifacts/ or work/, would train on them; a folder above it reads them with "Include
 * subfolders" (QA helper B). The data folder is known by what loraflow puts there, so the check needs no
 * configuration and holds on a worker too.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** loraflow's own folders under the data folder that hold files it made (samples, checkpoints, cached images). */
const OWN_FOLDERS = ['artifacts', 'work'];

const isDir = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;

/** Whether `dir` (a real path) is a loraflow data folder: its run history, or its artifacts and work folders. */
export function isLoraflowDataFolder(dir: string): boolean {
  return existsSync(join(dir, 'loraflow.db')) || (isDir(join(dir, 'artifacts')) && isDir(join(dir, 'work')));
}

/**
 * Why the folder `real` (a real path) cannot be a folder of training images, or undefined when it can: it is a data
 * folder, or inside one's artifacts/ or work/. Folders of the user's in the data folder (examples/, uploads/, their
 * own) are fine.
 */
export function ownFilesProblem(real: string): string | undefined {
  if (isLoraflowDataFolder(real))
    return (
      `"${real}" is loraflow's data folder: it holds loraflow's own samples, checkpoints and cached images, ` +
      'which would be trained on; choose a folder of training images (e.g. a folder of its own inside it)'
    );
  for (let child = real, dir = dirname(real); dir !== child; child = dir, dir = dirname(dir))
    if (OWN_FOLDERS.includes(basename(child)) && isLoraflowDataFolder(dir))
      return (
        `"${real}" is inside loraflow's ${basename(child)} folder (${child}), its own samples, checkpoints and ` +
        'cached images, not training images; choose a folder of training images'
      );
  return undefined;
}
