// CSV as RFC 4180 says (comma, CRLF, fields quoted when they hold a comma, quote or line
// break, quotes doubled), plus spreadsheet safety: a text cell starting with = + - @ (or a
// tab/CR) is prefixed with ' so Excel or LibreOffice never evaluates a student's name as a
// formula (CSV injection).
export type Cell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly Cell[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A filename safe in a Content-Disposition header (ASCII, no quotes or separators). */
export const safeFilename = (name: string): string =>
  name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120) || 'report';
