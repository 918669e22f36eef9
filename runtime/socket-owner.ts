/**
 * Who owns the UNIX socket (`listen.unixOwner`, `listen.unixGroup`): user and group names or numeric
 * ids, resolved to ids at start-up. Node has no getpwnam, so names are looked up in /etc/passwd and
 * /etc/group; users and groups that only a directory service knows (LDAP, ...) are given by number.
 */
import { readFile } from 'node:fs/promises';

export interface SocketOwner {
  /** -1 leaves the owner as it is (chown's convention). */
  uid: number;
  gid: number;
  /** `user relay (uid 999), group clients (gid 1001)`, for messages. */
  label: string;
}

/**
 * The ids for `owner` and `group` (each a name, a numeric id, or null for "unchanged"), or null when
 * both are null. Throws an Error naming the config key when a name is not found.
 */
export async function resolveSocketOwner(owner: string | null, group: string | null, files = { passwd: '/etc/passwd', group: '/etc/group' }): Promise<SocketOwner | null> {
  if (owner === null && group === null) return null;
  const uid = owner === null ? -1 : await idOf(owner, files.passwd, 'listen.unixOwner', 'user');
  const gid = group === null ? -1 : await idOf(group, files.group, 'listen.unixGroup', 'group');
  const parts = [owner === null ? null : `user ${owner} (uid ${uid})`, group === null ? null : `group ${group} (gid ${gid})`];
  return { uid, gid, label: parts.filter((p) => p !== null).join(', ') };
}

async function idOf(given: string, file: string, key: string, what: string): Promise<number> {
  if (/^\d+$/.test(given)) return Number(given);
  const text = await readFile(file, 'utf8').catch(() => '');
  const id = lookupId(text, given);
  if (id === null) throw new Error(`config ${key}: no ${what} named ${given} in ${file} (give its numeric id if a directory service provides it)`);
  return id;
}

/** The id (third field) of `name` in a passwd- or group-format text, or null. */
export function lookupId(text: string, name: string): number | null {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 3 && /^\d+$/.test(fields[2]!)) return Number(fields[2]);
  }
  return null;
}
