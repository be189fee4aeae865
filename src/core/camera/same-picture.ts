// How long a camera has been delivering the very same picture. A live sensor has noise: no two
// captures of even a still scene encode to the same bytes, so byte-identical frames for long
// mean a stuck driver or capture pipeline, however regularly it keeps delivering them.
import { createHash } from 'node:crypto';

export class SamePicture {
  private last: string | null = null;
  private since = 0;

  /**
   * A frame's bytes, captured at `at` (ms, the kiosk's clock): how long (ms) the picture has been
   * byte-identical, 0 for a new picture. A digest, not the bytes, is kept: a frame may be
   * handed on (and its buffer transferred) after this.
   */
  see(data: Uint8Array, at: number): number {
    const digest = createHash('sha256').update(data).digest('base64');
    if (digest !== this.last) {
      this.last = digest;
      this.since = at;
      return 0;
    }
    return Math.max(0, at - this.since);
  }

  reset(): void {
    this.last = null;
    this.since = 0;
  }
}
