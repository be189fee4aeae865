// Why the server refused an enrolment photo, in words an admin can act on. The server answers
// stable codes (services/photo-templates.ts: `no_face`, `unreadable_image: …`,
// `poor_quality: too_small, blur, …`, `analysis_failed: …`, `face_engine_failed` /
// `face_engine_busy` for a photo not processed, and the template store's own); unknown ones are
// shown as they are rather than hidden.

const GATES: Record<string, string> = {
  too_small: 'the face is too small (use a closer photo)',
  pose: 'the face is turned away (it should look at the camera)',
  blur: 'the photo is blurred',
  too_dark: 'the photo is too dark',
  spoof: 'it looks like a photo of a print or a screen',
  not_live: 'it looks like a photo of a print or a screen',
};

export function photoRefusal(reason: string): string {
  const [code = '', detail = ''] = reason.split(/:\s*(.*)/s);
  switch (code) {
    case 'no_face':
      return 'no face found: use a photo where the face is clearly visible';
    case 'unreadable_image':
      return 'not a readable JPEG or PNG image';
    case 'poor_quality': {
      const why = [...new Set(detail.split(/,\s*/).map((g) => GATES[g] ?? g))].filter(Boolean);
      return why.length > 0 ? why.join('; ') : 'the face is not clear enough';
    }
    case 'analysis_failed':
      // The engine's own error on this image (detail for the log): the file reads, and the
      // engine works for other photos.
      return 'the face engine could not analyse this photo; try another photo of the student';
    case 'face_engine_failed':
      // Not the photo's fault: the server's face engine stopped before it (detail for the log).
      return 'the face engine stopped before this photo; nothing was stored from it, upload it again';
    case 'face_engine_busy':
      // Many uploads at once: the engine works, it only had no room for this one.
      return 'the face engine was busy with other uploads; nothing was stored from it, upload it again in a minute';
    case 'no_consent':
      return 'no consent recorded for face recognition';
    default:
      return reason;
  }
}
