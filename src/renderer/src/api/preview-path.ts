// The preview <img> URL, relative to the page like FRAME_PREVIEW_PATH itself. It names the
// camera start (`epoch`) as well as the frame (`seq`): a camera's seq starts again at 0, and an
// <img> URL seen before is answered from the browser's image cache whatever the server's
// Cache-Control says, which showed an earlier student's face under a new greeting.
import { FRAME_PREVIEW_PATH } from '../../../contracts/kiosk-api.js';

export function previewPath(seq: number, epoch?: string): string {
  const query = new URLSearchParams();
  if (epoch) query.set('epoch', epoch);
  query.set('seq', String(seq));
  return `${FRAME_PREVIEW_PATH}?${query.toString()}`;
}
