// Admin settings, stored in the database (not in memory) so every instance sees the same.
import { z } from 'zod';
import type { Executor } from './executor.js';

/** Each setting's rule, without its default: a PATCH must not reset the fields it does not name. */
const SETTING_RULES = {
  /** Keep uploaded photos after embedding them (off: photos are discarded). */
  retainPhotos: z.boolean(),
  /**
   * A paired kiosk not heard from for this many minutes of school hours is flagged in the
   * kiosk list and admins are emailed once (services/silent-kiosks.ts). Kiosks sync every 30 s.
   */
  silentKioskMinutes: z.number().int().min(5).max(600),
  /**
   * Template freshness (docs/recognition.md): kiosks may add a door capture as an extra template
   * of a student it marked with a large margin (repositories/door-templates.ts). Off by default:
   * an admin opts in.
   */
  doorTemplates: z.boolean(),
};

export const Settings = z.object({
  retainPhotos: SETTING_RULES.retainPhotos.default(false),
  silentKioskMinutes: SETTING_RULES.silentKioskMinutes.default(30),
  doorTemplates: SETTING_RULES.doorTemplates.default(false),
});
export type Settings = z.infer<typeof Settings>;
/** Only the named fields change (zod 4's `.partial()` would fill the others with their defaults). */
export const SettingsPatch = z.object(SETTING_RULES).partial().strict();

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
