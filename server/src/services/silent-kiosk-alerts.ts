// The silent-kiosk checker: every round (a timer on each instance, `check()` in tests) it finds
// the kiosks silent in school hours past the admin setting (silent-kiosks.ts) and tells the
// admins ONCE per silence episode: one email to the active admins (when SMTP is configured)
// and one audit row `device.silent`. An episode is identified by the kiosk's `last_seen_at`:
// the claim is a conditional UPDATE of `silence_alerted_for`, so of several instances exactly
// one sends, and a kiosk heard from again (newer `last_seen_at`) starts a new episode.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { SiteClock } from '../../../src/contracts/site-time.js';
import type { Clock } from '../clock.js';
import type { DB } from '../db/schema.js';
import type { Mailer } from '../notifications/mailer.js';
import { silentKioskEmail } from '../notifications/messages.js';
import { writeAudit } from '../repositories/audit.js';
import { readSettings } from '../repositories/settings.js';
import { findSilentKiosks, type SilentKiosk } from './silent-kiosks.js';
import { Rounds } from './rounds.js';

export interface SilentCheckResult {
  /** Kiosks silent past the threshold right now. */
  silent: number;
  /** New episodes recorded (audit row written) in this round. */
  alerted: number;
  /** Emails sent (one per new episode, to every active admin). */
  emailed: number;
  /** Emails that failed; the episode is retried next round. */
  failed: number;
}

/** A silence episode is keyed by the contact it follows; a kiosk paired but never heard from has none. */
const episodeOf = (k: Pick<SilentKiosk, 'lastSeenAt'>) => k.lastSeenAt ?? 'never';

export class SilentKioskChecker {
  private readonly rounds = new Rounds<SilentCheckResult>(() => this.round());

  constructor(
    private readonly deps: { db: Kysely<DB>; clock: Clock; mailer: Mailer | null; logger: Logger },
  ) {}

  /** One round; concurrent calls on this instance share the round in progress. */
  check(): Promise<SilentCheckResult> {
    return this.rounds.run();
  }

  async stop(): Promise<void> {
    await this.rounds.stop();
  }

  private async round(): Promise<SilentCheckResult> {
    const { db, clock } = this.deps;
    const result: SilentCheckResult = { silent: 0, alerted: 0, emailed: 0, failed: 0 };
    if (this.rounds.stopped) return result;
    const now = clock.now();
    const { silentKioskMinutes } = await readSettings(db);
    const silent = await findSilentKiosks(db, now, silentKioskMinutes);
    result.silent = silent.length;
    for (const kiosk of silent) {
      if (this.rounds.stopped) break;
      if (kiosk.alertedFor === episodeOf(kiosk)) continue;
      await this.alert(kiosk, now, silentKioskMinutes, result);
    }
    return result;
  }

  private async alert(kiosk: SilentKiosk, now: Date, threshold: number, result: SilentCheckResult) {
    const { db, mailer, logger } = this.deps;
    const episode = episodeOf(kiosk);
    const claimed = await db
      .updateTable('devices')
      .set({ silence_alerted_for: episode })
      .where('id', '=', kiosk.deviceId)
      .where((eb) =>
        kiosk.lastSeenAt === null
          ? eb('last_seen_at', 'is', null)
          : eb('last_seen_at', '=', kiosk.lastSeenAt),
      )
      .where((eb) => eb.or([eb('silence_alerted_for', 'is', null), eb('silence_alerted_for', '!=', episode)]))
      .returning('id')
      .executeTakeFirst();
    if (!claimed) return; // another instance took it, or the kiosk called in meanwhile

    let emailedTo = 0;
    if (mailer) {
      const admins = await db
        .selectFrom('users')
        .select('email')
        .where('role', '=', 'admin')
        .where('disabled', '=', 0)
        .orderBy('email')
        .execute();
      if (admins.length > 0) {
        try {
          await mailer.send({
            to: admins.map((a) => a.email),
            ...(await this.message(kiosk, threshold)),
            notificationKey: `silent-kiosk:${kiosk.deviceId}:${episode}`,
          });
          emailedTo = admins.length;
          result.emailed += 1;
        } catch (err) {
          // Hand the episode back so the next round tries again.
          await db
            .updateTable('devices')
            .set({ silence_alerted_for: kiosk.alertedFor })
            .where('id', '=', kiosk.deviceId)
            .where('silence_alerted_for', '=', episode)
            .execute();
          result.failed += 1;
          logger.warn(
            { component: 'silent-kiosks', deviceId: kiosk.deviceId, err: (err as Error).message },
            'silent-kiosk email failed; will retry',
          );
          return;
        }
      }
    }
    await writeAudit(
      db,
      {
        actor: { kind: 'system', id: null },
        action: 'device.silent',
        entity: 'device',
        entityId: kiosk.deviceId,
        detail: {
          lastSeenAt: kiosk.lastSeenAt,
          silentSince: kiosk.since,
          minutes: kiosk.minutes,
          thresholdMinutes: threshold,
          emailedAdmins: emailedTo,
        },
      },
      now.toISOString(),
    );
    result.alerted += 1;
    logger.warn(
      {
        component: 'silent-kiosks',
        deviceId: kiosk.deviceId,
        minutes: kiosk.minutes,
        emailedAdmins: emailedTo,
      },
      'kiosk silent in school hours',
    );
  }

  private async message(kiosk: SilentKiosk, threshold: number) {
    const { db } = this.deps;
    const [site, room] = await Promise.all([
      db.selectFrom('sites').select(['name', 'timezone']).where('id', '=', kiosk.siteId).executeTakeFirst(),
      db.selectFrom('rooms').select('name').where('id', '=', kiosk.roomId).executeTakeFirst(),
    ]);
    const tz = site?.timezone ?? 'UTC';
    const local = (iso: string | null) => {
      if (iso === null) return null;
      const w = new SiteClock(tz).wallClockAt(new Date(iso));
      return `${w.date} ${w.time}`;
    };
    return silentKioskEmail({
      kioskName: kiosk.name,
      roomName: room?.name ?? kiosk.roomId,
      siteName: site?.name ?? kiosk.siteId,
      timezone: tz,
      lastSeen: local(kiosk.lastSeenAt),
      silentSince: local(kiosk.since) ?? '',
      minutes: kiosk.minutes,
      thresholdMinutes: threshold,
    });
  }
}
