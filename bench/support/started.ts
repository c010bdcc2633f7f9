// What a benchmark started, stopped the last first, however far its start-up got: the
// stack's services run in process groups of their own, so a benchmark that failed
// half-way through starting them would otherwise leave them running.
export class Started {
  private readonly stops: (() => Promise<unknown>)[] = [];

  /** Remembers how to stop `value`, and hands it back. */
  add<T>(value: T, stop: (value: T) => Promise<unknown>): T {
    this.stops.push(() => stop(value));
    return value;
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}
