/**
 * Secrets from files referenced by the config, and `relay-run --print-config` with secrets masked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runRelay, ROOT } from '../support/relay-process.js';
import { generate } from '../../generator/index.js';

let tmp: string;
let module: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-print-'));
  const out = await generate(path.join(ROOT, 'test/fixtures/e2e/kinds.yaml'), { outDir: tmp });
  module = out.file;
  await writeFile(module, out.text);
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('prints the effective config with every secret masked, then exits 0', async () => {
  await writeFile(path.join(tmp, 'bearer'), 'file-bearer-secret\n');
  const config = path.join(tmp, 'relay.yaml');
  await writeFile(
    config,
    `apis:
  kinds:
    serverVariables: { version: v2 }
    credentials:
      basicAuth:
        username: Aladdin
        password: \${TEST_PASSWORD}
      bearerAuth: { file: bearer }
      machine: { clientId: relay-client, clientSecret: oauth-secret-99, scopes: [read] }
`,
  );
  const { code, stdout, stderr } = await runRelay(['--print-config', '--config', config, '--server', 'kinds=http://127.0.0.1:1', module], { TEST_PASSWORD: 'env-password-77' });
  assert.equal(code, 0, stderr);
  const printed = JSON.parse(stdout) as { apis: { kinds: Record<string, unknown> }; listen: unknown };
  assert.deepEqual(printed.apis.kinds, {
    serverVariables: { version: 'v2' },
    server: 'http://127.0.0.1:1',
    credentials: {
      basicAuth: { username: 'Aladdin', password: '***' },
      bearerAuth: '***',
      machine: { clientId: 'relay-client', clientSecret: '***', scopes: ['read'] },
    },
  });
  assert.deepEqual(printed.listen, { tcp: '127.0.0.1:9876', unix: null, unixMode: '0600', unixOwner: null, unixGroup: null });
  for (const secret of ['file-bearer-secret', 'env-password-77', 'oauth-secret-99']) {
    assert.doesNotMatch(stdout + stderr, new RegExp(secret));
  }
});

test('refuses to start when a secret file cannot be read, naming the key and the file', async () => {
  const config = path.join(tmp, 'missing.yaml');
  await writeFile(config, `apis:\n  kinds:\n    credentials:\n      bearerAuth: { file: /nonexistent/relay-secret }\n`);
  const { code, stderr } = await runRelay(['--print-config', '--config', config, module]);
  assert.equal(code, 1);
  assert.match(stderr, /apis\.kinds\.credentials\.bearerAuth: cannot read secret file \/nonexistent\/relay-secret: ENOENT/);
});

test('keeps ${...} inside a secret file as it is, not as an environment reference', async () => {
  await writeFile(path.join(tmp, 'odd'), 'pa${HOME}ss');
  const config = path.join(tmp, 'odd.yaml');
  await writeFile(config, `apis:\n  kinds:\n    credentials:\n      bearerAuth: { file: odd }\n`);
  const { code, stdout } = await runRelay(['--print-config', '--config', config, module]);
  assert.equal(code, 0);
  // Masked in the output, so check what was loaded through the module that resolves it.
  const { resolveSecretFiles } = await import('../../runtime/secret-files.js');
  const { resolveConfig } = await import('../../runtime/config.js');
  const raw = await resolveSecretFiles({ apis: { kinds: { credentials: { bearerAuth: { file: 'odd' } } } } }, config);
  assert.equal(resolveConfig(raw, { HOME: '/root' }).config.apis.kinds!.credentials!.bearerAuth, 'pa${HOME}ss');
  assert.match(stdout, /"bearerAuth": "\*\*\*"/);
});
