import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKioskStore, NewerDatabaseError, migrate, openKioskDatabase } from './index.js';
import { MIGRATIONS } from './migrations/index.js';
import { DEFAULT_SETTINGS } from './settings-defaults.js';
import { DEFAULT_ADMIN_PIN, PIN_MAX_FAILURES } from './admin-pin.js';

const open = (now = () => new Date('2026-03-02T09:00:00Z')) =>
  openKioskStore({ file: ':memory:', defaultSettings: DEFAULT_SETTINGS, now });

describe('migrations', () => {
  it('migrate every numbered migration on :memory: and record the version', () => {
    const db = openKioskDatabase(':memory:');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'students',
        'templates',
        'attendance_events',
        'outbox',
        'sync_state',
        'settings',
        'audit',
        'admin_pin',
      ]),
    );
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    db.close();
  });

  it('is idempotent: re-running migrate on a migrated db changes nothing', () => {
    const db = openKioskDatabase(':memory:');
    expect(() => migrate(db, MIGRATIONS)).not.toThrow();
    db.close();
  });

  it('rolls back a failing migration entirely', () => {
    const db = new Database(':memory:');
    const bad = [
      ...MIGRATIONS,
      { version: 99, name: 'broken', sql: 'CREATE TABLE half (x); THIS IS NOT SQL;' },
    ];
    expect(() => migrate(db, bad)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a database written by a newer app, clearly', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kiosk-db-')), 'k.db');
    const raw = new Database(file);
    raw.pragma('user_version = 42');
    raw.close();
    expect(() => openKioskDatabase(file)).toThrow(NewerDatabaseError);
    expect(() => openKioskDatabase(file)).toThrow(/schema version 42/);
  });

  it('uses WAL on a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kiosk-db-')), 'k.db');
    const db = openKioskDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

const mark = (studentId: string, sessionId = 'sch1@2026-03-02') => ({
  id: randomUUID(),
  kind: 'mark' as const,
  studentId,
  sessionId,
  status: 'present' as const,
  occurredAt: '2026-03-02T09:00:00.000Z',
  scores: { similarity: 0.8, margin: 0.3, votes: 2, window: 4 },
});

describe('attendance log and outbox', () => {
  it('writes the outbox row with the event, and marks once per session', () => {
    const s = open();
    const first = mark('st1');
    expect(s.attendance.markOnce(first)).toEqual({ marked: true });
    const again = s.attendance.markOnce(mark('st1'));
    expect(again.marked).toBe(false);
    expect(s.attendance.pendingCount()).toBe(1);
    expect(s.attendance.pending(10)[0]?.event).toMatchObject({ id: first.id, scores: { similarity: 0.8 } });
  });

  it('an undone mark no longer counts, so the student can be marked again', () => {
    const s = open();
    const first = mark('st1');
    s.attendance.markOnce(first);
    s.attendance.append({
      id: randomUUID(),
      kind: 'undo',
      studentId: 'st1',
      sessionId: first.sessionId,
      status: null,
      occurredAt: first.occurredAt,
      refId: first.id,
    });
    expect(s.attendance.findMark(first.sessionId, 'st1')).toBeNull();
    expect(s.attendance.get(first.id)?.undone).toBe(true);
    expect(s.attendance.markOnce(mark('st1')).marked).toBe(true);
  });

  it('rejects an invalid event without writing anything', () => {
    const s = open();
    expect(() => s.attendance.append({ ...mark('st1'), id: 'not-a-uuid' })).toThrow();
    expect(s.attendance.all()).toHaveLength(0);
    expect(s.attendance.pendingCount()).toBe(0);
  });

  it('acknowledged rows leave the outbox; rejected rows are kept aside with their reason', () => {
    const s = open();
    const a = mark('a'),
      b = mark('b'),
      c = mark('c');
    for (const e of [a, b, c]) s.attendance.markOnce(e);
    s.attendance.applyResults(
      [
        { id: a.id, status: 'accepted' },
        { id: b.id, status: 'duplicate' },
        { id: c.id, status: 'rejected', reason: 'unknown student' },
      ],
      '2026-03-02T09:01:00Z',
    );
    expect(s.attendance.pendingCount()).toBe(0);
    expect(s.attendance.rejected()).toEqual([
      { eventId: c.id, reason: 'unknown student', rejectedAt: '2026-03-02T09:01:00Z' },
    ]);
    expect(s.attendance.get(a.id)?.synced).toBe(true);
    expect(s.attendance.get(c.id)?.synced).toBe(false);
    expect(s.attendance.retryRejected()).toBe(1);
    expect(s.attendance.pendingCount()).toBe(1);
  });
});

describe('roster, templates, settings', () => {
  it('deleting a student removes their templates and enrolments', () => {
    const s = open();
    s.roster.upsertStudent({ id: 'st1', studentNumber: '1', name: 'Ada', consent: true });
    s.roster.upsertEnrolment({ id: 'e1', classId: 'c1', studentId: 'st1' });
    s.templates.upsert({
      id: 't1',
      studentId: 'st1',
      modelId: 'm',
      embedding: new Float32Array([0.6, 0.8]),
      quality: 1,
      origin: 'server',
      createdAt: 'x',
    });
    expect(s.templates.forModel('m')[0]?.embedding).toEqual(new Float32Array([0.6, 0.8]));
    s.roster.deleteStudent('st1');
    expect(s.templates.forModel('m')).toHaveLength(0);
    expect(s.roster.isEnrolled('c1', 'st1')).toBe(false);
  });

  it('local templates wait to be pushed, server templates do not', () => {
    const s = open();
    s.templates.upsert({
      id: 't1',
      studentId: 'st1',
      modelId: 'm',
      embedding: new Float32Array([1]),
      quality: null,
      origin: 'local',
      createdAt: 'a',
    });
    s.templates.upsert({
      id: 't2',
      studentId: 'st1',
      modelId: 'm',
      embedding: new Float32Array([1]),
      quality: null,
      origin: 'server',
      createdAt: 'b',
    });
    expect(s.templates.unpushed(10).map((t) => t.id)).toEqual(['t1']);
    s.templates.markPushed('t1');
    expect(s.templates.countUnpushed()).toBe(0);
  });

  it('validates settings updates and keeps the old values on a bad patch', () => {
    const s = open();
    expect(s.settings.update({ votesNeeded: 3 }).votesNeeded).toBe(3);
    expect(() => s.settings.update({ matchThreshold: 7 })).toThrow();
    expect(s.settings.get()).toMatchObject({
      votesNeeded: 3,
      matchThreshold: DEFAULT_SETTINGS.matchThreshold,
    });
  });
});

describe('admin PIN', () => {
  it('is stored hashed, verifies, and locks out after repeated failures', () => {
    let t = new Date('2026-03-02T09:00:00Z');
    const s = open(() => t);
    s.pin.setPin('123456');
    const raw = s.db.prepare('SELECT hash FROM admin_pin').get() as { hash: string };
    expect(raw.hash).not.toContain('123456');
    expect(s.pin.verify('123456').unlocked).toBe(true);
    let last = s.pin.verify('000000');
    for (let i = 1; i < PIN_MAX_FAILURES; i++) last = s.pin.verify('000000');
    expect(last.unlocked).toBe(false);
    expect(last.lockedUntil).not.toBeNull();
    // Even the right PIN is refused while locked.
    expect(s.pin.verify('123456')).toEqual({ unlocked: false, lockedUntil: last.lockedUntil });
    t = new Date(t.getTime() + 6 * 60_000);
    expect(s.pin.verify('123456').unlocked).toBe(true);
  });

  it('tells whether the stored PIN is still the factory default, without counting a failure', () => {
    const s = open();
    expect(s.pin.isFactoryDefault()).toBe(false); // no PIN yet
    s.pin.setPin(DEFAULT_ADMIN_PIN);
    expect(s.pin.isFactoryDefault()).toBe(true);
    s.pin.setPin('480317');
    expect(s.pin.isFactoryDefault()).toBe(false);
    // Asking many times never locks the real PIN out.
    for (let i = 0; i < PIN_MAX_FAILURES + 1; i++) s.pin.isFactoryDefault();
    expect(s.pin.verify('480317')).toEqual({ unlocked: true, lockedUntil: null, via: 'pin' });
  });
});
