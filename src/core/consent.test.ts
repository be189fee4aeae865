// Security review, finding 15 on the kiosk: consent was enforced only by the enrolment screen.
// The core enrolled a student without consent when asked directly (over IPC or the bridge), and
// a student whose consent was withdrawn on the server kept being recognised at the door from
// templates the kiosk held locally (enrolled here, not yet accepted by the server).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeEmbedding } from './testing/fake-engine.js';
import { pushKiosk, TEST_ADMIN_PIN } from './testing/push-kiosk.js';

const settle = () => new Promise((r) => setTimeout(r, 20));
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function kiosk() {
  const r = await pushKiosk(open);
  // One frame, then the engine's answer: the door decides per frame.
  const show = async (who: string) => {
    await r.show(who);
    await settle();
  };
  return { ...r, show };
}

/** A template of bob's enrolled at this kiosk (not yet accepted by the server), written at `createdAt`. */
const localTemplateOfBob = (createdAt: string) => ({
  id: randomUUID(),
  studentId: 'bob',
  modelId: 'fake-v1',
  embedding: fakeEmbedding('bob'),
  quality: 1,
  origin: 'local' as const,
  createdAt,
});

describe('consent is the core’s rule, not only the screen’s', () => {
  it('enrolStart refuses a student without consent, even when the screen is bypassed', async () => {
    const { k, h } = await kiosk();
    k.store.roster.upsertStudent({ id: 'dan', studentNumber: 'DAN', name: 'Dan No', consent: false });
    await h.adminUnlock({ pin: TEST_ADMIN_PIN });
    expect(await h.enrolStart({ studentId: 'dan', shots: 2 })).toMatchObject({
      ok: false,
      error: { code: 'no_consent' },
    });
    expect(k.store.templates.countUnpushed()).toBe(0);
  });

  it('a student whose consent is withdrawn is no longer recognised, and their local templates are gone', async () => {
    const { k, show, states } = await kiosk();
    // bob enrolled at this kiosk too: a local template the server has not accepted yet.
    k.store.templates.upsert(localTemplateOfBob('2026-03-02T08:00:00Z'));
    // The roster pull brings bob's withdrawn consent (the server tombstones only the templates it holds).
    k.store.roster.upsertStudent({ id: 'bob', studentNumber: 'BOB', name: 'Bob Moses', consent: false });
    k.reloadGallery();
    await show('bob');
    await show('bob');
    await show('bob');
    expect(states.some((s) => s.greeting?.kind === 'present')).toBe(false);
    expect(k.store.templates.countByStudent().get('bob') ?? 0).toBe(0);
    expect(k.store.templates.countUnpushed()).toBe(0);
  });

  it('a template written after the withdrawal (an enrolment that was under way) is not matched either', async () => {
    const { k, show, states } = await kiosk();
    k.store.roster.upsertStudent({ id: 'bob', studentNumber: 'BOB', name: 'Bob Moses', consent: false });
    k.store.templates.upsert(localTemplateOfBob('2026-03-02T09:01:00Z'));
    k.reloadGallery();
    await show('bob');
    await show('bob');
    await show('bob');
    expect(states.some((s) => s.greeting?.kind === 'present')).toBe(false);
  });

  it('students with consent are recognised as before', async () => {
    const { show, states } = await kiosk();
    await show('bob');
    await show('bob');
    expect(states.at(-1)?.greeting?.kind).toBe('present');
  });
});
