// Wrong passwords are counted per account as well as per client: a guesser spread over many
// addresses is stopped after ACCOUNT_FAILURES.max wrong passwords in the window, on the API's
// login and the console's sign-in alike, and an unknown email is treated the same way (the
// answer never says whether an account exists).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { ACCOUNT_FAILURES } from '../services/auth.js';

const dialects = await testDialects();

describe.each(dialects)('per-account sign-in throttle on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let client = 0;
  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
  });
  afterAll(async () => {
    if (!dialect.available) return;
    await t.app.close();
    await database.cleanup();
  });

  /** Each call from a new address: the per-client limit never applies here. */
  const signIn = (email: string, password: string, url = '/api/auth/login') =>
    t.app.inject({
      method: 'POST',
      url,
      remoteAddress: `198.51.100.${++client % 250}`,
      headers: { 'x-rollcall-console': '1' },
      payload: { email, password },
    });

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('stops an account after the limit of wrong passwords from many addresses, even the right one, until the window ends', async () => {
      const user = await createUser(database, 'teacher');
      for (let i = 0; i < ACCOUNT_FAILURES.max; i++) {
        const url = i % 2 === 0 ? '/api/auth/login' : '/api/auth/session';
        expect((await signIn(user.email, `wrong guess ${i}`, url)).statusCode).toBe(401);
      }
      const throttled = await signIn(user.email, user.password);
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json()).toMatchObject({ error: 'account_throttled' });
      expect((await signIn(user.email, user.password, '/api/auth/session')).statusCode).toBe(429);
      // Other accounts are not affected.
      const other = await createUser(database, 'teacher');
      expect((await signIn(other.email, other.password)).statusCode).toBe(200);

      t.clock.advance(ACCOUNT_FAILURES.windowMs);
      expect((await signIn(user.email, user.password)).statusCode).toBe(200);
    });

    it('guesses sent all at once get no more than the limit between them', async () => {
      const user = await createUser(database, 'teacher');
      const answers = await Promise.all(
        Array.from({ length: 3 * ACCOUNT_FAILURES.max }, (_, i) =>
          signIn(user.email, `parallel guess ${i}`, i % 2 === 0 ? '/api/auth/login' : '/api/auth/session'),
        ),
      );
      const codes = answers.map((a) => a.statusCode);
      expect(codes.filter((c) => c === 401)).toHaveLength(ACCOUNT_FAILURES.max);
      expect(codes.filter((c) => c === 429)).toHaveLength(2 * ACCOUNT_FAILURES.max);
      expect((await signIn(user.email, user.password)).statusCode).toBe(429);
    });

    it('a successful sign-in starts the count again', async () => {
      const user = await createUser(database, 'teacher');
      for (let i = 0; i < ACCOUNT_FAILURES.max - 1; i++) await signIn(user.email, `wrong ${i}`);
      expect((await signIn(user.email, user.password)).statusCode).toBe(200);
      for (let i = 0; i < ACCOUNT_FAILURES.max - 1; i++)
        expect((await signIn(user.email, `wrong again ${i}`)).statusCode).toBe(401);
      expect((await signIn(user.email, user.password)).statusCode).toBe(200);
    });

    it('an unknown email is answered exactly like a known one, throttle included', async () => {
      const answers: number[] = [];
      for (let i = 0; i <= ACCOUNT_FAILURES.max; i++)
        answers.push((await signIn('nobody@school.example', `guess ${i}`)).statusCode);
      expect(answers.slice(0, ACCOUNT_FAILURES.max).every((c) => c === 401)).toBe(true);
      expect(answers.at(-1)).toBe(429);
    });
  });
});
