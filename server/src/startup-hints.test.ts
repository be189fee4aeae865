// The first words of `npm run server`: where the console is and, until an admin can sign in,
// the command that creates the first one.
import { describe, expect, it } from 'vitest';
import { openTestSqlite, testDialects } from '../test/databases.js';
import { insertUser } from './repositories/users.js';
import { consoleLine, networkAddresses, startupHints } from './startup-hints.js';

const dialects = await testDialects();

describe.each(dialects)('startup hints on $name', (dialect) => {
  it.skipIf(!dialect.available)(
    'name the console, and the create-admin command while no admin can sign in',
    async () => {
      const database = await dialect.open();
      try {
        const hints = () => startupHints(database.db, 'http://127.0.0.1:8000');
        const fresh = await hints();
        expect(fresh.consoleUrl).toBe('http://127.0.0.1:8000/');
        expect(fresh.noAdmin).toMatch(/npm run server:create-admin -- --email <your email>/);
        expect(fresh.noAdmin).toMatch(/then sign in at http:\/\/127\.0\.0\.1:8000\/$/);

        const now = new Date().toISOString();
        // A teacher cannot set the school up: still no admin.
        await insertUser(
          database.db,
          { email: 'tess@school.example', name: 'Tess', role: 'teacher', passwordHash: 'x' },
          now,
        );
        expect((await hints()).noAdmin).not.toBeNull();

        const admin = await insertUser(
          database.db,
          { email: 'ada@school.example', name: 'Ada', role: 'admin', passwordHash: 'x' },
          now,
        );
        expect((await hints()).noAdmin).toBeNull();

        // The only admin disabled: nobody can sign in to manage the school any more.
        await database.db.updateTable('users').set({ disabled: 1 }).where('id', '=', admin.id).execute();
        expect((await hints()).noAdmin).not.toBeNull();
      } finally {
        await database.cleanup();
      }
    },
  );
});

describe('startup hints of a server others reach, or of the built image', () => {
  it('name the console at each address other computers reach the server at, not at loopback', async () => {
    const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({
      address,
      family,
      internal,
      netmask: '',
      mac: '',
      cidr: null,
      ...(family === 'IPv6' ? { scopeid: 0 } : {}),
    });
    const interfaces = {
      lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
      eth0: [iface('192.0.2.2', 'IPv4'), iface('fe80::1', 'IPv6'), iface('fd00::5', 'IPv6')],
    } as Parameters<typeof networkAddresses>[1];
    expect(networkAddresses('0.0.0.0', interfaces)).toEqual(['192.0.2.2']);
    expect(networkAddresses('::', interfaces)).toEqual(['192.0.2.2', 'fd00::5']);
    expect(networkAddresses('192.0.2.2', interfaces)).toEqual(['192.0.2.2']);
    expect(networkAddresses('127.0.0.1', interfaces)).toEqual([]);

    const database = await openTestSqlite();
    try {
      const hints = await startupHints(database.db, 'http://127.0.0.1:8000', {
        networkAddresses: ['192.0.2.2', 'fd00::5'],
      });
      expect(consoleLine(hints)).toBe(
        'staff console at http://127.0.0.1:8000/ (kiosks and other computers: http://192.0.2.2:8000/, ' +
          'http://[fd00::5]:8000/; open the console there to pair a kiosk)',
      );
      const local = await startupHints(database.db, 'http://127.0.0.1:8000', { networkAddresses: [] });
      expect(consoleLine(local)).toBe('staff console at http://127.0.0.1:8000/');
      // Port 80 is in no address: URL leaves the protocol's own port out.
      const onEighty = await startupHints(database.db, 'http://127.0.0.1:80', {
        networkAddresses: ['192.0.2.2'],
      });
      expect(onEighty.networkUrls).toEqual(['http://192.0.2.2/']);
      // The address the operator gave (PUBLIC_URL) wins over this computer's interfaces.
      const published = await startupHints(database.db, 'http://127.0.0.1:8000', {
        networkAddresses: ['192.0.2.2'],
        publicUrl: 'https://rollcall.school.example/',
      });
      expect(published.networkUrls).toEqual(['https://rollcall.school.example/']);
      // In the image the interfaces are the container's, which no kiosk reaches: none are named.
      const container = await startupHints(database.db, 'http://0.0.0.0:8000', {
        networkAddresses: ['172.28.16.3'],
        built: true,
      });
      expect(container.networkUrls).toEqual([]);
    } finally {
      await database.cleanup();
    }
  });

  it('give the built image (no npm scripts there) the node command, run in its container', async () => {
    const database = await openTestSqlite();
    try {
      const hints = await startupHints(database.db, 'http://127.0.0.1:8000', { built: true });
      expect(hints.noAdmin).toContain('`node server/src/cli/create-admin.js --email <your email>');
      expect(hints.noAdmin).toContain('docker compose exec server');
      expect(hints.noAdmin).not.toContain('npm run');
    } finally {
      await database.cleanup();
    }
  });
});
