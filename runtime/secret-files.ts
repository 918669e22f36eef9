/**
 * Secrets kept in files: a credential (or its username, password, clientId or clientSecret) written
 * as `{file: /run/secrets/steam_key}` in the config is replaced by that file's content, trailing
 * line break removed. Relative paths are taken from the config file's folder.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Replace every `{file: PATH}` under `apis.*.credentials` by the file's text. Throws naming the key and file. */
export async function resolveSecretFiles(raw: unknown, configFile: string): Promise<unknown> {
  if (!isObject(raw) || !isObject(raw.apis)) return raw;
  const apis: Record<string, unknown> = {};
  for (const [api, conf] of Object.entries(raw.apis)) {
    if (!isObject(conf) || !isObject(conf.credentials)) {
      apis[api] = conf;
      continue;
    }
    const credentials: Record<string, unknown> = {};
    for (const [scheme, cred] of Object.entries(conf.credentials)) {
      const where = `apis.${api}.credentials.${scheme}`;
      if (isFileRef(cred)) credentials[scheme] = await readSecret(cred.file, configFile, where);
      else if (isObject(cred)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(cred)) out[k] = isFileRef(v) ? await readSecret(v.file, configFile, `${where}.${k}`) : v;
        credentials[scheme] = out;
      } else credentials[scheme] = cred;
    }
    apis[api] = { ...conf, credentials };
  }
  return { ...raw, apis };
}

async function readSecret(file: string, configFile: string, where: string): Promise<string> {
  const full = path.resolve(path.dirname(configFile), file);
  try {
    const text = (await readFile(full, 'utf8')).replace(/\r?\n$/, '');
    // Environment references are substituted after this step; a secret's own `${...}` must stay as it is.
    return text.replace(/\$\$?\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/g, (ref) => `$${ref}`);
  } catch (err) {
    throw new Error(`config ${configFile}: ${where}: cannot read secret file ${full}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

function isFileRef(value: unknown): value is { file: string } {
  return isObject(value) && Object.keys(value).length === 1 && typeof value.file === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
