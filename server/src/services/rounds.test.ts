import { describe, expect, it } from 'vitest';
import { Rounds } from './rounds.js';

describe('rounds of a periodic job', () => {
  it('shares the round in progress, then starts a new one', async () => {
    let started = 0;
    let finish!: () => void;
    const rounds = new Rounds(async () => {
      started++;
      await new Promise<void>((r) => (finish = r));
      return started;
    });
    const a = rounds.run();
    const b = rounds.run();
    expect(a).toBe(b);
    finish();
    expect(await a).toBe(1);
    const c = rounds.run();
    finish();
    expect(await c).toBe(2);
  });

  it('stop() marks it stopped and waits for the round in hand, even a failing one', async () => {
    let finish!: () => void;
    const rounds = new Rounds(async () => {
      await new Promise<void>((r) => (finish = r));
      throw new Error('smtp down');
    });
    const round = rounds.run().catch((err: Error) => err.message);
    let stopped = false;
    const stopping = rounds.stop().then(() => (stopped = true));
    expect(rounds.stopped).toBe(true);
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(await round).toBe('smtp down');
  });
});
