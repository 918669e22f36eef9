/**
 * A circuit breaker per upstream origin: after a run of failed attempts it opens and requests
 * fail fast with CIRCUIT_OPEN; after a cool-down one trial attempt is let through (half-open),
 * whose outcome closes the circuit again or reopens it.
 */
import { RelayError } from '../errors.js';
import type { CircuitBreakerConfig } from './config.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  readonly #origin: string;
  readonly #config: CircuitBreakerConfig;
  readonly #now: () => number;
  #failures = 0;
  #openedAt = 0;
  #state: CircuitState = 'closed';
  #trialInFlight = false;

  constructor(origin: string, config: CircuitBreakerConfig, now: () => number = () => performance.now()) {
    this.#origin = origin;
    this.#config = config;
    this.#now = now;
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#config.cooldownMs) return 'half-open';
    return this.#state;
  }

  /** Throws CIRCUIT_OPEN unless an attempt may go now; in half-open only one trial goes at a time. */
  enter(): void {
    if (this.#config.failures === 0) return;
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.#trialInFlight) {
      this.#state = 'half-open';
      this.#trialInFlight = true;
      return;
    }
    const left = Math.max(0, Math.ceil(this.#config.cooldownMs - (this.#now() - this.#openedAt)));
    throw new RelayError('CIRCUIT_OPEN', [this.#origin, this.#failures, left]);
  }

  /** The attempt reached a healthy upstream (any status but 5xx). */
  success(): void {
    this.#failures = 0;
    this.#state = 'closed';
    this.#trialInFlight = false;
  }

  /** The attempt failed: no status, or a 5xx. */
  failure(): void {
    if (this.#config.failures === 0) return;
    this.#failures++;
    if (this.#state === 'half-open' || this.#failures >= this.#config.failures) {
      this.#state = 'open';
      this.#openedAt = this.#now();
    }
    this.#trialInFlight = false;
  }

  /** The attempt ended without telling anything about the upstream (cancelled, refused locally). */
  neutral(): void {
    if (this.#trialInFlight) {
      this.#trialInFlight = false;
      this.#state = 'open';
    }
  }
}
