// Reading a photo upload (POST /api/students/:id/photos) one file at a time. The route used to
// buffer every file of the request before embedding the first, so an upload at the limits held
// 20 x 10 MB at once; here a photo is read only when the previous one has been handled, so the
// server holds one photo of an upload at a time (busboy pauses the socket meanwhile). Limits
// are refused as soon as they are crossed, never after the whole body was read.
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { HttpError } from '../errors.js';
import type { PhotoInput } from '../services/photo-templates.js';

/** Photos one upload may carry: a 21st is refused (413 `too_many_files`) when it begins. */
export const PHOTOS_PER_UPLOAD = 20;
/** Room for each part's multipart headers and the closing boundary, beyond the photos themselves. */
const PART_OVERHEAD_BYTES = 16 * 1024;
/** Text fields are never used by the route: a few small ones are tolerated, none is kept long. */
const FIELD_LIMIT_BYTES = 1024;
const FIELDS_PER_UPLOAD = 4;

/**
 * The multipart parser's limits for a photo upload: the only route that reads multipart
 * registers the parser with these (routes/student-photos.ts), and reads its files with them.
 */
export const photoUploadLimits = (photoLimitBytes: number) => ({
  fileSize: photoLimitBytes,
  files: PHOTOS_PER_UPLOAD,
  fields: FIELDS_PER_UPLOAD,
  fieldSize: FIELD_LIMIT_BYTES,
  fieldNameSize: 100,
  parts: PHOTOS_PER_UPLOAD + FIELDS_PER_UPLOAD,
  // A browser sends two headers per part (Content-Disposition, Content-Type).
  headerPairs: 16,
});

const inMb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** The largest body an upload within the limits can have. */
export const maxUploadBytes = (photoLimitBytes: number) =>
  PHOTOS_PER_UPLOAD * (photoLimitBytes + PART_OVERHEAD_BYTES) + PART_OVERHEAD_BYTES;

/**
 * Refuses, before any byte of it is read, a body whose declared length no upload within the
 * limits can have. (A chunked body declares none; the per-file and file-count limits bound it.)
 */
export function assertUploadLength(request: FastifyRequest, photoLimitBytes: number): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxUploadBytes(photoLimitBytes))
    throw new HttpError(
      413,
      'payload_too_large',
      `This upload is ${inMb(declared)}: one upload carries at most ${PHOTOS_PER_UPLOAD} photos of at most ${inMb(photoLimitBytes)} each. Send fewer photos at a time; nothing was stored.`,
    );
}

/** A file's bytes, or null as soon as it passes `limit` (the rest of it is never buffered). */
async function readWithin(file: Readable & { truncated?: boolean }, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop destroys the file stream: the multipart parser stops there.
    if (size > limit || file.truncated === true) return null;
    chunks.push(chunk);
  }
  if (file.truncated === true) return null;
  return Buffer.concat(chunks, size);
}

/**
 * The upload's photos, each read only when the caller asks for the next. Throws a 413
 * `HttpError` at the first photo over `photoLimitBytes` or the first file beyond
 * PHOTOS_PER_UPLOAD; the photos yielded before it stand, so the caller reports them.
 */
export async function* photosOneByOne(
  request: FastifyRequest,
  photoLimitBytes: number,
): AsyncGenerator<PhotoInput> {
  const parts = request.files({
    limits: photoUploadLimits(photoLimitBytes),
    // Checked here, as the bytes arrive: the plugin's own check waits for the end of the file.
    throwFileSizeLimit: false,
  });
  try {
    for await (const part of parts) {
      const bytes = await readWithin(part.file, photoLimitBytes);
      if (bytes === null)
        throw new HttpError(
          413,
          'payload_too_large',
          `"${part.filename}" is larger than ${inMb(photoLimitBytes)}, the limit for one photo: it and the photos after it were not read; the photos before it were handled, each with its result.`,
        );
      yield { filename: part.filename, mime: part.mimetype, bytes };
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT')
      throw new HttpError(
        413,
        'too_many_files',
        `One upload carries at most ${PHOTOS_PER_UPLOAD} photos: the first ${PHOTOS_PER_UPLOAD} were handled, each with its result; the others were not read. Send them in another upload.`,
      );
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT')
      throw new HttpError(
        413,
        'too_many_parts',
        `An upload carries photos only (at most ${PHOTOS_PER_UPLOAD}, and at most ${FIELDS_PER_UPLOAD} small text fields, which are ignored): the photos before the extra part were handled, each with its result; the rest were not read.`,
      );
    throw err;
  }
}
