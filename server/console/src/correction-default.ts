// The status a teacher's correction form starts on, by what the row shows now. The usual
// reason to correct is that the door missed someone, so a student not seen (yet) or absent
// starts on Present. The default is never the row's own status (Save would change nothing),
// and never Absent for someone the door saw: a careless Save must not record an absence
// (which can send an absence email home) that nobody chose.
import type { AttendanceStatus } from '../../../src/contracts/sync.js';

/** `shown` is the row's status as Today shows it: a status, or "unseen" (not yet seen). */
export function defaultCorrection(shown: string): AttendanceStatus {
  switch (shown) {
    case 'present':
      // Marked present, but the teacher knows they came in after the bell (the group walked in
      // together past the door): Late is the nearer fix; Absent (a wrong match) is chosen on purpose.
      return 'late';
    case 'late':
      // Late at the door but in time for the lesson (a queue at the door, a slow kiosk).
      return 'present';
    case 'excused':
      // Excused in advance, and came after all.
      return 'present';
    default:
      // 'unseen' and 'absent': the door missed them, they are in the room.
      return 'present';
  }
}
