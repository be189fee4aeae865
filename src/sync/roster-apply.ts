// Applying one roster page: every change is validated on its own (an invalid record is
// skipped and reported, never fatal), and the whole page is written in ONE transaction
// together with the new cursor, so a crash never leaves a half-applied page or a cursor
// ahead of the data.
import { RosterChange } from '../contracts/sync';
import type { KioskStore } from '../core/store/index';
import { embeddingFromB64 } from './embedding-b64';

export interface SkippedChange {
  seq: number | null;
  entity: string | null;
  id: string | null;
  reason: string;
}

export interface PageOutcome {
  applied: number;
  skipped: SkippedChange[];
  /** Templates or students changed: the matcher's gallery must be rebuilt. */
  galleryChanged: boolean;
  /** Rooms or schedules changed: the running session may differ. */
  scheduleChanged: boolean;
}

function describe(raw: unknown): Pick<SkippedChange, 'seq' | 'entity' | 'id'> {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    seq: typeof r.seq === 'number' ? r.seq : null,
    entity: typeof r.entity === 'string' ? r.entity : null,
    id: typeof r.id === 'string' ? r.id : null,
  };
}

export function applyRosterPage(store: KioskStore, changes: readonly unknown[], cursor: string, now: string): PageOutcome {
  const outcome: PageOutcome = { applied: 0, skipped: [], galleryChanged: false, scheduleChanged: false };
  store.transaction(() => {
    for (const raw of changes) {
      const parsed = RosterChange.safeParse(raw);
      if (!parsed.success) {
        outcome.skipped.push({ ...describe(raw), reason: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        continue;
      }
      try {
        applyChange(store, parsed.data, now, outcome);
        outcome.applied++;
      } catch (err) {
        outcome.skipped.push({ ...describe(raw), reason: err instanceof Error ? err.message : String(err) });
      }
    }
    store.sync.set('cursor', cursor);
  });
  return outcome;
}

function applyChange(store: KioskStore, c: RosterChange, now: string, outcome: PageOutcome): void {
  const { roster, templates } = store;
  switch (c.entity) {
    case 'student':
      if (c.op === 'upsert') roster.upsertStudent(c.data);
      else roster.deleteStudent(c.id); // tombstone: templates go too, so the matcher forgets them
      outcome.galleryChanged = true;
      return;
    case 'class':
      if (c.op === 'upsert') roster.upsertClass(c.data);
      else roster.deleteClass(c.id);
      return;
    case 'enrolment':
      if (c.op === 'upsert') roster.upsertEnrolment(c.data);
      else roster.deleteEnrolment(c.id);
      return;
    case 'room':
      if (c.op === 'upsert') roster.upsertRoom(c.data);
      else roster.deleteRoom(c.id);
      outcome.scheduleChanged = true;
      return;
    case 'schedule':
      if (c.op === 'upsert') roster.upsertSchedule(c.data);
      else roster.deleteSchedule(c.id);
      outcome.scheduleChanged = true;
      return;
    case 'template':
      if (c.op === 'upsert') {
        // Decoded before writing: a truncated embedding is skipped, not stored.
        const embedding = embeddingFromB64(c.data.embedding);
        templates.upsert({ id: c.data.id, studentId: c.data.studentId, modelId: c.data.modelId, embedding, quality: null, origin: 'server', createdAt: now });
      } else {
        templates.delete(c.id);
      }
      outcome.galleryChanged = true;
      return;
  }
}
