/** An enlarged image over everything; click or Esc closes it. */
import { memo } from 'react';
import { useStore } from '../store/createStore';
import { enlarge, uiStore } from '../store/ui';

export const ImageViewer = memo(function ImageViewer() {
  const image = useStore(uiStore, (s) => s.enlarged);
  if (!image) return null;
  return (
    <div className="viewer" onClick={() => enlarge(undefined)} data-testid="image-viewer">
      <img src={image.url} alt={image.label} />
      <div className="caption">{image.label}</div>
    </div>
  );
});
