// Admin settings, stored in the database (not in memory) so every instance sees the same.
import { z } from 'zod';
import type { Executor } from './executor.js';

export const Settings = z.object({
  /** Keep uploaded photos after embedding them (off: photos are discarded). */
  retainPhotos: z.boolean().default(false),
});
export type Settings = z.infer<typeof Settings>;
export const SettingsPatch = Settings.partial();

export async function readSettings(db: Executor): Promise<Settings> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
  const raw: Record<string, unknown> = {};
  for (const r of rows) {
    try {
      raw[r.key] = JSON.parse(r.value);
    } catch {
      // A corrupt value falls back to its default below rather than breaking every request.
    }
  }
  const parsed = Settings.safeParse(raw);
  return parsed.success ? parsed.data : Settings.parse({});
}

export async function writeSettings(
  db: Executor,
  patch: z.infer<typeof SettingsPatch>,
  now: string,
): Promise<Settings> {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    await db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
      .execute();
  }
  return readSettings(db);
}
