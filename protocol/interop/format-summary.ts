/** The import summary as plain text, for the command line and the editor's panel. */
import { shown } from './import-builder';
import { FAMILY_NAMES, type ImportSummary, type PathProblem } from './types';

/** Lines: what was mapped (setting -> Node.param = value), what was ignored and why, then notes. */
export function formatImportSummary(summary: ImportSummary, pathProblems: readonly PathProblem[] = []): string {
  const lines = [
    `Imported ${summary.file} (${summary.format}${summary.family ? `, ${FAMILY_NAMES[summary.family]}` : ''})`,
  ];
  lines.push(`Mapped (${summary.mapped.length}):`);
  for (const m of summary.mapped)
    lines.push(`  ${m.setting} -> ${m.node}.${m.param} = ${shown(m.value)}${m.note ? `  (${m.note})` : ''}`);
  if (summary.ignored.length > 0) {
    lines.push(`Not supported, ignored (${summary.ignored.length}):`);
    for (const i of summary.ignored) lines.push(`  ${i.setting} = ${i.value}: ${i.reason}`);
  }
  if (summary.notes.length > 0) {
    lines.push('Notes:');
    for (const n of summary.notes) lines.push(`  ${n}`);
  }
  if (pathProblems.length > 0) {
    lines.push(`Paths the allowed folders refuse (${pathProblems.length}):`);
    for (const p of pathProblems) lines.push(`  ${p.message}`);
  }
  return lines.join('\n');
}
