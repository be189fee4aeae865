// Whether a camera's picture shows nothing: one even colour, almost always black (a covered lens,
// a dark room; now and then a blown-out white). A webcam sending the same such picture again and
// again is not stuck: its sensor noise is clipped to one value, so its frames encode to the very
// same bytes though it works. The page's camera has the same rule on raw pixels (renderer
// camera/picture-watch.ts, isFlatSample).
import sharp from 'sharp';

/**
 * The largest spread of a channel (its standard deviation, 0-255) in a picture that shows
 * nothing. A dark room with anything in it (a lit doorway, a shape) spreads far more; JPEG's
 * own ringing on an even picture, far less.
 */
export const FLAT_STDEV = 3;

/** True when every channel of the JPEG or PNG barely varies; false for a picture that cannot be read. */
export async function isFlatPicture(data: Uint8Array): Promise<boolean> {
  try {
    // A copy: the frame's buffer is the caller's.
    const { channels } = await sharp(Buffer.from(data)).stats();
    return channels.length > 0 && channels.every((c) => c.stdev <= FLAT_STDEV);
  } catch {
    return false;
  }
}
