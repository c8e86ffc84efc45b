/** Any node output value: images (click to enlarge), other files as download links, reports as tables, text as text. */
import { memo } from 'react';
import { isArtifactRef, type ArtifactRef, type JsonValue } from '../../../protocol/values';
import { artifactUrl, downloadUrl } from '../api/http';
import { enlarge } from '../store/ui';
import { isReport, linesOf, ReportTable } from './ReportTable';
import { isImagesValue, SampleGrid, type SampleItem } from './SampleGrid';

/** Past this many characters the raw JSON view is cut (a dataset of thousands of items). */
const JSON_LIMIT = 20000;

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

/** What a save node returns: the file it wrote. */
type WrittenFile = { path: string; bytes: number };
const isWrittenFile = (v: JsonValue): v is WrittenFile & JsonValue =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.path === 'string' && typeof v.bytes === 'number';

const WrittenFileLink = ({ file }: { file: WrittenFile }) => (
  <a className="file-link" href={downloadUrl(file.path)} download title={file.path} data-testid="output-file">
    ⬇ {file.path.split('/').pop()} <small>({Math.ceil(file.bytes / 1024)} KiB)</small>
    <div className="muted small">{file.path}</div>
  </a>
);

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
  if (isWrittenFile(value)) return <WrittenFileLink file={value} />;
  if (isImagesValue(value)) return <SampleGrid items={value.items as unknown as SampleItem[]} />;
  if (typeof value === 'object') {
    const images = Object.values(value).filter(isArtifactRef);
    // Warnings (skipped files and why) come first, whole: they are what the user must read.
    const warnings = Array.isArray(value) ? [] : linesOf(value.warnings);
    const json = JSON.stringify(value, null, 2);
    return (
      <div>
        {warnings.length > 0 && (
          <ul className="warnings" data-testid="output-warnings">
            {warnings.map((w, i) => (
              <li key={i}>⚠ {w}</li>
            ))}
          </ul>
        )}
        {images.length > 0 && (
          <div className="grid">
            {images.map((a) => (
              <ArtifactView key={a.$artifact} a={a} />
            ))}
          </div>
        )}
        <details>
          <summary>{Array.isArray(value) ? `${value.length} items` : 'details'}</summary>
          <pre className="json">
            {json.length > JSON_LIMIT
              ? `${json.slice(0, JSON_LIMIT)}\n… (${json.length - JSON_LIMIT} more characters)`
              : json}
          </pre>
        </details>
      </div>
    );
  }
  // Text outputs keep their lines (the LoRA check's report: one line per checkpoint x strength, as the CLI prints).
  if (typeof value === 'string')
    return (
      <div className="value text-output" data-testid="output-text">
        {value}
      </div>
    );
  return <span className="value">{String(value)}</span>;
});
