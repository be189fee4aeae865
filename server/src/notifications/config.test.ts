import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, parseEnv } from '../config.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'rollcall-notify-config-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('notification and metrics settings from the environment', () => {
  it('are off without SMTP_URL and METRICS_TOKEN, or with them empty (compose passes ${VAR:-})', () => {
    const config = configFromEnv({ DATA_DIR: tempDir() });
    expect(config.notifications).toBeUndefined();
    expect(config.metricsToken).toBeUndefined();
    const empty = configFromEnv({ DATA_DIR: tempDir(), SMTP_URL: '', METRICS_TOKEN: '' });
    expect(empty.notifications).toBeUndefined();
    expect(empty.metricsToken).toBeUndefined();
  });

  it('read SMTP_URL and the NOTIFY_* variables', () => {
    const config = configFromEnv({
      DATA_DIR: tempDir(),
      SMTP_URL: 'smtp://mailer:secret@mail.school.example:587',
      MAIL_FROM: 'Attendance <attendance@school.example>',
      NOTIFY_ABSENCE_TO: 'both',
      NOTIFY_DELAY_MINUTES: '30',
      NOTIFY_KIOSK_WAIT_MINUTES: '45',
      NOTIFY_DIGEST_TIME: 'off',
      NOTIFY_TICK_SECONDS: '10',
      METRICS_TOKEN: 'a-long-scrape-token-123',
    });
    expect(config.notifications).toMatchObject({
      smtpUrl: 'smtp://mailer:secret@mail.school.example:587',
      from: 'Attendance <attendance@school.example>',
      absenceRecipients: 'both',
      delayMinutes: 30,
      kioskWaitMinutes: 45,
      digestTime: null,
      tickMs: 10_000,
    });
    expect(config.metricsToken).toBe('a-long-scrape-token-123');
  });

  it('fail the boot on bad values, naming them', () => {
    const env = {
      SMTP_URL: 'http://mail',
      NOTIFY_ABSENCE_TO: 'parents',
      NOTIFY_DIGEST_TIME: '25:00',
      METRICS_TOKEN: 'short',
    };
    expect(() => parseEnv(env)).toThrow(ConfigError);
    try {
      parseEnv(env);
    } catch (err) {
      for (const name of Object.keys(env)) expect((err as Error).message).toContain(name);
    }
  });
});
