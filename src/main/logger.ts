// Main-process logs go to <userData>/logs/rollcall.log as JSON lines (pino), so a kiosk's
// history survives restarts and can be collected by an admin.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';

export function createFileLogger(logDir: string, level = 'info'): Logger {
  mkdirSync(logDir, { recursive: true });
  return pino(
    { name: 'rollcall', level },
    pino.destination({ dest: join(logDir, 'rollcall.log'), sync: false, mkdir: true }),
  );
}
