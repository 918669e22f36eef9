/**
 * The examples in examples/ run as users run them (sh, python3, tsx) against a real relay-run
 * and a loopback fake Steam. A missing tool fails the test with the command that installs it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { steamHandler } from '../support/fake-steam.js';
import { ROOT, startRelay, type RelayProcess } from '../support/relay-process.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const INSTALL = 'install it with: sudo apt-get install -y python3 netcat-openbsd socat (CI installs them in .ci/run)';

/** Fails, naming the install command, when `tool` is not on PATH. */
function requireTool(tool: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    assert.fail(`${tool} is not installed; ${INSTALL}`);
  }
  if (tool === 'nc') {
    // The examples use -N and -U of OpenBSD's netcat; traditional netcat has neither.
    const probe = spawnSync('nc', ['-h'], { encoding: 'utf8' });
    const help = `${probe.stdout ?? ''}${probe.stderr ?? ''}`;
    assert.match(help, /OpenBSD/, `nc is not OpenBSD netcat; ${INSTALL}`);
  }
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('the examples against a relay and a fake Steam', () => {
  let tmp: string;
  let upstream: Upstream;
  let relay: RelayProcess;
  const socket = () => path.join(tmp, 'relay.sock');

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-examples-'));
    upstream = await startUpstream(steamHandler);
    relay = await startRelay(['--tcp', '127.0.0.1:0', '--unix', socket(), '--config', 'relay.config.example.yaml', '--server', `steam=${upstream.url}`]);
  });
  after(async () => {
    await relay.stop();
    await upstream.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const scripts: Array<[string, string, 'tcp' | 'unix']> = [
    ['nc-tcp.sh', 'nc', 'tcp'],
    ['nc-unix.sh', 'nc', 'unix'],
    ['socat-tcp.sh', 'socat', 'tcp'],
    ['socat-unix.sh', 'socat', 'unix'],
  ];
  for (const [script, tool, transport] of scripts) {
    test(`examples/shell/${script} sends the lines over ${transport} with ${tool} and prints every reply`, async () => {
      requireTool(tool);
      const env = transport === 'tcp' ? { RELAY_HOST: '127.0.0.1', RELAY_PORT: String(relay.port) } : { RELAY_SOCKET: socket() };
      const r = await run('sh', [`examples/shell/${script}`, '{"request":"hl2","id":"a","params":{"count":1}}', '{"request":"steam.nope","id":"b"}'], env);
      assert.equal(r.code, 0, r.stderr);
      const replies = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { status: string; id: string; code?: number; response?: { appnews?: { appid: number }; code?: string } });
      assert.equal(replies.length, 3, r.stdout);
      assert.deepEqual(replies.find((x) => x.id === 'b'), { status: 'error', id: 'b', response: { error: 'unknown request: steam.nope', code: 'UNKNOWN_REQUEST' } });
      assert.deepEqual(replies.filter((x) => x.id === 'a').map((x) => x.status), ['dispatched', 'ok']);
      assert.equal(replies.find((x) => x.id === 'a' && x.status === 'ok')!.response!.appnews!.appid, 220);
    });

    test(`examples/shell/${script} sends its default request when given none`, async () => {
      requireTool(tool);
      const env = transport === 'tcp' ? { RELAY_PORT: String(relay.port) } : { RELAY_SOCKET: socket() };
      const r = await run('sh', [`examples/shell/${script}`], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\{"status":"dispatched","id":"1"\}\n\{"status":"ok","id":"1","time":[\d.]+,"code":200,"attempts":1,"response":\{"appnews":\{"appid":440,/);
    });
  }

  const PYTHON_OUTPUT = /^players: 1234\nnews: 2 items, first: News item 1 for app 440\nerror: status=404 code=None\nerror: status=None code=MISSING_PARAM\n$/;
  for (const transport of ['tcp', 'unix'] as const) {
    test(`examples/python/relay_client.py pipelines requests over ${transport} and matches replies by id`, async () => {
      requireTool('python3');
      const where = transport === 'tcp' ? ['--tcp', `127.0.0.1:${relay.port}`] : ['--unix', socket()];
      const r = await run('python3', ['examples/python/relay_client.py', ...where]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, PYTHON_OUTPUT);
    });
  }

  test('examples/typescript/news.ts calls through the typed client', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', 'examples/typescript/news.ts', socket()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'news: 2 items, first: News item 1 for app 440\nplayers: 1234\nerror: status=404 code=null\n');
  });
});
