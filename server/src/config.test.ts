import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, parseEnv } from './config.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'rollcall-config-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('configuration from the environment', () => {
  it('works with zero set-up: SQLite under DATA_DIR, port 8000, a persisted generated secret', () => {
    const dir = tempDir();
    const config = configFromEnv({ DATA_DIR: dir });
    expect(config.port).toBe(8000);
    expect(config.database).toEqual({ kind: 'sqlite', filename: join(dir, 'rollcall.sqlite') });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(config.jwtSecret);
    expect(configFromEnv({ DATA_DIR: dir }).jwtSecret).toBe(config.jwtSecret);
  });

  it('selects PostgreSQL from DATABASE_URL and uses a given secret', () => {
    const config = configFromEnv({
      DATA_DIR: tempDir(),
      DATABASE_URL: 'postgres://u@db:5432/rollcall',
      JWT_SECRET: 'x'.repeat(40),
      PORT: '9000',
    });
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://u@db:5432/rollcall' });
    expect(config.jwtSecret).toBe('x'.repeat(40));
    expect(config.port).toBe(9000);
  });

  it('fails at boot with every bad variable named', () => {
    expect(() => parseEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' })).toThrow(
      ConfigError,
    );
    try {
      parseEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/DATABASE_URL/);
      expect((err as Error).message).toMatch(/JWT_SECRET/);
    }
  });

  it('quotes a number variable that is not a number, rather than "received NaN"', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(
      /^Invalid environment:\n {2}PORT: must be a whole number, not "eighty"$/,
    );
  });
});
