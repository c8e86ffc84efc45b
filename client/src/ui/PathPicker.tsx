/**
 * A folder/file browser over GET /api/files, starting at the allowed roots; picking sets the node's parameter.
 * Names show bidi and control characters spelled out: a downloaded dataset may hold "evil\u202Egnp.exe".
 */
import { memo, useEffect, useState } from 'react';
import type { FileListing } from '../../../protocol/api';
import { showHiddenCharacters } from '../../../protocol/visible-text';
import { api } from '../api/http';
import { setParam } from '../graph/edits';
import { workflowPath } from '../graph/paths';
import { useStore } from '../store/createStore';
import { edit } from '../store/editor';
import { openPicker, uiStore } from '../store/ui';

/** PyTorch pickles, which loraflow does not load (ml/sd/checkpoint.ts); a model picker shows them greyed, with why. */
const PICKLE = /\.(ckpt|pt|pth|bin|pkl)$/i;
const pickleNote = (name: string): string =>
  `${/\.[^.]*$/.exec(name)?.[0].toLowerCase() ?? ''} (pickle) files are not loaded because they can run code: convert to .safetensors`;

const join = (dir: string, name: string): string => (dir.endsWith('/') ? dir + name : `${dir}/${name}`);
const parent = (p: string): string => p.replace(/\/[^/]+\/?$/, '') || '/';

export const PathPicker = memo(function PathPicker() {
  const picker = useStore(uiStore, (s) => s.picker);
  const [roots, setRoots] = useState<string[]>([]);
  const [listing, setListing] = useState<FileListing | undefined>();
  const [error, setError] = useState('');
  const go = (path: string): void => {
    setError('');
    api.files(path).then(setListing, (e: Error) => setError(e.message));
  };
  useEffect(() => {
    if (!picker) return;
    api.roots().then(
      (r) => {
        setRoots(r.roots);
        go(picker.start || r.roots[0] || '');
      },
      (e: Error) => setError(e.message),
    );
  }, [picker]);
  if (!picker) return null;
  const choose = (path: string): void => {
    edit(setParam(picker.nodeId, picker.param, workflowPath(path, roots)));
    openPicker(undefined);
  };
  const atRoot = listing ? roots.includes(listing.path) : true;
  return (
    <div className="palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && openPicker(undefined)}>
      <div className="picker" data-testid="path-picker">
        <div className="picker-roots">
          {roots.map((r) => (
            <button key={r} onClick={() => go(r)}>
              {r}
            </button>
          ))}
        </div>
        <div className="picker-path">{listing && showHiddenCharacters(listing.path)}</div>
        {error && <div className="error-text">{error}</div>}
        <ul>
          {!atRoot && listing && <li onClick={() => go(parent(listing.path))}>⬑ ..</li>}
          {listing?.entries.map((e) => {
            const refused = picker.models !== undefined && e.kind === 'file' && PICKLE.test(e.name);
            return (
              <li
                key={e.name}
                className={refused ? 'muted' : undefined}
                style={refused ? { cursor: 'not-allowed' } : undefined}
                title={refused ? pickleNote(e.name) : undefined}
                onClick={() =>
                  e.kind === 'folder'
                    ? go(join(listing.path, e.name))
                    : picker.pathKind !== 'folder' && !refused && choose(join(listing.path, e.name))
                }
                data-testid={`picker-entry-${e.name}`}
              >
                {e.kind === 'folder' ? '📁' : '📄'} {showHiddenCharacters(e.name)}
                {refused && <small data-testid={`picker-refused-${e.name}`}> — {pickleNote(e.name)}</small>}
              </li>
            );
          })}
        </ul>
        <div className="picker-actions">
          {picker.pathKind !== 'file' && listing && (
            <button className="primary" onClick={() => choose(listing.path)} data-testid="picker-choose">
              Use this folder
            </button>
          )}
          <button onClick={() => openPicker(undefined)}>Cancel</button>
        </div>
      </div>
    </div>
  );
});
