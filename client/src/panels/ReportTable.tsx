/**
 * A REPORT value rendered generically: scalar fields as a list, `rows` as a table (columns from the keys, images as
 * thumbnails), and every other field as readable lines. Reports come from many nodes, so no field's shape is
 * assumed: `advice` is a list of sentences for one node and an object of numbers and messages for DatasetReport
 * (shown as its messages only).
 */
import { memo } from 'react';
import { isArtifactRef, type ArtifactRef, type JsonValue } from '../../../protocol/values';
import { artifactUrl } from '../api/http';
import { enlarge } from '../store/ui';

export type ReportValue = {
  rows: Record<string, JsonValue>[];
  [k: string]: JsonValue | undefined;
};

/** Whether a value looks like a report (an object with a `rows` array of objects). */
export function isReport(v: JsonValue | undefined): v is ReportValue & { [k: string]: JsonValue } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Array.isArray(v.rows) &&
    v.rows.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))
  );
}

const cell = (v: JsonValue | undefined): string =>
  v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** A value as lines a person reads: sentences stay sentences, `{message}` objects give their message, others key: value. */
export function linesOf(v: JsonValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => linesOf(x));
  if (typeof v !== 'object') return [String(v)];
  if (isArtifactRef(v)) return [];
  if (typeof v.message === 'string') return [v.message];
  if (typeof v.id === 'string' && Array.isArray(v.reasons)) return [`${v.id}: ${linesOf(v.reasons).join('; ')}`];
  // An object with sentences (DatasetReport's advice) is shown as those sentences only: its raw keys
  // (countVerdict: good, stepsRange: 2000 – 2500) repeat them in a form only the code reads.
  const entries = Object.entries(v);
  const messages = entries.filter(([k, x]) => /message$/i.test(k) && typeof x === 'string').map(([, x]) => String(x));
  if (messages.length > 0) return messages;
  const figures = entries
    .filter(([k, x]) => !/message$/i.test(k) && x !== null && (typeof x !== 'object' || Array.isArray(x)))
    .map(([k, x]) => `${k}: ${Array.isArray(x) ? x.map(cell).join(' – ') : cell(x)}`);
  return figures;
}

const Cell = ({ v }: { v: JsonValue | undefined }) => {
  if (isArtifactRef(v) && v.mime.startsWith('image/')) return <Thumb a={v} />;
  if (Array.isArray(v)) return <>{v.map(cell).join(', ')}</>;
  return <>{cell(v)}</>;
};

const Thumb = ({ a }: { a: ArtifactRef }) => (
  <img
    className="thumb small"
    src={artifactUrl(a.$artifact)}
    alt={a.name}
    onClick={() => enlarge(artifactUrl(a.$artifact), a.name)}
  />
);

export const ReportTable = memo(function ReportTable({ report }: { report: ReportValue }) {
  const columns = [...new Set(report.rows.flatMap((r) => Object.keys(r)))];
  const rest = Object.entries(report).filter(([k]) => k !== 'rows');
  const scalars = rest.filter(([, v]) => v === null || typeof v !== 'object');
  const images = rest.filter((e): e is [string, ArtifactRef] => isArtifactRef(e[1]));
  const sections = rest
    .filter(([, v]) => v !== null && typeof v === 'object' && !isArtifactRef(v))
    .map(([k, v]) => [k, linesOf(v)] as const)
    .filter(([, lines]) => lines.length > 0);
  return (
    <div className="report" data-testid="report">
      {scalars.length > 0 && (
        <dl>
          {scalars.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{cell(v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {images.map(([k, a]) => (
        <Thumb key={k} a={a} />
      ))}
      {sections.map(([k, lines]) => (
        <div key={k} className={`report-section report-${k}`} data-testid={`report-${k}`}>
          <h5>{k}</h5>
          <ul>
            {lines.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </div>
      ))}
      <div className="report-rows">
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.rows.map((r, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c} title={cell(r[c])}>
                    <Cell v={r[c]} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
});
