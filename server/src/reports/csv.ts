// CSV as RFC 4180 says (comma, CRLF, fields quoted when they hold a comma, quote or line
// break, quotes doubled), plus spreadsheet safety: a text cell starting with = + - @ (or a
// tab/CR, or spaces before one of those four, which an import that trims spaces drops) is
// prefixed with ' so Excel or LibreOffice never evaluates a student's name as a formula (CSV
// injection).
//
// The start of the cell is not the only start a spreadsheet sees. Excel where the list
// separator is ";" (most of Europe) splits an unquoted "Smith;=cmd|..." into two cells, and
// our quotes do not help it: it honours a quote only at the start of one of ITS fields, so a
// line break inside a quoted cell ends its row too. So = + - @ after a ";", a tab or a line
// break get the same ' in front, with spaces or quotes between allowed: a quote there is doubled
// in our quoted cell, and the spreadsheet reads the "" that starts its field as an empty quoted
// string followed by the bare formula.
export type Cell = string | number | null | undefined;

const FORMULA_START = /^(?:[\s"]*[=+\-@]|[\t\r])/;
const FORMULA_AFTER_SEPARATOR = /([;\t\r\n](?:[^\S\r\n]|")*)(?=[=+\-@])/g;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const inner = value.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  const text = FORMULA_START.test(inner) ? `'${inner}` : inner;
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
