// The ordered list of kiosk migrations. Append only.
import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-pin-recovery.js';
import { migration0003 } from './0003-school-year.js';
import { migration0004 } from './0004-pin-lockouts.js';
import { migration0005 } from './0005-door-captures.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
];
