/**
 * An enlarged image over everything: small images are scaled up pixelated (a 32 px sample is unreadable at its own
 * size), arrows or ←/→ step through the images it was opened with, the caption says what each one is.
 * Click outside the image or press Esc to close.
 */
import { memo, useEffect } from 'react';
import { useStore } from '../store/createStore';
import { enlarge, stepViewer, uiStore } from '../store/ui';

export const ImageViewer = memo(function ImageViewer() {
  const viewer = useStore(uiStore, (s) => s.enlarged);
  const open = viewer !== undefined;
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'ArrowRight') stepViewer(1);
      else if (e.key === 'ArrowLeft') stepViewer(-1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  const image = viewer?.images[viewer.index];
  if (!viewer || !image) return null;
  const many = viewer.images.length > 1;
  return (
    <div className="viewer" onClick={() => enlarge(undefined)} data-testid="image-viewer">
      <div className="viewer-stage" onClick={(e) => e.stopPropagation()}>
        {many && (
          <button className="viewer-step" onClick={() => stepViewer(-1)} title="Previous (←)" data-testid="viewer-prev">
            ‹
          </button>
        )}
        <img src={image.url} alt={image.label} data-testid="viewer-image" />
        {many && (
          <button className="viewer-step" onClick={() => stepViewer(1)} title="Next (→)" data-testid="viewer-next">
            ›
          </button>
        )}
      </div>
      <div className="caption" data-testid="viewer-caption">
        {image.label}
        {many && <span className="muted"> · {`${viewer.index + 1} / ${viewer.images.length}`}</span>}
      </div>
    </div>
  );
});
