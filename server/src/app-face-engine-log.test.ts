// The face engine the server loads for photo imports logs through the server's own logger: its
// lines carry the server's fields and obey LOG_LEVEL, instead of a second pino of its own printing
// at info to stderr (which `npm run demo` used to show as a raw JSON line in its summary).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { defaultAppConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-engine-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capturingLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level, base: { service: 'rollcall-server' } }, sink) };
}

describe("the server's default face engine", () => {
  it('logs through the app logger at its level, and stops with the app', { timeout: 60_000 }, async () => {
    const { lines, logger } = capturingLogger('info');
    const app = await buildApp(
      defaultAppConfig({ database: { kind: 'sqlite', filename: join(dir, 'info.db') } }),
      { logger },
    );
    let engine;
    try {
      engine = await app.ctx.faceEngine();
    } finally {
      await app.close();
    }
    // Closing the app stopped the engine it loaded (its worker would keep the process alive).
    await expect(engine.analyse(new Uint8Array([1, 2, 3]))).rejects.toThrow(/disposed/);
    const ready = lines.find((l) => l.msg === 'face engine ready');
    expect(ready, JSON.stringify(lines)).toBeDefined();
    expect(ready).toMatchObject({ service: 'rollcall-server', component: 'face-engine' });
  });
});
