/**
 * Aborting a request in flight: a cheap stand-in for AbortController, one per request.
 * Node's AbortController is an EventTarget; creating one and adding and removing listeners cost about
 * 8 % of relay's CPU at 256 requests in flight (docs/performance.md). Relay's own code needs only
 * `aborted`, `reason` and abort listeners, which `Abort` gives with a plain array, and the upstream
 * code takes any `AbortLike`, so callers (and tests) may still pass a real AbortSignal.
 */

/** The part of AbortSignal that relay uses. */
export interface AbortLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Controller and signal in one. Listeners run once, in order, on the first `abort`. */
export class Abort implements AbortLike {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> | null = null;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = null;
    if (listeners) for (const listener of listeners) listener();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (!listeners) return;
    const i = listeners.lastIndexOf(listener);
    if (i !== -1) listeners.splice(i, 1);
  }
}
