/**
 * Per-API TLS options from the config: a custom CA bundle, a client certificate for mutual TLS,
 * a minimum version, and the explicit, logged opt-out of verification. Files are read and checked
 * once at start-up; an unreadable or malformed file stops the relay with the key that named it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { TlsConfig } from './config.js';

export interface LoadedTls {
  /** Connection options by API name, only for APIs with a `tls` key. */
  options: Map<string, ConnectionOptions>;
  /** Start-up warnings (verification turned off). */
  warnings: string[];
}

/** Read the PEM files named in `apis.<name>.tls` (relative paths from `baseDir`) and build connection options. */
export async function loadTls(apis: Record<string, { tls?: TlsConfig }>, baseDir: string): Promise<LoadedTls> {
  const options = new Map<string, ConnectionOptions>();
  const warnings: string[] = [];
  for (const [api, { tls }] of Object.entries(apis)) {
    if (tls === undefined || Object.keys(tls).length === 0) continue;
    const key = `config apis.${api}.tls`;
    const read = async (field: 'ca' | 'cert' | 'key'): Promise<string | undefined> => {
      const file = tls[field];
      if (file === undefined) return undefined;
      const full = path.resolve(baseDir, file);
      try {
        return await readFile(full, 'utf8');
      } catch (err) {
        throw new Error(`${key}.${field}: cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
      }
    };
    const opts: ConnectionOptions = {};
    const [ca, cert, pem] = [await read('ca'), await read('cert'), await read('key')];
    if (ca !== undefined) opts.ca = ca;
    if (cert !== undefined) opts.cert = cert;
    if (pem !== undefined) opts.key = pem;
    if (tls.minVersion !== undefined) opts.minVersion = tls.minVersion;
    if (tls.dangerouslyDisableVerification === true) {
      opts.rejectUnauthorized = false;
      warnings.push(
        `${key}.dangerouslyDisableVerification is true: the certificates of API ${api} are NOT verified; ` +
          'anyone between relay and its server can read and change the traffic, credentials included',
      );
    }
    try {
      // Parses every PEM and checks that the key matches the certificate, so mistakes surface now.
      // node:tls is loaded here, when some API has TLS settings, rather than at every start.
      const { createSecureContext } = await import('node:tls');
      createSecureContext(opts);
    } catch (err) {
      throw new Error(`${key}: ${(err as Error).message}`, { cause: err });
    }
    if (ca !== undefined && !/-----BEGIN CERTIFICATE-----/.test(ca)) throw new Error(`${key}.ca: ${tls.ca} holds no PEM certificate`);
    options.set(api, opts);
  }
  return { options, warnings };
}
