/**
 * The per-API allow-list of upstream hosts (`apis.<name>.allowedHosts`): every server an API's
 * operations would call, whether from the spec, the config's `server` or `--server`, must be on it.
 * Checked once at start-up.
 */

/**
 * Whether `url`'s host matches an entry: `host` (any port), `host:port`, `[v6]:port`,
 * or `*.example.com` (any subdomain, not the domain itself). Case-insensitive.
 */
export function hostAllowed(url: URL, allowed: string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowed.some((raw) => {
    const entry = raw.toLowerCase();
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    const host = withPort ? withPort[1]! : entry;
    if (withPort && withPort[2] !== port) return false;
    if (host.startsWith('*.')) return hostname.endsWith(host.slice(1));
    return host === hostname;
  });
}

/** Throws an Error naming the API, the server and the list when a server is not allowed. */
export function checkAllowedHosts(operations: Iterable<{ api: string; origin: string | null }>, apis: Record<string, { allowedHosts?: string[] }>): void {
  const seen = new Set<string>();
  for (const op of operations) {
    const allowed = apis[op.api]?.allowedHosts;
    if (allowed === undefined || op.origin === null || seen.has(`${op.api} ${op.origin}`)) continue;
    seen.add(`${op.api} ${op.origin}`);
    if (!hostAllowed(new URL(op.origin), allowed)) {
      throw new Error(
        `config apis.${op.api}.allowedHosts: API ${op.api} would call ${op.origin}, which is not allowed ` +
          `(allowed: ${allowed.join(', ')}); fix --server ${op.api}=URL or apis.${op.api}.server, or extend the list`,
      );
    }
  }
}
