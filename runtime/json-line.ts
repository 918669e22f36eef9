/**
 * Checking JSON text without building it: a JSON upstream body that passes goes into the reply as it
 * came (no JSON.parse + JSON.stringify, whose cost grows with the body), on one line.
 * @see https://www.rfc-editor.org/rfc/rfc8259
 */

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * `text` as one line when it is exactly one JSON value (what JSON.parse accepts), else null.
 * Raw CR and LF can only be whitespace between tokens in valid JSON, so they become spaces.
 * Iterative: nesting depth costs an array slot, never a stack frame.
 */
export function jsonLine(text: string): string | null {
  const scan = new Scanner(text);
  const open: number[] = [];
  scan.space();
  for (;;) {
    // A value starts at scan.i.
    const c = text.charCodeAt(scan.i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      scan.i++;
      scan.space();
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      if (text.charCodeAt(scan.i) === close) scan.i++;
      else {
        open.push(close);
        if (c === OPEN_BRACE && !scan.key()) return null;
        continue;
      }
    } else if (!scan.scalar()) return null;
    // After a value: close what ends here, then a comma leads to the next value.
    for (;;) {
      scan.space();
      if (open.length === 0) return scan.i === text.length ? scan.oneLine() : null;
      const next = text.charCodeAt(scan.i);
      const close = open[open.length - 1]!;
      if (next === close) {
        open.pop();
        scan.i++;
        continue;
      }
      if (next !== COMMA) return null;
      scan.i++;
      scan.space();
      if (close === CLOSE_BRACE && !scan.key()) return null;
      break;
    }
  }
}

class Scanner {
  i = 0;
  #newline = false;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  space(): void {
    const text = this.#text;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (c === SPACE || c === TAB) this.i++;
      else if (c === LF || c === CR) {
        this.#newline = true;
        this.i++;
      } else return;
    }
  }

  /** `"key"` `:` and the whitespace up to the value. */
  key(): boolean {
    if (!this.string()) return false;
    this.space();
    if (this.#text.charCodeAt(this.i) !== COLON) return false;
    this.i++;
    this.space();
    return true;
  }

  scalar(): boolean {
    const text = this.#text;
    const c = text.charCodeAt(this.i);
    if (c === QUOTE) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, this.i)) {
        this.i += word.length;
        return true;
      }
    }
    return false;
  }

  string(): boolean {
    const text = this.#text;
    if (text.charCodeAt(this.i) !== QUOTE) return false;
    let i = this.i + 1;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c) || c < 0x20) return false;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
          continue;
        }
        // " \ / b f n r t
        if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) return false;
        i += 2;
        continue;
      }
      i++;
    }
    this.i = i + 1;
    return true;
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  number(): boolean {
    const text = this.#text;
    let i = this.i;
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else {
      const start = i;
      while (isDigit(text.charCodeAt(i))) i++;
      if (i === start) return false;
    }
    if (text.charCodeAt(i) === 0x2e) {
      const start = ++i;
      while (isDigit(text.charCodeAt(i))) i++;
      if (i === start) return false;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      const start = i;
      while (isDigit(text.charCodeAt(i))) i++;
      if (i === start) return false;
    }
    this.i = i;
    return true;
  }

  oneLine(): string {
    return this.#newline ? this.#text.replace(/[\r\n]/g, ' ') : this.#text;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
