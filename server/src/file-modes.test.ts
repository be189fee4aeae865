// Security review, finding 9: the server's database (with its WAL and SHM), the JWT secret and
// the data directory are private to the service user.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import { openSqlite } from './db/database.js';
import { migrate } from './db/migrate.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe.runIf(process.platform !== 'win32')('server files at rest', () => {
  it('creates the data dir 0700 and the JWT secret, the SQLite database, its WAL and SHM 0600', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'rollcall-modes-')), 'data');
    const previous = process.umask(0o022); // the usual default: files would be 0644
    try {
      const config = configFromEnv({ DATA_DIR: dataDir });
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, 'jwt-secret'))).toBe(0o600);
      if (config.database.kind !== 'sqlite') throw new Error('expected sqlite');
      const database = openSqlite(config.database.filename);
      await migrate(database);
      for (const f of ['', '-wal', '-shm'])
        expect(mode(config.database.filename + f), `rollcall.sqlite${f}`).toBe(0o600);
      await database.close();
    } finally {
      process.umask(previous);
    }
  });
});
