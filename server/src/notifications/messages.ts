// The words of the emails, kept apart from when and how they are sent. Plain text: it
// reads everywhere, and there is no HTML to escape a student's name into.
import type { SessionReport } from '../schemas/attendance.js';
import type { AbsenceRecipients } from './config.js';

export interface AbsenceFacts {
  studentName: string;
  studentNumber: string;
  className: string;
  date: string;
  startTime: string;
  endTime: string;
}

export function absenceEmail(f: AbsenceFacts, to: 'guardian' | 'student'): { subject: string; text: string } {
  const when = `${f.date}, ${f.startTime}–${f.endTime}`;
  const subject = `Absence: ${f.studentName} – ${f.className}, ${f.date}`;
  const lines =
    to === 'guardian'
      ? [
          `Dear parent or guardian,`,
          '',
          `${f.studentName} (student number ${f.studentNumber}) was recorded absent from ${f.className} on ${when}.`,
        ]
      : [`Hello ${f.studentName},`, '', `You were recorded absent from ${f.className} on ${when}.`];
  lines.push(
    '',
    'If this is a mistake, or the absence was excused, please contact the teacher or the school office.',
    '',
    '— Rollcall attendance (automatic message; replies are not read)',
  );
  return { subject, text: lines.join('\n') };
}

/**
 * Who gets the absence email of a student. `guardian` falls back to the student's own
 * address when no guardian email is on file, so an adult student still hears about it.
 */
export function absenceRecipients(
  mode: AbsenceRecipients,
  student: { email: string | null; guardian_email: string | null },
): { address: string; as: 'guardian' | 'student' }[] {
  const guardian = student.guardian_email
    ? [{ address: student.guardian_email, as: 'guardian' as const }]
    : [];
  const own = student.email ? [{ address: student.email, as: 'student' as const }] : [];
  switch (mode) {
    case 'none':
      return [];
    case 'student':
      return own;
    case 'guardian':
      return guardian.length > 0 ? guardian : own;
    case 'both':
      return [...guardian, ...own.filter((o) => o.address !== student.guardian_email)];
  }
}

export function digestEmail(
  teacherName: string,
  date: string,
  sessions: readonly SessionReport[],
): { subject: string; text: string } {
  const absent = sessions.reduce((n, s) => n + s.counts.absent, 0);
  const subject = `Attendance ${date}: ${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${absent} absence${absent === 1 ? '' : 's'}`;
  const lines = [`Hello ${teacherName},`, '', `Attendance for your classes on ${date}:`];
  for (const s of sessions) {
    const c = s.counts;
    lines.push(
      '',
      `${s.class.name} ${s.startTime}–${s.endTime}: ${c.present} present, ${c.late} late, ${c.absent} absent, ${c.excused} excused`,
    );
    const names = (status: string) =>
      s.students
        .filter((st) => st.status === status)
        .map((st) => `${st.name} (${st.studentNumber})`)
        .join(', ');
    if (c.absent > 0) lines.push(`  Absent: ${names('absent')}`);
    if (c.late > 0) lines.push(`  Late: ${names('late')}`);
    if (s.notEnrolled.length > 0) lines.push(`  Also seen, not enrolled: ${s.notEnrolled.length}`);
  }
  lines.push(
    '',
    'As recorded when this email was sent; later corrections show in the reports.',
    '',
    '— Rollcall attendance',
  );
  return { subject, text: lines.join('\n') };
}

export interface SilentKioskFacts {
  kioskName: string;
  roomName: string;
  siteName: string;
  timezone: string;
  /** Site-local "YYYY-MM-DD HH:MM" of the last contact, or null when never heard from. */
  lastSeen: string | null;
  /** Site-local time from which the silence counts (the later of last contact and today's first arrival window). */
  silentSince: string;
  minutes: number;
  thresholdMinutes: number;
}

/** To the admins, once per silence episode of a kiosk during school hours. */
export function silentKioskEmail(f: SilentKioskFacts): { subject: string; text: string } {
  const subject = `Kiosk silent: ${f.kioskName} (${f.roomName}) – ${f.minutes} min in school hours`;
  const lines = [
    'Hello,',
    '',
    `The kiosk "${f.kioskName}" in ${f.roomName} (${f.siteName}) has not contacted the server for ${f.minutes} minutes of school hours (your alert threshold is ${f.thresholdMinutes} minutes).`,
    '',
    `Last heard from: ${f.lastSeen ?? 'never'} (${f.timezone}). Silent in school hours since: ${f.silentSince}.`,
    '',
    'Marks it takes while offline are kept and uploaded when it reconnects, but teachers do not see them live. Check that it is switched on, on the network, and showing the door screen.',
    '',
    'You get this email once per silence: not again until the kiosk has been heard from and goes silent again.',
    '',
    '— Rollcall (automatic message; replies are not read)',
  ];
  return { subject, text: lines.join('\n') };
}
