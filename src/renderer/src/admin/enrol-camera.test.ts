import { describe, expect, it } from 'vitest';
import { enrolCameraNote } from './enrol-camera.js';

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

  it("the page's own camera refused (getUserMedia failed) counts as not available", () => {
    expect(
      enrolCameraNote({ status: 'starting' }, false, 'NotReadableError: Could not start video source'),
    ).toMatchObject({
      kind: 'error',
      title: 'The camera is not available',
    });
  });
});
