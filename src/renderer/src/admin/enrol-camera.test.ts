import { describe, expect, it } from 'vitest';
import { enrolCameraNote, enrolNoteOffersSettings, noticeOffersCameraSettings } from './enrol-camera.js';

describe('the Enrol screen without a camera picture', () => {
  it('says nothing while there is a picture: the core camera runs, or the page has its own stream', () => {
    expect(enrolCameraNote({ status: 'running' }, false)).toBeNull();
    // The page's own camera (Electron) shows its stream before the core has its first frame.
    expect(enrolCameraNote({ status: 'starting' }, true)).toBeNull();
  });

  it('says what is wrong and what to check, without the technical detail or blame', () => {
    for (const status of ['missing', 'error'] as const) {
      const note = enrolCameraNote({ status }, false);
      expect(note?.title).toMatch(/^The camera is not (available|working)$/);
      expect(note?.detail).toMatch(/cable/);
      expect(note?.detail).toMatch(/camera setting/);
      expect(`${note?.title} ${note?.detail}`).not.toMatch(/you (broke|forgot|must)|fswebcam|\/dev\//i);
    }
    expect(enrolCameraNote({ status: 'stopped' }, false)).toMatchObject({
      kind: 'off',
      title: 'The camera is turned off',
    });
    expect(enrolCameraNote({ status: 'starting' }, false)?.kind).toBe('starting');
  });

  it("offers one way to the camera setting on Enrol: the note's, not also the notice's", () => {
    const engine = { state: 'ready' as const, progress: 1, backend: null, modelId: null, error: null };
    const missing = { engine, camera: { status: 'missing' as const, detail: 'no camera', fps: 0 } };
    expect(enrolNoteOffersSettings(enrolCameraNote(missing.camera, false))).toBe(true);
    expect(noticeOffersCameraSettings('enrol', missing, false)).toBe(false);
    expect(noticeOffersCameraSettings('today', missing, false)).toBe(true);
    expect(noticeOffersCameraSettings('settings', missing, false)).toBe(false);
    // A failed engine is not mended in the camera setting.
    const broken = {
      engine: { ...engine, state: 'error' as const, error: 'wasm' },
      camera: { ...missing.camera, status: 'running' as const },
    };
    expect(noticeOffersCameraSettings('today', broken, false)).toBe(false);
  });
});
