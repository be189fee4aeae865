// 010: the face model each kiosk runs (`devices.face_model_id`), as it reports it with its
// health on every push and with every roster pull. Null until a kiosk of this version reports:
// older kiosks never do. Never edit once shipped: add 011.
import type { Migration } from './types.js';

export const migration010: Migration = {
  version: 10,
  name: 'device-face-model',
  async up(db) {
    await db.schema.alterTable('devices').addColumn('face_model_id', 'text').execute();
  },
};
