import { describe, expect, it } from 'vitest';
import { photoRefusal } from './photo-refusal.js';

describe('photoRefusal', () => {
  it('says in words why a photo was refused', () => {
    expect(photoRefusal('no_face')).toBe('no face found: use a photo where the face is clearly visible');
    expect(photoRefusal('unreadable_image: Input buffer contains unsupported image format')).toBe(
      'not a readable JPEG or PNG image',
    );
    expect(photoRefusal('poor_quality: too_small, blur')).toBe(
      'the face is too small (use a closer photo); the photo is blurred',
    );
    expect(photoRefusal('poor_quality: spoof, not_live')).toBe(
      'it looks like a photo of a print or a screen',
    );
  });

  it('does not blame the photo when the face engine stopped before it', () => {
    const words = 'the face engine stopped before this photo; nothing was stored from it, upload it again';
    expect(photoRefusal('face_engine_failed')).toBe(words);
    expect(photoRefusal('face_engine_failed: face worker stopped: face worker exited with code 1')).toBe(
      words,
    );
  });

  it('says a busy engine is busy, not stopped', () => {
    expect(photoRefusal('face_engine_busy: face engine busy: frame dropped')).toBe(
      'the face engine was busy with other uploads; nothing was stored from it, upload it again in a minute',
    );
  });

  it('says the engine could not analyse a photo it threw on, without calling the file unreadable', () => {
    expect(photoRefusal('analysis_failed: embedder faceplugin produced no 512-d output')).toBe(
      'the face engine could not analyse this photo; try another photo of the student',
    );
  });

  it('shows a code it does not know as it is', () => {
    expect(photoRefusal('not_stored')).toBe('not_stored');
    expect(photoRefusal('poor_quality: glare')).toBe('glare');
  });
});
