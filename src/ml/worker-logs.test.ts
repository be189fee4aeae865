import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { writeWorkerLog } from './worker-logs.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(chunk.toString('utf8'));
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  // A kiosk's logger: it has a `name` of its own, and the engine's child binds its component.
  const log = pino({ name: 'rollcall-kiosk', level, base: { service: 'kiosk' } }, sink);
  return { lines, raw, log: log.child({ component: 'face-engine' }) };
}

/** A line as the worker's pino writes it. */
function workerLine(level: string, fields: object, msg: string): string {
  let out = '';
  const w = pino({ name: 'ml-worker', level: 'trace' }, { write: (l: string) => (out = l) });
  (w as unknown as Record<string, (o: object, m: string) => void>)[level]!(fields, msg);
  return out;
}

describe('writeWorkerLog', () => {
  it("writes the worker's record with the caller's logger, level and fields", () => {
    const { lines, raw, log } = capture('info');
    writeWorkerLog(log, workerLine('info', { backend: 'wasm', loadMs: 12 }, 'face engine ready'));
    expect(lines).toHaveLength(1);
    // One `name`, the caller's: a repeated key in one JSON line is refused by some log stores.
    expect(raw.join('').match(/"name":/g)).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      service: 'kiosk',
      component: 'face-engine',
      name: 'rollcall-kiosk',
      thread: 'ml-worker',
      backend: 'wasm',
      loadMs: 12,
      msg: 'face engine ready',
    });
  });

  it("obeys the caller's level", () => {
    const { lines, log } = capture('warn');
    writeWorkerLog(log, workerLine('info', {}, 'chatter'));
    writeWorkerLog(log, workerLine('error', { code: 'E' }, 'broken'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[50, 'broken']]);
  });

  it('keeps a line that is not JSON as a warning', () => {
    const { lines, log } = capture('info');
    writeWorkerLog(log, 'plain text from somewhere\n');
    expect(lines[0]).toMatchObject({ level: 40, worker: 'plain text from somewhere' });
  });
});
