// A class's history over a date range (the server's class report): the rate per student,
// a chart of the rate by day, the session-by-session table, and CSV exports of exactly the
// tables shown.
import { useState } from 'react';
import type { z } from 'zod';
import type { ClassReport } from '../../../src/reports/schemas.js';
import { api, apiText } from '../api.js';
import { saveTextFile } from '../csv.js';
import { CsvTable, type CsvColumn } from '../csv-table.js';
import { dayMonth, longDate, percent } from '../format.js';
import { href, type Route } from '../router.js';
import { Empty, Loaded, Page, useQuery } from '../ui.js';
import { RangeFilter } from '../range-filter.js';
import { studentHistoryPath } from './StudentHistory.js';

type Report = z.infer<typeof ClassReport>;

const STUDENT_COLUMNS: readonly CsvColumn[] = [
  { label: 'Number', csv: 'student_number' },
  { label: 'Name', csv: 'name' },
  { label: 'Present', csv: 'present' },
  { label: 'Late', csv: 'late' },
  { label: 'Absent', csv: 'absent' },
  { label: 'Excused', csv: 'excused' },
  { label: 'Rate', csv: 'attendance_rate' },
];
const SESSION_COLUMNS: readonly CsvColumn[] = [
  // On screen in words, in the CSV as ISO (2026-12-07), which spreadsheets read as a date.
  { label: 'Date', csv: 'date', show: (cell) => longDate(String(cell)) },
  { label: 'Start', csv: 'start' },
  { label: 'End', csv: 'end' },
  { label: 'Present', csv: 'present' },
  { label: 'Late', csv: 'late' },
  { label: 'Absent', csv: 'absent' },
  { label: 'Excused', csv: 'excused' },
];

export function RateChart({ days }: { days: Report['days'] }) {
  const shown = days.filter((d) => d.attendanceRate !== null);
  if (shown.length === 0) return <Empty>No held sessions in this range, so no rate to chart.</Empty>;
  const w = 640;
  const h = 200;
  const pad = { l: 40, r: 8, t: 10, b: 28 };
  const bw = (w - pad.l - pad.r) / shown.length;
  const y = (rate: number) => pad.t + (1 - rate) * (h - pad.t - pad.b);
  const label = `Attendance rate by day: ${shown.map((d) => `${longDate(d.date)} ${percent(d.attendanceRate)}`).join(', ')}`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label} data-testid="rate-chart">
        {[0, 0.5, 1].map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={w - pad.r} y1={y(t)} y2={y(t)} className="chart__grid" />
            <text x={pad.l - 6} y={y(t) + 4} textAnchor="end" className="chart__axis">
              {Math.round(t * 100)}%
            </text>
          </g>
        ))}
        {shown.map((d, i) => {
          const rate = d.attendanceRate ?? 0;
          const x = pad.l + i * bw + bw * 0.15;
          return (
            <g key={d.date}>
              <rect
                x={x}
                y={y(rate)}
                width={bw * 0.7}
                height={Math.max(1, h - pad.b - y(rate))}
                className="chart__bar"
              >
                <title>{`${longDate(d.date)}: ${percent(rate)}`}</title>
              </rect>
              {(shown.length <= 12 || i % Math.ceil(shown.length / 12) === 0) && (
                <text x={x + bw * 0.35} y={h - 10} textAnchor="middle" className="chart__axis">
                  {dayMonth(d.date)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small">
        Share of held sessions attended (present or late) each day; excused sessions are left out.
      </figcaption>
    </figure>
  );
}

/**
 * The register a school office asks for: one row per student, one column per lesson, each
 * cell that lesson's status. The server's own CSV of the class report (`?format=csv`), so the
 * file is the same whoever makes it.
 */
function Register({ classId, name, from, to }: { classId: string; name: string; from: string; to: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="register">
      <button
        type="button"
        disabled={busy}
        data-testid="history-register-csv"
        onClick={() => {
          setBusy(true);
          setError(null);
          apiText(`/api/reports/classes/${encodeURIComponent(classId)}`, { from, to, format: 'csv' })
            .then((text) => saveTextFile(`${name}-register-${from}-${to}.csv`, text))
            .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
            .finally(() => setBusy(false));
        }}
      >
        Download the register (CSV)
      </button>
      <p className="muted small">One row per student, one column per lesson with its status.</p>
      {error && (
        <p className="form-error" role="alert">
          Could not make the register: {error}
        </p>
      )}
    </div>
  );
}

/** A student's history over the same range as the class's. */
function studentLink(studentId: string | undefined, from: string, to: string): string | undefined {
  return studentId === undefined ? undefined : href(studentHistoryPath(studentId), { from, to });
}

export function ClassHistory({ classId, route }: { classId: string; route: Route }) {
  const from = route.params.get('from') ?? undefined;
  const to = route.params.get('to') ?? undefined;
  const q = useQuery(
    () => api<Report>('GET', `/api/reports/classes/${encodeURIComponent(classId)}`, { query: { from, to } }),
    [classId, from, to],
  );
  const title = q.data ? `History of ${q.data.class.name}` : 'Class history';
  return (
    <Page title={title} testId="history">
      <RangeFilter
        path={`/classes/${classId}/history`}
        asked={{ from, to }}
        answered={q.data}
        testIdPrefix="history"
      />
      <Loaded q={q}>
        {(r) => {
          const studentRows = r.students.map((s) => [
            s.studentNumber,
            s.name,
            s.counts.present,
            s.counts.late,
            s.counts.absent,
            s.counts.excused,
            percent(s.attendanceRate),
          ]);
          const sessionRows = r.sessions.map((s) => [
            s.date,
            s.startTime,
            s.endTime,
            s.counts.present,
            s.counts.late,
            s.counts.absent,
            s.counts.excused,
          ]);
          return (
            <>
              <p className="muted">
                {longDate(r.from)} to {longDate(r.to)} · times in {r.timezone}
              </p>
              <Register classId={classId} name={r.class.name} from={r.from} to={r.to} />
              <h2>Rate by day</h2>
              <RateChart days={r.days} />
              <CsvTable
                title="Students"
                columns={STUDENT_COLUMNS.map((c) =>
                  c.csv === 'name'
                    ? { ...c, link: (i: number) => studentLink(r.students[i]?.studentId, r.from, r.to) }
                    : c,
                )}
                rows={studentRows}
                rowKeys={r.students.map((s) => s.studentId)}
                rowHeader={1}
                filename={`${r.class.name}-students-${r.from}-${r.to}.csv`}
                empty="No students enrolled."
                testId="history-students"
                csvTestId="history-students-csv"
              />
              <CsvTable
                title="Sessions"
                columns={SESSION_COLUMNS}
                rows={sessionRows}
                rowKeys={r.sessions.map((s) => s.sessionId)}
                filename={`${r.class.name}-sessions-${r.from}-${r.to}.csv`}
                empty="No sessions held in this range."
                testId="history-sessions"
                csvTestId="history-sessions-csv"
              />
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
