// Writes a log line of the face worker thread with the caller's logger. The worker's pino
// serialises each record to one JSON line and posts it; here it becomes a record of the
// caller's logger (its destination, base fields, child bindings and redaction), at its level.
import type { Level, Logger } from 'pino';

const LEVEL_NAMES: Record<number, Level> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields pino adds to every line by itself: the caller's logger writes its own. */
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name']);

export function writeWorkerLog(log: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a record');
    record = parsed as Record<string, unknown>;
  } catch {
    // Not pino's JSON (it always is): keep the text rather than lose it.
    log.warn({ worker: line.trimEnd() }, 'worker log line');
    return;
  }
  const level = LEVEL_NAMES[Number(record.level)] ?? 'info';
  // The worker's logger name becomes `thread`: pino does not merge keys, so a second `name` beside
  // the caller's (a kiosk's "rollcall-kiosk") would repeat the key in one JSON line, which some
  // log stores refuse.
  const fields: Record<string, unknown> = { thread: record.name };
  for (const [k, v] of Object.entries(record)) if (!OWN_FIELDS.has(k)) fields[k] = v;
  log[level](fields, typeof record.msg === 'string' ? record.msg : '');
}
