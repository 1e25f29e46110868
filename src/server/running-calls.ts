// The tool calls running in this process, each with an abort signal of our own. The SDK drops
// the reply of a request whose own signal it aborted, so a shutdown that must still answer
// cancels calls through this signal instead: the call ends with a `cancelled` result that is sent.
export class RunningCalls {
  private readonly controllers = new Set<AbortController>();
  private open = true;

  get size(): number {
    return this.controllers.size;
  }

  /** False once a shutdown began: new calls are refused, running ones go on. */
  get accepting(): boolean {
    return this.open;
  }

  stopAccepting(): void {
    this.open = false;
  }

  /** Runs `work` with a signal aborted when the request's `signal` is, or by `cancelAll`. */
  async run<T>(signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const follow = (): void => controller.abort(signal.reason);
    if (signal.aborted) follow();
    else signal.addEventListener('abort', follow, { once: true });
    this.controllers.add(controller);
    try {
      return await work(controller.signal);
    } finally {
      this.controllers.delete(controller);
      signal.removeEventListener('abort', follow);
    }
  }

  /** Aborts every running call; returns how many there were. */
  cancelAll(reason: string): number {
    const count = this.controllers.size;
    for (const controller of this.controllers) controller.abort(new Error(reason));
    return count;
  }
}
