// Applying one roster page: every change is validated on its own (an invalid record is
// skipped and reported, never fatal), and the whole page is written in ONE transaction
// together with the new cursor, so a crash never leaves a half-applied page or a cursor
// ahead of the data.
import { RosterChange, type RosterEntity } from '../contracts/sync.js';
import type { SyncStore } from './store-port.js';
import { embeddingFromBase64 } from '../ml/embedding-codec.js';

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
  /** Rooms, schedules or the site's time zone changed: the running session may differ. */
  scheduleChanged: boolean;
  /** The site's time zone as the page left it, when a site record changed it. */
  timezoneChange: { siteId: string; from: string | null; to: string } | null;
}

function describe(raw: unknown): Pick<SkippedChange, 'seq' | 'entity' | 'id'> {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    seq: typeof r.seq === 'number' ? r.seq : null,
    entity: typeof r.entity === 'string' ? r.entity : null,
    id: typeof r.id === 'string' ? r.id : null,
  };
}

/** Every entity this kiosk applies; a Record so that a new RosterChange entity must be added here. */
const KNOWN_ENTITIES: Record<RosterEntity, true> = {
  student: true,
  class: true,
  enrolment: true,
  room: true,
  schedule: true,
  template: true,
  site: true,
  calendar: true,
};

/**
 * A record of an entity type added to the server after this kiosk was built is skipped like an
 * invalid one (the cursor moves past it, the rest of the page applies), with a reason that says
 * so rather than zod's "Invalid input" for a union.
 */
function whyInvalid(raw: unknown, issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const { entity } = describe(raw);
  if (entity !== null && !Object.hasOwn(KNOWN_ENTITIES, entity))
    return `entity type "${entity}" is unknown to this kiosk version (newer server?)`;
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.')}: ${i.message}`)
    .join('; ');
}

export function applyRosterPage(
  store: SyncStore,
  changes: readonly unknown[],
  cursor: string,
  now: string,
): PageOutcome {
  const outcome: PageOutcome = {
    applied: 0,
    skipped: [],
    galleryChanged: false,
    scheduleChanged: false,
    timezoneChange: null,
  };
  store.transaction(() => {
    for (const raw of changes) {
      const parsed = RosterChange.safeParse(raw);
      if (!parsed.success) {
        outcome.skipped.push({ ...describe(raw), reason: whyInvalid(raw, parsed.error.issues) });
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

function applyChange(store: SyncStore, c: RosterChange, now: string, outcome: PageOutcome): void {
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
        const embedding = embeddingFromBase64(c.data.embedding);
        templates.upsert({
          id: c.data.id,
          studentId: c.data.studentId,
          modelId: c.data.modelId,
          embedding,
          quality: null,
          origin: 'server',
          createdAt: now,
        });
      } else {
        templates.delete(c.id);
      }
      outcome.galleryChanged = true;
      return;
    case 'site':
      applySite(store, c, outcome);
      return;
    case 'calendar':
      applyCalendar(store, c, outcome);
      return;
  }
}

/**
 * The site's school calendar, kept whole in sync state (one record per site, re-sent on every
 * change), so the kiosk knows holidays and cancelled sessions offline. An older version than
 * the one held (a replay) is ignored.
 */
function applyCalendar(
  store: SyncStore,
  c: Extract<RosterChange, { entity: 'calendar' }>,
  outcome: PageOutcome,
): void {
  const pairedSite = store.sync.get('siteId');
  if (c.id !== pairedSite)
    throw new Error(`calendar of site ${c.id} is not this kiosk's site (${pairedSite ?? 'none'}); ignored`);
  if (c.op === 'delete') {
    store.sync.set('calendar', null);
  } else {
    if (c.data.siteId !== c.id) throw new Error(`calendar of ${c.data.siteId} filed under ${c.id}; ignored`);
    store.sync.set('calendar', JSON.stringify(c.data));
  }
  outcome.scheduleChanged = true;
}

/**
 * The server only sends a kiosk its own site's records; one for another site (or a tombstone:
 * sites are never deleted) would be a server bug, so it is refused (reported as skipped) and
 * the kiosk keeps the zone it has. The zone is stored in sync state, which every session
 * computation reads, so the next frame already uses it.
 */
function applySite(
  store: SyncStore,
  c: Extract<RosterChange, { entity: 'site' }>,
  outcome: PageOutcome,
): void {
  const pairedSite = store.sync.get('siteId');
  if (c.id !== pairedSite)
    throw new Error(`site ${c.id} is not this kiosk's site (${pairedSite ?? 'none'}); ignored`);
  if (c.op === 'delete') throw new Error('a site cannot be deleted; keeping its time zone');
  if (c.data.id !== c.id) throw new Error(`site record ${c.data.id} filed under ${c.id}; ignored`);
  const from = outcome.timezoneChange?.from ?? store.sync.get('timezone');
  const arrival = c.data.arrivalMinutes === undefined ? null : String(c.data.arrivalMinutes);
  if (arrival !== store.sync.get('arrivalMinutes')) {
    store.sync.set('arrivalMinutes', arrival);
    outcome.scheduleChanged = true;
  }
  if (c.data.timezone === store.sync.get('timezone')) return;
  store.sync.set('timezone', c.data.timezone);
  outcome.timezoneChange = { siteId: c.id, from, to: c.data.timezone };
  outcome.scheduleChanged = true;
}
