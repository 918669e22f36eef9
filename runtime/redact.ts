/**
 * Secret redaction: every configured credential is replaced by `***` wherever it could surface
 * (log lines, error messages, upstream bodies that echo the request).
 */

const MASK = '***';

/** Replaces known secret values (raw, percent-encoded and, for basic auth, base64) in text. */
export class Redactor {
  #needles: string[];

  constructor(secrets: Iterable<string>) {
    const needles = new Set<string>();
    for (const secret of secrets) {
      // Very short values would mask innocent text and are not worth hiding anyway.
      if (secret.length < 4) continue;
      needles.add(secret);
      needles.add(encodeURIComponent(secret));
    }
    // Longest first, so that a secret containing another is masked whole.
    this.#needles = [...needles].sort((a, b) => b.length - a.length);
  }

  /** Mask one more secret from now on (e.g. an OAuth2 access token once it is fetched). */
  add(secret: string): void {
    if (secret.length < 4) return;
    const fresh = [secret, encodeURIComponent(secret)].filter((needle, i, both) => both.indexOf(needle) === i && !this.#needles.includes(needle));
    if (fresh.length === 0) return;
    this.#needles.push(...fresh);
    this.#needles.sort((a, b) => b.length - a.length);
  }

  get active(): boolean {
    return this.#needles.length > 0;
  }

  redact(text: string): string {
    let out = text;
    for (const needle of this.#needles) if (out.includes(needle)) out = out.split(needle).join(MASK);
    return out;
  }
}
