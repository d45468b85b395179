/** A result table: the same rows are printed to the console and written to BENCHMARKS.md. */
export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
  /** Lines between the title and the table (what to read it against). */
  intro?: string[];
  /** Lines under the table (what was measured, caveats). */
  notes?: string[];
}

export function toMarkdown(table: Table): string {
  const escapeCell = (cell: string): string => cell.replace(/\|/g, '\\|');
  const lines = [
    `### ${table.title}`,
    '',
    ...(table.intro?.length ? [...table.intro, ''] : []),
    `| ${table.headers.map(escapeCell).join(' | ')} |`,
    `|${table.headers.map(() => '---').join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ];
  if (table.notes?.length) lines.push('', ...table.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

export function toText(table: Table): string {
  const widths = table.headers.map((header, i) =>
    Math.max(header.length, ...table.rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [
    `== ${table.title}`,
    ...(table.intro ?? []),
    line(table.headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...table.rows.map(line),
  ].join('\n');
}
