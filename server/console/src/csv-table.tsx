// A report table with its "Download CSV" button: the CSV is made from exactly the rows on screen
// (csv.ts), so the file and the table cannot drift apart (a column may only word a cell
// differently on screen: `show`). On a phone each row is a card
// (table-labels.ts).
import type { Cell } from '../../src/reports/csv.js';
import { downloadCsv } from './csv.js';
import { Empty } from './ui.js';

export interface CsvColumn {
  /** The header on screen. */
  label: string;
  /** The header in the CSV (snake_case, stable for spreadsheets and scripts). */
  csv: string;
  /**
   * How a cell reads on screen when that differs from the file: a date in words on screen
   * ("Mon 7 Dec 2026", format.ts) stays ISO in the CSV. Default: the cell as it is.
   */
  show?: (cell: Cell) => string;
  /** A page the cell links to on screen (by the row's index), e.g. a student's history. */
  link?: (row: number) => string | undefined;
}

export function CsvTable({
  title,
  level = 2,
  columns,
  rows,
  rowKeys,
  rowHeader,
  filename,
  empty,
  testId,
  csvTestId,
}: {
  title: string;
  level?: 2 | 3;
  columns: readonly CsvColumn[];
  rows: readonly (readonly Cell[])[];
  /** One stable key per row (an id), in the order of `rows`. */
  rowKeys: readonly string[];
  /** The column that names its row (a `th scope="row"`), if one does. */
  rowHeader?: number;
  filename: string;
  empty: string;
  testId: string;
  csvTestId: string;
}) {
  const Heading = level === 3 ? 'h3' : 'h2';
  return (
    <>
      <div className="section-head">
        <Heading>{title}</Heading>
        <button
          type="button"
          onClick={() =>
            downloadCsv(
              filename,
              columns.map((c) => c.csv),
              rows,
            )
          }
          data-testid={csvTestId}
        >
          Download CSV
        </button>
      </div>
      {rows.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid={testId}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.label} scope="col">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={rowKeys[i] ?? i}>
                  {row.map((cell, j) => {
                    const text = columns[j]?.show?.(cell) ?? cell;
                    const to = columns[j]?.link?.(i);
                    const shown = to ? <a href={to}>{text}</a> : text;
                    return j === rowHeader ? (
                      <th key={j} scope="row">
                        {shown}
                      </th>
                    ) : (
                      <td key={j}>{shown}</td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
