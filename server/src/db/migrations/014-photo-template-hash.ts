// 014: `templates.photo_sha256`, the SHA-256 (hex) of the photo file a `photo` template was
// made from, so importing the same photo folder again (or uploading the same photo again)
// adds nothing: services/photo-templates.ts looks the file up before embedding it. The photo
// itself is still never kept unless retainPhotos says so; the digest goes with its template.
// Null for kiosk and door templates and for photo templates made before this version (those
// are recognised by their embedding on the next import and get their digest then).
// The unique index makes "once per student, face model and file" hold even when two imports
// race; NULLs never collide on either database. Never edit once shipped: add 015.
import type { Migration } from './types.js';

export const migration014: Migration = {
  version: 14,
  name: 'photo-template-hash',
  async up(db) {
    await db.schema.alterTable('templates').addColumn('photo_sha256', 'text').execute();
    await db.schema
      .createIndex('templates_photo_once')
      .on('templates')
      .columns(['student_id', 'model_id', 'photo_sha256'])
      .unique()
      .execute();
  },
};
