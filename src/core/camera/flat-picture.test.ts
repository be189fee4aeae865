// A picture that shows nothing (a covered lens, a dark room) told apart from one that shows
// something, on real JPEGs as fswebcam sends them; and the webcam that sends it again and again
// is said to be covered, not frozen.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CameraController, NO_PICTURE_MS } from '../camera-controller.js';
import { silentLogger } from '../testing/fixtures.js';
import { isFlatPicture } from './flat-picture.js';
import { FramePipeline, type CameraListener, type CameraSource } from './index.js';

const FACE = readFileSync(join(import.meta.dirname, '../../../test/fixtures/faces/person-a-1.jpg'));

/** A 640×480 JPEG of one colour, as fswebcam encodes it (quality 90). */
const evenJpeg = (r: number, g: number, b: number) =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: { r, g, b } } })
    .jpeg({ quality: 90 })
    .toBuffer();

/** A dark room with something in it: black, and a dim lit doorway. */
const darkRoomJpeg = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 2, g: 2, b: 2 } } })
    .composite([
      {
        input: { create: { width: 80, height: 200, channels: 3, background: { r: 40, g: 38, b: 30 } } },
        left: 300,
        top: 200,
      },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();

describe('a picture that shows nothing', () => {
  it('is one even colour: black, or a blown-out white', async () => {
    expect(await isFlatPicture(await evenJpeg(0, 0, 0))).toBe(true);
    expect(await isFlatPicture(await evenJpeg(3, 3, 4))).toBe(true);
    expect(await isFlatPicture(await evenJpeg(255, 255, 255))).toBe(true);
  });

  it('is not a face, nor a dark room with anything in it, nor bytes that are not a picture', async () => {
    expect(await isFlatPicture(FACE)).toBe(false);
    expect(await isFlatPicture(await darkRoomJpeg())).toBe(false);
    expect(await isFlatPicture(new Uint8Array([0xff, 0xd8, 1, 2, 3]))).toBe(false);
  });

  it('sent by a webcam again and again, is a covered camera, not a frozen one', async () => {
    const black = new Uint8Array(await evenJpeg(0, 0, 0));
    let listener: CameraListener | null = null;
    const webcam: CameraSource = {
      kind: 'webcam',
      start: (l) => {
        listener = l;
        l.status('running', 'default camera');
      },
      stop: async () => undefined,
    };
    const camera = new CameraController({
      pipeline: new FramePipeline(async () => undefined, silentLogger()),
      logger: silentLogger(),
      onChange: () => undefined,
    });
    camera.start(webcam);
    for (let t = 0; t <= NO_PICTURE_MS; t += 1000)
      (listener as CameraListener | null)?.frame(black, { index: t / 1000, capturedAt: t });
    await expect.poll(() => camera.status.reason).toBe('covered');
    expect(camera.status.status).toBe('error');
    expect(camera.status.detail).toMatch(
      /^The camera sees only darkness or one flat colour .*Is the lens covered/,
    );
    await camera.stop();
  });
});
