/**
 * Unit tests for runtime/socket-owner.ts: user and group names and ids for the UNIX socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lookupId, resolveSocketOwner } from '../../runtime/socket-owner.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nrelay:x:999:999::/var/lib/relay:/usr/sbin/nologin\n# comment\nbroken:x\n';
const GROUP = 'root:x:0:\nrelayclients:x:1001:alice,bob\nrelay:x:999:\n';

test('lookupId finds the id of a name in passwd and group text, and nothing for an unknown or partial name', () => {
  assert.equal(lookupId(PASSWD, 'relay'), 999);
  assert.equal(lookupId(PASSWD, 'root'), 0);
  assert.equal(lookupId(GROUP, 'relayclients'), 1001);
  assert.equal(lookupId(GROUP, 'relay'), 999);
  assert.equal(lookupId(GROUP, 'relayclient'), null);
  assert.equal(lookupId(PASSWD, 'broken'), null);
  assert.equal(lookupId('', 'root'), null);
});

test('resolveSocketOwner takes names and numeric ids, leaves an unset one as -1, and names the key of an unknown name', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'relay-owner-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files = { passwd: path.join(dir, 'passwd'), group: path.join(dir, 'group') };
  await writeFile(files.passwd, PASSWD);
  await writeFile(files.group, GROUP);
  assert.equal(await resolveSocketOwner(null, null, files), null);
  assert.deepEqual(await resolveSocketOwner(null, 'relayclients', files), { uid: -1, gid: 1001, label: 'group relayclients (gid 1001)' });
  assert.deepEqual(await resolveSocketOwner('relay', '4242', files), { uid: 999, gid: 4242, label: 'user relay (uid 999), group 4242 (gid 4242)' });
  await assert.rejects(resolveSocketOwner(null, 'nobody-here', files), /^Error: config listen\.unixGroup: no group named nobody-here in .*group \(give its numeric id/);
  await assert.rejects(resolveSocketOwner('ghost', null, files), /^Error: config listen\.unixOwner: no user named ghost in .*passwd/);
});
