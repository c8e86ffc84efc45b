/**
 * QA S6-F4: Save as `abc\u202Eevil` kept the bidi override in the workflow's name, and the tab and the Library
 * list showed it as "abclive". Names and descriptions of workflow files, which anyone may share, are now shown
 * with such characters spelled out (⟨U+202E⟩); parameters still refuse them (validate.ts).
 */
import { render, screen } from '@testing-library/react';
import { showHiddenCharacters } from '../../protocol/visible-text';
import { TabBar } from '../../client/src/ui/TabBar';
import { activeTab, editorStore, initialEditorState, openTab } from '../../client/src/store/editor';
import { quickStart } from './fixtures';

test('a bidi override or a control character is spelled out; emoji joiners and other text are kept', () => {
  expect(showHiddenCharacters('abc\u202Eevil')).toBe('abc⟨U+202E⟩evil');
  expect(showHiddenCharacters('tab\there\u0000')).toBe('tab⟨U+0009⟩here⟨U+0000⟩');
  expect(showHiddenCharacters('👩\u200D💻 日本 語')).toBe('👩\u200D💻 日本 語');
});

test('the tab of a workflow named "abc\\u202Eevil" reads abc⟨U+202E⟩evil, not abclive', () => {
  editorStore.replace(initialEditorState());
  openTab({ ...quickStart(), name: 'abc\u202Eevil' });
  render(<TabBar />);
  const tab = screen.getByTestId(`tab-${activeTab().id}`);
  expect(tab.textContent).toContain('abc⟨U+202E⟩evil');
  expect(tab.textContent).not.toContain('\u202E');
});
