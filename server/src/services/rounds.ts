// The rounds of a periodic job on one server instance (the notification scheduler, the
// silent-kiosk checker): a call while a round runs shares that round instead of starting a
// second one, and stop() refuses new rounds and waits for the one in hand (used on close).
// The round itself checks `stopped` between its steps so that close is not held up by a long one.
export class Rounds<T> {
  private current: Promise<T> | null = null;
  private stopping = false;

  constructor(private readonly round: () => Promise<T>) {}

  run(): Promise<T> {
    this.current ??= this.round().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.catch(() => undefined);
  }
}
