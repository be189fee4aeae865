// One student's attendance over a date range, lesson by lesson (the server's student report):
// what a teacher checks before calling home. Teachers see only the lessons of their own classes
// (the server leaves the others out and answers 403 for a student in none of them); admins see
// every class. Reached from a student's name on Today, in a class's history and on the admin's
// student page.
import type { z } from 'zod';
import type { StudentReport } from '../../../src/reports/schemas.js';
import { api, currentUser } from '../api.js';
import { CsvTable, type CsvColumn } from '../csv-table.js';
import { longDate, percent } from '../format.js';
import { markTime } from '../mark-time.js';
import type { Route } from '../router.js';
import { Loaded, Page, STATUS_LABEL, useQuery } from '../ui.js';
import { RangeFilter } from '../range-filter.js';

type Report = z.infer<typeof StudentReport>;

const HOW: Record<Report['sessions'][number]['decidedBy'], string> = {
  mark: 'kiosk',
  manual: 'corrected by hand',
  none: 'not seen at the door',
};

const COLUMNS: readonly CsvColumn[] = [
  { label: 'Date', csv: 'date', show: (cell) => longDate(String(cell)) },
  { label: 'Lesson', csv: 'lesson' },
  { label: 'Class', csv: 'class' },
  { label: 'Status', csv: 'status' },
  { label: 'Time', csv: 'time' },
  { label: 'How', csv: 'how' },
  { label: 'Reason', csv: 'reason' },
];

/** The route of a student's history page. */
export const studentHistoryPath = (studentId: string) => `/students/${encodeURIComponent(studentId)}/history`;

export function StudentHistory({ studentId, route }: { studentId: string; route: Route }) {
  const from = route.params.get('from') ?? undefined;
  const to = route.params.get('to') ?? undefined;
  const q = useQuery(
    () =>
      api<Report>('GET', `/api/reports/students/${encodeURIComponent(studentId)}`, { query: { from, to } }),
    [studentId, from, to],
  );
  const title = q.data
    ? `History of ${q.data.student.name} (${q.data.student.studentNumber})`
    : 'Student history';
  return (
    <Page title={title} testId="student-history">
      <RangeFilter
        path={studentHistoryPath(studentId)}
        asked={{ from, to }}
        answered={q.data}
        testIdPrefix="student-history"
      />
      <Loaded q={q}>
        {(r) => {
          const rows = r.sessions.map((s) => [
            s.date,
            `${s.startTime}–${s.endTime}`,
            s.class.name,
            STATUS_LABEL[s.status] ?? s.status,
            markTime(s, s.date, r.timezone),
            HOW[s.decidedBy],
            s.reason ?? '',
          ]);
          const c = r.counts;
          return (
            <>
              <p className="muted">
                {longDate(r.from)} to {longDate(r.to)} · times in {r.timezone}
              </p>
              <p data-testid="student-history-summary">
                {r.attendanceRate === null ? (
                  'No attendance rate (no lesson in this range counts: none held, or every one excused).'
                ) : (
                  <>
                    <strong>{percent(r.attendanceRate)}</strong> attended.
                  </>
                )}{' '}
                Present {c.present}, late {c.late}, absent {c.absent}, excused {c.excused}.
              </p>
              <CsvTable
                title="Lessons"
                columns={COLUMNS}
                rows={rows}
                rowKeys={r.sessions.map((s) => s.sessionId)}
                filename={`${r.student.studentNumber}-${r.from}-${r.to}.csv`}
                empty="No lessons in this range."
                testId="student-history-lessons"
                csvTestId="student-history-csv"
              />
              <p className="muted small">
                Lessons that have started, oldest first.
                {currentUser()?.role === 'teacher' && ' Only the lessons of your own classes are listed.'}
              </p>
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
