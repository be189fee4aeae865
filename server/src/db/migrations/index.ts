import { migration001 } from './001-initial.js';
import { migration002 } from './002-notification-jobs.js';
import { migration003 } from './003-attendance-session-index.js';
import { migration004 } from './004-rate-limits.js';
import { migration005 } from './005-session-versions.js';
import { migration006 } from './006-site-changes.js';
import { migration007 } from './007-pin-recovery-codes.js';
import { migration008 } from './008-school-year.js';
import { migration009 } from './009-silent-kiosks.js';
import { migration010 } from './010-device-face-model.js';
import { migration011 } from './011-class-archive.js';
import { migration012 } from './012-archived-schedule-versions.js';
import { migration013 } from './013-device-clock-offset.js';
import { migration014 } from './014-photo-template-hash.js';
import { migration015 } from './015-device-admin-name.js';
import { migration016 } from './016-device-camera.js';
import { migration017 } from './017-audit-entity-index.js';
import type { Migration } from './types.js';

/** Every migration, in order. Append only; never edit or reorder a shipped one. */
export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
  migration013,
  migration014,
  migration015,
  migration016,
  migration017,
];
