import { describe, expect, it } from 'vitest';
import { greetingView, hintText, isGreetingFresh, lockoutText, sessionLine, syncBadge, GREETING_VISIBLE_MS } from './view-model';

const g = (kind: Parameters<typeof greetingView>[0]['kind'], name: string | null = 'Ada Lovelace') => ({
  kind,
  studentId: name ? 's1' : null,
  name,
  message: '',
  at: '2026-11-29T08:00:00.000Z',
  scores: null,
});

describe('greetingView', () => {
  it('says what happened for every kind', () => {
    expect(greetingView(g('present'))).toMatchObject({ salutation: 'Welcome', headline: 'Ada Lovelace', status: 'Marked present', tone: 'good' });
    expect(greetingView(g('late')).status).toBe('Marked late');
    expect(greetingView(g('already_marked')).status).toBe('Already marked');
    expect(greetingView(g('not_enrolled')).status).toMatch(/not on this class's list/i);
    expect(greetingView(g('unknown', null))).toMatchObject({ headline: 'Not recognised', status: 'Please see your teacher', tone: 'bad' });
    expect(greetingView(g('no_session', null))).toMatchObject({ salutation: 'Hello', headline: 'there' });
  });
  it('adds the class that got the mark instead of repeating the core message', () => {
    const v = greetingView({ ...g('present'), message: 'Welcome, Ada Lovelace' }, 'Maths 9A');
    expect(v.detail).toMatch(/^Maths 9A · \d\d:\d\d$/);
    expect(greetingView(g('unknown', null)).detail).toBe('Nothing was recorded');
  });
});

describe('isGreetingFresh', () => {
  const at = Date.parse('2026-11-29T08:00:00.000Z');
  it('shows a greeting for a few seconds only', () => {
    expect(isGreetingFresh(g('present'), at + 1000)).toBe(true);
    expect(isGreetingFresh(g('present'), at + GREETING_VISIBLE_MS + 1)).toBe(false);
    expect(isGreetingFresh(null, at)).toBe(false);
  });
  it('shows a greeting whose time cannot be read', () => {
    expect(isGreetingFresh({ ...g('present'), at: 'garbage' }, at)).toBe(true);
  });
});

describe('sessionLine', () => {
  const session = {
    sessionId: 'sch1@2026-11-29',
    className: 'Maths 9A',
    startsAt: '2026-11-29T08:00:00.000Z',
    endsAt: '2026-11-29T09:30:00.000Z',
    lateAfter: '2026-11-29T08:10:00.000Z',
  };
  it('says there is no class', () => {
    expect(sessionLine(null, 0).title).toBe('No class now');
    expect(sessionLine(null, 0, true).title).toBe('No class today');
  });
  it('gives time left and the late cut-off', () => {
    const early = sessionLine(session, Date.parse('2026-11-29T08:05:00.000Z'));
    expect(early.title).toBe('Maths 9A');
    expect(early.detail).toContain('1 h 25 min left');
    expect(early.detail).toContain('on time until');
    const late = sessionLine(session, Date.parse('2026-11-29T09:20:00.000Z'));
    expect(late.detail).toContain('10 min left');
    expect(late.detail).toContain('late');
  });
});

describe('syncBadge', () => {
  const base = { paired: true, serverUrl: 'http://x', online: true, queueDepth: 0, templateQueueDepth: 0, lastPushAt: null, lastPullAt: null, lastError: null, syncing: false, progress: 0 };
  it('is hidden when everything is uploaded', () => {
    expect(syncBadge(base)).toBeNull();
  });
  it('counts marks waiting while offline', () => {
    expect(syncBadge({ ...base, online: false, queueDepth: 1 })).toEqual({ text: 'Offline · 1 mark waiting', tone: 'bad' });
    expect(syncBadge({ ...base, online: false, queueDepth: 2, templateQueueDepth: 1 })?.text).toBe('Offline · 3 marks waiting');
  });
  it('tells an unpaired kiosk apart', () => {
    expect(syncBadge({ ...base, paired: false })?.text).toBe('Not paired');
  });
});

describe('hints and lockout', () => {
  it('turns gate codes into phrases and passes sentences through', () => {
    expect(hintText('too_small')).toBe('Move closer');
    expect(hintText('Look up a bit')).toBe('Look up a bit');
    expect(hintText(null)).toBeNull();
  });
  it('counts the lockout down', () => {
    expect(lockoutText('2026-11-29T08:01:05.000Z', Date.parse('2026-11-29T08:00:00.000Z'))).toBe('Too many wrong PINs. Try again in 1 min 5 s.');
    expect(lockoutText('2026-11-29T08:00:00.000Z', Date.parse('2026-11-29T08:00:00.000Z'))).toBe('You can try again now.');
  });
});
