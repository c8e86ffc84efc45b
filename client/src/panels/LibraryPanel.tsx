/** The server's workflows folder (examples included): click to open in a new tab. */
import { memo, useEffect, useState } from 'react';
import type { WorkflowListing } from '../../../protocol/api';
import { api } from '../api/http';
import { openFromLibrary } from '../actions';

export const LibraryPanel = memo(function LibraryPanel() {
  const [list, setList] = useState<WorkflowListing[]>([]);
  const [error, setError] = useState('');
  const load = (): void => void api.workflows().then(setList, (e: Error) => setError(e.message));
  useEffect(load, []);
  return (
    <div className="library" data-testid="library">
      <h3>
        Workflows <button onClick={load}>↻</button>
      </h3>
      {error && <div className="error-text">{error}</div>}
      <ul>
        {list.map((w) => (
          <li
            key={w.name}
            onClick={() => void openFromLibrary(w.name)}
            title={w.description}
            data-testid={`library-${w.name}`}
          >
            <b>{w.title || w.name}</b> {w.example && <span className="badge">example</span>}
            {w.description && <div className="muted">{w.description}</div>}
          </li>
        ))}
      </ul>
    </div>
  );
});
