import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/** Column types that differ between the two databases; everything else is spelled the same. */
export interface ColumnTypes {
  bigint: 'integer' | 'bigint';
  blob: 'blob' | 'bytea';
}

export const columnTypes = (dialect: DialectName): ColumnTypes =>
  dialect === 'sqlite' ? { bigint: 'integer', blob: 'blob' } : { bigint: 'bigint', blob: 'bytea' };

export interface Migration {
  version: number;
  name: string;
  /**
   * Runs inside the migration's transaction. `any` because a migration must keep working
   * when the DB interface later changes: it describes the schema as it was.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}
