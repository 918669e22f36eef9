/**
 * Operation names: every operation gets a name that is a valid identifier, readable,
 * unique within its API and stable for a given spec.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Whether `name` can be used as-is as a JavaScript identifier. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** `repos/get-content` -> `reposGetContent`; a leading digit gets an underscore. */
export function toIdentifier(text: string): string {
  // `__proto__` is an identifier, but as an object key it would set the prototype instead.
  if (text === '__proto__') return 'proto';
  if (isIdentifier(text)) return text;
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((word, i) => (i === 0 ? word : capitalize(word))).join('');
  if (joined === '') return '_';
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** `get` `/pets/{petId}/toys` -> `getPetsByPetIdToys`. */
export function nameFromRoute(method: string, path: string): string {
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? `By${capitalize(toIdentifier(param[1]!))}` : capitalize(toIdentifier(segment));
    });
  return toIdentifier(method.toLowerCase() + parts.join(''));
}

/** `getNewsForApp` -> `GetNewsForApp`. */
export function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Make `wanted` names unique. Names are handed out first to the `preferred` entries (explicit
 * operationIds), then to the rest, each group in order; a name already taken gets the smallest
 * suffix `2`, `3`, ... that no other entry asks for. Returns the names in the input order.
 */
export function uniqueNames(wanted: string[], preferred: boolean[] = []): string[] {
  const asked = new Set(wanted);
  const taken = new Set<string>();
  const out: Array<string | undefined> = new Array(wanted.length);
  const order = wanted.map((_, i) => i).sort((a, b) => Number(Boolean(preferred[b])) - Number(Boolean(preferred[a])) || a - b);
  for (const i of order) {
    const name = wanted[i]!;
    if (!taken.has(name)) {
      taken.add(name);
      out[i] = name;
    }
  }
  for (const i of order) {
    if (out[i] !== undefined) continue;
    const name = wanted[i]!;
    let n = 2;
    while (taken.has(`${name}${n}`) || asked.has(`${name}${n}`)) n++;
    taken.add(`${name}${n}`);
    out[i] = `${name}${n}`;
  }
  return out as string[];
}
