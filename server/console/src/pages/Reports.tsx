// School-wide reports (admins): today's absentees by session, and attendance by class and by
// day over a range, with a CSV of the class table as shown.
import type { z } from 'zod';
import type { Absentees, SchoolReport } from '../../../src/reports/schemas.js';
import { api } from '../api.js';
import { CsvTable, type CsvColumn } from '../csv-table.js';
import { longDate, percent } from '../format.js';
import type { Route } from '../router.js';
import { Loaded, Page, useQuery } from '../ui.js';
import { RangeFilter } from '../range-filter.js';
import { RateChart } from './ClassHistory.js';

type School = z.infer<typeof SchoolReport>;
type Absent = z.infer<typeof Absentees>;

const CLASS_COLUMNS: readonly CsvColumn[] = [
  { label: 'Class', csv: 'class' },
  { label: 'Sessions', csv: 'sessions' },
  { label: 'Present', csv: 'present' },
  { label: 'Late', csv: 'late' },
  { label: 'Absent', csv: 'absent' },
  { label: 'Excused', csv: 'excused' },
  { label: 'Rate', csv: 'attendance_rate' },
];

export function Reports({ route }: { route: Route }) {
  const from = route.params.get('from') ?? undefined;
  const to = route.params.get('to') ?? undefined;
  const absentees = useQuery(() => api<Absent>('GET', '/api/reports/absentees'), []);
  const school = useQuery(
    () => api<School>('GET', '/api/reports/school', { query: { from, to } }),
    [from, to],
  );
  return (
    <Page title="Reports" testId="reports">
      <h2>Absent today</h2>
      <Loaded
        q={absentees}
        isEmpty={(d) => d.sessions.length === 0}
        empty="No session has started yet today."
      >
        {(d) => (
          <>
            <p className="muted">{longDate(d.date)} · sessions that have started</p>
            <div className="table-wrap">
              <table className="table" data-testid="absentees-table">
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">Absent</th>
                  </tr>
                </thead>
                <tbody>
                  {d.sessions.map((s) => (
                    <tr key={s.sessionId}>
                      <th scope="row">
                        {s.class.name} {s.startTime}–{s.endTime}
                      </th>
                      <td>
                        {s.absent.length === 0
                          ? 'Nobody'
                          : s.absent.map((a) => `${a.name} (${a.studentNumber})`).join(', ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Loaded>
      <h2>Attendance by class and day</h2>
      <RangeFilter path={'/reports'} asked={{ from, to }} answered={school.data} />
      <Loaded q={school}>
        {(r) => {
          const rows = r.classes.map((c) => [
            c.name,
            c.sessions,
            c.counts.present,
            c.counts.late,
            c.counts.absent,
            c.counts.excused,
            percent(c.attendanceRate),
          ]);
          return (
            <>
              <p>
                Whole school: <strong>{percent(r.attendanceRate)}</strong> attended, {longDate(r.from)} to{' '}
                {longDate(r.to)}.
              </p>
              <RateChart days={r.days} />
              <CsvTable
                title="By class"
                level={3}
                columns={CLASS_COLUMNS}
                rows={rows}
                rowKeys={r.classes.map((c) => c.classId)}
                rowHeader={0}
                filename={`school-${r.from}-${r.to}.csv`}
                empty="No classes."
                testId="reports-classes"
                csvTestId="reports-csv"
              />
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
