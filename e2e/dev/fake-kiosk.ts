// An in-memory stand-in for the kiosk core, ONLY for looking at screens during UI work
// (`npx tsx e2e/dev/screens.ts`). The e2e suite never uses it: it runs the real core.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KioskChannelKey, KioskState, Result } from '../../src/contracts/kiosk-api.js';
import type { BridgeKiosk } from '../../src/core/bridge/index.js';

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function baseState(): KioskState {
  const now = Date.now();
  return {
    engine: { state: 'ready', progress: 1, backend: 'wasm', modelId: 'faceres', error: null },
    camera: { status: 'running', detail: null, fps: 9.8 },
    frame: { width: 640, height: 480, seq: 1 },
    faces: [{ box: [0.36, 0.2, 0.26, 0.42], label: 'Colin Powell', state: 'recognised', hint: null }],
    greeting: {
      kind: 'present',
      studentId: 's1',
      name: 'Colin Powell',
      message: 'Maths 9A · 08:02',
      at: new Date(now).toISOString(),
      scores: { similarity: 0.71, margin: 0.22, votes: 3, window: 5 },
    },
    session: {
      sessionId: 'maths@2026-11-29',
      className: 'Maths 9A',
      startsAt: new Date(now - 5 * 60_000).toISOString(),
      endsAt: new Date(now + 55 * 60_000).toISOString(),
      lateAfter: new Date(now + 5 * 60_000).toISOString(),
    },
    room: { id: 'r1', name: 'Room 101' },
    sync: {
      paired: true,
      serverUrl: 'http://server.local:8080',
      online: false,
      queueDepth: 3,
      templateQueueDepth: 0,
      lastPushAt: new Date(now - 600_000).toISOString(),
      lastPullAt: new Date(now - 900_000).toISOString(),
      lastError: 'connect ECONNREFUSED 10.0.0.5:8080',
      syncing: false,
      progress: 0,
    },
    droppedFrames: 0,
    templateCoverage: { modelId: 'faceres', recognisable: 1, needReEnrolment: 1, students: 2 },
  };
}

export function fakeKiosk(
  frameFile = resolve(import.meta.dirname, '..', 'fixtures', 'frames', 'powell-01.jpg'),
) {
  let state = baseState();
  const listeners = new Set<(s: KioskState) => void>();
  const frame = readFileSync(frameFile);
  const roster = [
    {
      id: 's1',
      studentNumber: '1001',
      name: 'Colin Powell',
      consent: true,
      templates: 3,
      usableTemplates: 3,
      needsReEnrolment: false,
      enrolledInActiveClass: true,
    },
    {
      id: 's2',
      studentNumber: '1002',
      name: 'Angelina Jolie',
      consent: true,
      templates: 0,
      usableTemplates: 0,
      needsReEnrolment: false,
      enrolledInActiveClass: true,
    },
    {
      id: 's3',
      studentNumber: '1003',
      name: 'Hugo Chavez',
      consent: false,
      templates: 0,
      usableTemplates: 0,
      needsReEnrolment: false,
      enrolledInActiveClass: false,
    },
    {
      id: 's4',
      studentNumber: '1004',
      name: 'Tony Blair',
      consent: true,
      templates: 2,
      usableTemplates: 0,
      needsReEnrolment: true,
      enrolledInActiveClass: true,
    },
  ];
  const handlers: Record<KioskChannelKey, (a: unknown) => Promise<Result<unknown>>> = {
    getState: async () => ok(state),
    adminUnlock: async (a) =>
      ok({ unlocked: (a as { pin: string }).pin === '1234', lockedUntil: null, recovery: false }),
    adminLock: async () => ok(null),
    // factoryPin false: with the factory PIN the admin area shows only "set a new PIN" (the PIN must be changed first), and these screenshots need every tab.
    adminStatus: async () => ok({ factoryPin: false, pinRecovery: false }),
    adminChangePin: async () => ok({ factoryPin: false, pinRecovery: false }),
    appQuit: async () => ok({ quitting: true }),
    rosterList: async () => ok(roster),
    logToday: async () =>
      ok([
        {
          eventId: '7a0c9a2e-1b1e-4b43-9d7e-7f0f4b1f0a01',
          kind: 'mark',
          studentId: 's1',
          name: 'Colin Powell',
          status: 'present',
          occurredAt: new Date().toISOString(),
          scores: { similarity: 0.71, margin: 0.22, votes: 3, window: 5 },
          undone: false,
          synced: false,
        },
        {
          eventId: '7a0c9a2e-1b1e-4b43-9d7e-7f0f4b1f0a02',
          kind: 'manual',
          studentId: 's2',
          name: 'Angelina Jolie',
          status: 'excused',
          occurredAt: new Date().toISOString(),
          scores: null,
          undone: true,
          synced: true,
        },
      ]),
    markManual: async () => ok({ eventId: '7a0c9a2e-1b1e-4b43-9d7e-7f0f4b1f0a03' }),
    markUndo: async () => ok({ eventId: '7a0c9a2e-1b1e-4b43-9d7e-7f0f4b1f0a04' }),
    enrolStart: async () =>
      ok({ studentId: 's2', kept: 2, wanted: 5, hint: 'too_small', qualities: [0.82, 0.55], done: false }),
    enrolStatus: async () =>
      ok({ studentId: 's2', kept: 2, wanted: 5, hint: 'too_small', qualities: [0.82, 0.55], done: false }),
    enrolCancel: async () => ok(null),
    syncNow: async () => ok(state.sync),
    syncHistory: async () =>
      ok([{ at: new Date().toISOString(), kind: 'push', ok: false, detail: 'connect ECONNREFUSED' }]),
    pair: async () => ok(state.sync),
    settingsGet: async () =>
      ok({
        cameraSpec: 'webcam:/dev/video0',
        roomId: 'r1',
        matchThreshold: 0.5,
        matchMargin: 0.05,
        votesNeeded: 3,
        voteWindow: 5,
        cooldownSeconds: 120,
        livenessLevel: 'standard',
        soundCue: true,
        allowInsecureServer: false,
      }),
    settingsUpdate: async () => handlers.settingsGet(undefined),
    cameraReport: async () => ok(null),
  };
  const kiosk: BridgeKiosk = {
    handlers,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    pushFrame: () => {},
    latestFrame: () => ({ seq: state.frame?.seq ?? 0, data: frame }),
  };
  return {
    kiosk,
    set(patch: Partial<KioskState>) {
      state = { ...state, ...patch };
      for (const l of listeners) l(state);
    },
  };
}
