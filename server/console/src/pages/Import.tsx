// Roster import (the school-year issue's POST /api/import/roster): choose a CSV, see the dry
// run as a table of changes and row errors, then commit. All or nothing; nothing is written
// before the commit.
import { useState } from 'react';
import type { z } from 'zod';
import type { Site } from '../../../src/schemas/people.js';
import { authFetch, withQuery, apiAll } from '../api.js';
import { Empty, Field, Loaded, Page, useQuery } from '../ui.js';

type SiteT = z.infer<typeof Site>;
interface ImportReport {
  dryRun: boolean;
  ok: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  enrolmentsAdded: number;
  errors: { row: number | null; column: string | null; message: string }[];
  results: {
    row: number;
    studentNumber: string;
    action: 'create' | 'update' | 'unchanged';
    changes: string[];
  }[];
}

async function sendCsv(text: string, siteId: string, dryRun: boolean): Promise<ImportReport> {
  const res = await authFetch(withQuery('/api/import/roster', { siteId, dryRun: String(dryRun) }), {
    method: 'POST',
    headers: { 'content-type': 'text/csv; charset=utf-8' },
    body: text,
  });
  const body = (await res.json()) as ImportReport & { message?: string };
  if (res.status === 200 || res.status === 422) return body;
  throw new Error(body.message ?? `The server answered ${res.status}`);
}

function ReportView({ report }: { report: ImportReport }) {
  return (
    <section
      aria-labelledby="import-report-title"
      data-testid={report.dryRun ? 'import-dry-run' : 'import-done'}
    >
      <h2 id="import-report-title">
        {report.dryRun ? 'Dry run: nothing saved yet' : report.ok ? 'Imported' : 'Refused: nothing saved'}
      </h2>
      <p role="status">
        {report.rows} row(s): {report.created} new, {report.updated} changed, {report.unchanged} unchanged,{' '}
        {report.enrolmentsAdded} enrolment(s) added
        {report.errors.length > 0 ? `, ${report.errors.length} error(s)` : ''}.
      </p>
      {report.errors.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="import-errors">
            <caption className="sr-only">Errors</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {report.errors.map((e, i) => (
                <tr key={i}>
                  <td>{e.row ?? '–'}</td>
                  <td>{e.column ?? '–'}</td>
                  <th scope="row">{e.message}</th>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {report.results.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="import-changes">
            <caption className="sr-only">Changes per row</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Student number</th>
                <th scope="col">Action</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {report.results.map((r) => (
                <tr key={r.row}>
                  <td>{r.row}</td>
                  <th scope="row">{r.studentNumber}</th>
                  <td>{r.action}</td>
                  <td>{r.changes.join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function Import() {
  const sites = useQuery(() => apiAll<SiteT>('/api/sites'), []);
  const [siteId, setSite] = useState('default');
  const [text, setText] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (dryRun: boolean) => {
    if (text === null) {
      setError('Choose a CSV file first.');
      return;
    }
    setBusy(true);
    setError(null);
    sendCsv(text, siteId, dryRun)
      .then(setReport, (err: unknown) => setError(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false));
  };
  return (
    <Page title="Import the roster" testId="import">
      <p>
        A CSV with the columns <code>student_number, given_name, family_name, consent</code> (yes/no) and
        optionally <code>email, guardian_email, classes</code> (class codes or names separated by “;”). Check
        the dry run, then commit.
      </p>
      <Loaded q={sites}>
        {(list) => (
          <form
            className="card"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              run(true);
            }}
          >
            <div className="form-grid">
              <Field label="Site">
                {(p) => (
                  <select {...p} value={siteId} onChange={(e) => setSite(e.target.value)}>
                    {list.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="CSV file" error={error ?? undefined}>
                {(p) => (
                  <input
                    {...p}
                    type="file"
                    accept=".csv,text/csv"
                    data-testid="import-file"
                    onChange={(e) => {
                      const file = e.target.files?.[0];
                      setReport(null);
                      if (!file) return setText(null);
                      setFileName(file.name);
                      void file.text().then(setText);
                    }}
                  />
                )}
              </Field>
            </div>
            <button type="submit" disabled={busy || text === null} data-testid="import-dry-run-button">
              Dry run
            </button>{' '}
            {report?.dryRun && report.ok && (
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() => run(false)}
                data-testid="import-commit"
              >
                Commit {fileName}
              </button>
            )}
          </form>
        )}
      </Loaded>
      {report ? <ReportView report={report} /> : <Empty>No file checked yet.</Empty>}
    </Page>
  );
}
