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
 * Make `wanted` names unique in order: the first keeps its name, later ones get `2`, `3`, ...
 * Returns the names in the same order.
 */
export function uniqueNames(wanted: string[]): string[] {
  const taken = new Set<string>();
  return wanted.map((name) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}${n}`;
    taken.add(candidate);
    return candidate;
  });
}
