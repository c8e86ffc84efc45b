/** Library -> Import: choose a kohya / kohya_ss / ai-toolkit config (and the files it names) to open as a workflow. */
import { memo, useRef, type ChangeEvent } from 'react';
import { importFiles } from './importConfig';

function onChoose(e: ChangeEvent<HTMLInputElement>): void {
  const files = [...(e.target.files ?? [])];
  e.target.value = ''; // choosing the same file again imports it again
  void importFiles(files);
}

const TITLE =
  'Import a kohya sd-scripts .toml (select its dataset config and prompts file too), ' +
  'a kohya_ss .json or an ai-toolkit .yaml';

export const ImportConfigButton = memo(function ImportConfigButton() {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button onClick={() => input.current?.click()} title={TITLE} data-testid="import-config">
        Import
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept=".toml,.json,.yaml,.yml,.txt"
        onChange={onChoose}
        hidden
        data-testid="import-config-input"
      />
    </>
  );
});
