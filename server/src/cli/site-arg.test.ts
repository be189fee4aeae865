import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSqlite, type TestDatabase } from '../../test/databases.js';
import { createSite } from '../repositories/rooms.js';
import { resolveSiteArg } from './site-arg.js';

describe('--site of the import commands', () => {
  let database: TestDatabase;
  let north: string;
  const cli = { kind: 'cli', id: null } as const;

  beforeAll(async () => {
    database = await openTestSqlite();
    const now = new Date().toISOString();
    north = (await createSite(database.db, { name: 'North campus', timezone: 'Europe/London' }, cli, now)).id;
    await createSite(database.db, { name: 'Annexe', timezone: 'UTC' }, cli, now);
    await createSite(database.db, { name: 'annexe', timezone: 'UTC' }, cli, now);
  });
  afterAll(async () => database?.cleanup());

  it('is the default site when not given', async () => {
    expect(await resolveSiteArg(database.db, undefined)).toBe('default');
  });

  it('takes a site id, or a site name as the console shows it, in any case', async () => {
    expect(await resolveSiteArg(database.db, north)).toBe(north);
    expect(await resolveSiteArg(database.db, 'North campus')).toBe(north);
    expect(await resolveSiteArg(database.db, ' north CAMPUS ')).toBe(north);
    expect(await resolveSiteArg(database.db, 'Default site')).toBe('default');
  });

  it('refuses a name no site has, listing the sites with their ids', async () => {
    await expect(resolveSiteArg(database.db, 'South campus')).rejects.toThrow(
      /^No site "South campus": give --site a site's name .*or its id.*"Default site" \(id default\).*"North campus" \(id /,
    );
  });

  it('refuses a name two sites share, asking for the id', async () => {
    await expect(resolveSiteArg(database.db, 'Annexe')).rejects.toThrow(
      /^Several sites are called "Annexe": give --site the id/,
    );
  });
});
