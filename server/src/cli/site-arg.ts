// `--site` of the import commands. The console shows sites by name and never their ids, so an
// admin with two sites types the name; both are accepted. One that matches no site (or two sites
// of that name) is refused with the list to choose from, before anything is read or written.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';

export class SiteArgError extends Error {}

/** The site id `--site` names (an id, or a name in any case); without `--site`, the default site. */
export async function resolveSiteArg(db: Kysely<DB>, given: string | undefined): Promise<string> {
  if (given === undefined) return 'default';
  const sites = await db.selectFrom('sites').select(['id', 'name']).orderBy('name').orderBy('id').execute();
  const byId = sites.find((s) => s.id === given);
  if (byId) return byId.id;
  const wanted = given.trim().toLowerCase();
  const byName = sites.filter((s) => s.name.trim().toLowerCase() === wanted);
  if (byName.length === 1) return byName[0]!.id;
  const list = sites.map((s) => `"${s.name}" (id ${s.id})`).join(', ');
  throw new SiteArgError(
    byName.length > 1
      ? `Several sites are called "${given}": give --site the id of the one meant. Sites: ${list}.`
      : `No site "${given}": give --site a site's name (as on the console's Sites & rooms page) or its id. Sites: ${list}.`,
  );
}

/** The site `--site` names, or (for a name that matches no site, or several) the reason and the usage, exit 2. */
export async function siteIdOrExit(
  database: Database,
  /** parseArgs's value of `--site` (a string option: never a boolean in practice). */
  given: string | boolean | undefined,
  usage: string,
): Promise<string> {
  try {
    return await resolveSiteArg(database.db, typeof given === 'string' ? given : undefined);
  } catch (err) {
    if (!(err instanceof SiteArgError)) throw err;
    await database.close();
    console.error(`${err.message}\n${usage}`);
    process.exit(2);
  }
}
