// CSV exports of what a page shows, with the server's own CSV rules (RFC 4180 and
// formula-injection safety), so a spreadsheet gets exactly the table on screen.
import { toCsv, type Cell } from '../../src/reports/csv.js';

export { toCsv };

export function downloadCsv(
  filename: string,
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
): void {
  saveTextFile(filename, toCsv(header, rows));
}

/** Hands `text` to the browser as a CSV file download named `filename`. */
export function saveTextFile(filename: string, text: string): void {
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename.replace(/[^A-Za-z0-9._-]+/g, '_');
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
