/** Any node output value: images (click to enlarge), other files as download links, reports as tables, text as text. */
import { memo } from 'react';
import { isArtifactRef, type ArtifactRef, type JsonValue } from '../../../protocol/values';
import { artifactUrl } from '../api/http';
import { enlarge } from '../store/ui';
import { isReport, ReportTable } from './ReportTable';

const ArtifactView = memo(function ArtifactView({ a }: { a: ArtifactRef }) {
  const url = artifactUrl(a.$artifact);
  if (a.mime.startsWith('image/')) {
    return (
      <img
        className="thumb"
        src={url}
        alt={a.name}
        title={a.name}
        onClick={() => enlarge(url, a.name)}
        data-testid="output-image"
      />
    );
  }
  return (
    <a className="file-link" href={url} download={a.name} data-testid="output-file">
      ⬇ {a.name} <small>({Math.ceil(a.bytes / 1024)} KiB)</small>
    </a>
  );
});

export const OutputValue = memo(function OutputValue({ value }: { value: JsonValue | undefined }) {
  if (value === undefined || value === null) return <span className="muted">—</span>;
  if (isArtifactRef(value)) return <ArtifactView a={value} />;
  if (Array.isArray(value) && value.length > 0 && value.every(isArtifactRef)) {
    return (
      <div className="grid">
        {(value as ArtifactRef[]).map((a) => (
          <ArtifactView key={a.$artifact + a.name} a={a} />
        ))}
      </div>
    );
  }
  if (isReport(value)) return <ReportTable report={value} />;
  if (typeof value === 'object') {
    const images = Object.values(value).filter(isArtifactRef);
    return (
      <div>
        {images.length > 0 && (
          <div className="grid">
            {images.map((a) => (
              <ArtifactView key={a.$artifact} a={a} />
            ))}
          </div>
        )}
        <details>
          <summary>{Array.isArray(value) ? `${value.length} items` : 'details'}</summary>
          <pre className="json">{JSON.stringify(value, null, 2).slice(0, 4000)}</pre>
        </details>
      </div>
    );
  }
  return <span className="value">{String(value)}</span>;
});
