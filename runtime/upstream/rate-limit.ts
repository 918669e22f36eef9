/**
 * Per-API admission: a token bucket (requests per second, burst), a cap on concurrent upstream
 * requests, and a pause after a 429. Requests over the limit wait in a bounded FIFO queue;
 * past its size they are refused with RATE_LIMITED.
 */
import { RelayError } from '../errors.js';
import type { AbortLike } from '../abort.js';
import type { RateLimitConfig } from './config.js';

interface Waiter {
  grant: (release: () => void) => void;
  fail: (err: unknown) => void;
}

/** Gives out permits; each permit is one upstream attempt and must be released when it ends. */
export class RateLimiter {
  readonly #api: string;
  readonly #perSecond: number | null;
  readonly #burst: number;
  readonly #maxConcurrent: number;
  readonly #maxQueue: number;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #active = 0;
  #pausedUntil = 0;
  readonly #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** Told when a request has to wait for a permit, or is refused RATE_LIMITED (metrics; see observer.ts). */
  onEvent: ((event: 'wait' | 'refused') => void) | null = null;

  constructor(api: string, config: Partial<RateLimitConfig> & { maxQueue: number }, now: () => number = () => performance.now()) {
    this.#api = api;
    this.#perSecond = config.perSecond ?? null;
    this.#burst = config.burst ?? Math.max(1, Math.ceil(config.perSecond ?? 1));
    this.#maxConcurrent = config.maxConcurrent ?? Infinity;
    this.#maxQueue = config.maxQueue;
    this.#now = now;
    this.#tokens = this.#burst;
    this.#refilledAt = now();
  }

  /** Requests waiting for a permit. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Upstream attempts holding a permit. */
  get active(): number {
    return this.#active;
  }

  /** A release function when a permit is free now and nobody waits, else null (then `acquire`). */
  tryAcquire(): (() => void) | null {
    return this.#queue.length === 0 && this.#tryTake() ? this.#releaser() : null;
  }

  /** Resolves to a release function once a permit is free; rejects RATE_LIMITED when the queue is full, or with the signal's reason. */
  acquire(signal?: AbortLike): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (this.#queue.length >= this.#maxQueue) {
      this.onEvent?.('refused');
      return Promise.reject(new RelayError('RATE_LIMITED', [this.#api, this.#maxQueue]));
    }
    this.onEvent?.('wait');
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#queue.indexOf(waiter);
        if (i !== -1) this.#queue.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  /** Hold back every request of this API for `ms` (an upstream 429 asked for it). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
  }

  /** Stop the timer; waiting requests are refused with `reason`. */
  close(reason: unknown): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const waiter of this.#queue.splice(0)) waiter.fail(reason);
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#drain();
    };
  }

  #refill(): void {
    if (this.#perSecond === null) return;
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#perSecond);
    this.#refilledAt = now;
  }

  #tryTake(): boolean {
    if (this.#now() < this.#pausedUntil || this.#active >= this.#maxConcurrent) return false;
    this.#refill();
    if (this.#perSecond !== null) {
      if (this.#tokens < 1) return false;
      this.#tokens -= 1;
    }
    this.#active++;
    return true;
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#tryTake()) this.#queue.shift()!.grant(this.#releaser());
    this.#schedule();
  }

  /** Wake up when the next token or the end of a pause is due; a freed slot wakes us through release. */
  #schedule(): void {
    if (this.#timer || this.#queue.length === 0 || this.#active >= this.#maxConcurrent) return;
    const now = this.#now();
    let wait = Math.max(0, this.#pausedUntil - now);
    if (this.#perSecond !== null && this.#tokens < 1) wait = Math.max(wait, ((1 - this.#tokens) / this.#perSecond) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#drain();
    }, Math.ceil(wait) + 1);
  }
}
