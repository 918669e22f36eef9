/**
 * `relay-run --print-config`: the effective config with every credential masked, so that it can be
 * shown or pasted into an issue. Usernames, client ids, scopes and token URLs stay visible.
 */
import type { RelayConfig } from './config.js';

const MASK = '***';
/** Keys of a credential object whose values are not secret. */
const PUBLIC = new Set(['username', 'clientId', 'scopes', 'tokenUrl', 'clientAuth']);

/** A copy of `config` with credential secrets and the client auth token replaced by `***`. */
export function maskSecrets(config: RelayConfig): RelayConfig {
  const apis: RelayConfig['apis'] = {};
  for (const [name, api] of Object.entries(config.apis)) {
    const credentials = Object.fromEntries(
      Object.entries(api.credentials ?? {}).map(([scheme, cred]) => [
        scheme,
        typeof cred === 'string' ? MASK : Object.fromEntries(Object.entries(cred).map(([k, v]) => [k, PUBLIC.has(k) ? v : MASK])),
      ]),
    );
    apis[name] = api.credentials ? { ...api, credentials: credentials as NonNullable<typeof api.credentials> } : { ...api };
  }
  // The client auth token is a secret too.
  const auth = config.auth.token === null ? config.auth : { ...config.auth, token: MASK };
  return { ...config, apis, auth };
}
