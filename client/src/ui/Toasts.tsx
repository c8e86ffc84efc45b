/** The toast stack. */
import { memo } from 'react';
import { useStore } from '../store/createStore';
import { toastsStore } from '../store/toasts';

export const Toasts = memo(function Toasts() {
  const toasts = useStore(toastsStore, (s) => s);
  return (
    <div className="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} data-testid="toast">
          {t.text}
        </div>
      ))}
    </div>
  );
});
