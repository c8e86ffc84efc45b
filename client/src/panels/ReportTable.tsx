/** A REPORT value rendered generically: its `rows` as a table (columns from the keys), its `advice` as a list. */
import { memo } from 'react';
import type { JsonValue } from '../../../protocol/values';

export type ReportValue = {
  rows: Record<string, JsonValue>[];
  advice?: JsonValue[];
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

export const ReportTable = memo(function ReportTable({ report }: { report: ReportValue }) {
  const columns = [...new Set(report.rows.flatMap((r) => Object.keys(r)))];
  const advice = (report.advice ?? []).map(cell);
  const extras = Object.entries(report).filter(
    ([k, v]) => k !== 'rows' && k !== 'advice' && (typeof v !== 'object' || v === null),
  );
  return (
    <div className="report" data-testid="report">
      {extras.length > 0 && (
        <dl>
          {extras.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{cell(v)}</dd>
            </div>
          ))}
        </dl>
      )}
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
                <td key={c}>{cell(r[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {advice.length > 0 && (
        <ul className="advice">
          {advice.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
    </div>
  );
});
