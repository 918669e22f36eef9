/**
 * `npm run demo`: relay offline, end to end. Starts Prism (a mock server that validates every
 * request against specs/steam.yaml and answers from the spec's examples), starts relay-run in front
 * of it with relay.config.example.yaml, and prints how to talk to it. Ctrl-C stops both.
 *   npm run demo -- [--tcp HOST:PORT] [--prism-port PORT]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRISM = path.join(ROOT, 'node_modules', '.bin', 'prism');
const RELAY = path.join(ROOT, 'runtime', 'relay-run.js');

/** Start `file args`, resolve with the first match of `ready` in its output; reject if it exits first. */
function startChild(name: string, file: string, args: string[], ready: RegExp, timeoutMs = 90_000): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(file, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => reject(new Error(`cannot run ${name}: ${err.message}`)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** A free TCP port on 127.0.0.1 (Prism takes no port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { tcp: { type: 'string', default: '127.0.0.1:9876' }, 'prism-port': { type: 'string' } } });
  const children: ChildProcess[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    stopping = true;
    await Promise.all(children.map(stop));
    return code;
  };
  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        process.stdout.write(`\ndemo: ${signal}: stopping relay-run and Prism\n`);
        void shutdown(0).then(resolve);
      });
    }
  });
  try {
    const prismPort = values['prism-port'] !== undefined ? Number(values['prism-port']) : await freePort();
    process.stdout.write(`demo: starting Prism, a mock of specs/steam.yaml, on 127.0.0.1:${prismPort} ...\n`);
    // Prism answers a request that violates the spec with its documented 4xx (400 here, else 422).
    // Not --errors: that also fails Prism's own generated bodies that miss a schema pattern.
    const prism = await startChild('Prism', PRISM, ['mock', '-h', '127.0.0.1', '-p', String(prismPort), 'specs/steam.yaml'], /Prism is listening on (\S+)/);
    children.push(prism.child);
    const relay = await startChild(
      'relay-run',
      process.execPath,
      [RELAY, '--config', 'relay.config.example.yaml', '--tcp', values.tcp, '--server', `steam=http://127.0.0.1:${prismPort}`],
      /listening on tcp:\/\/(\S+?)[;\s]/,
    );
    children.push(relay.child);
    const [host, port] = [relay.match[1]!.replace(/:\d+$/, ''), relay.match[1]!.split(':').pop()!];
    relay.child.stderr!.pipe(process.stderr);
    for (const child of children) {
      child.once('exit', (code) => {
        if (!stopping) {
          process.stderr.write(`demo: a child exited unexpectedly (${code}); stopping\n`);
          void shutdown(1).then((c) => process.exit(c));
        }
      });
    }
    process.stdout.write(
      [
        `demo: relay-run listens on ${host}:${port}, relaying steam.* to Prism.`,
        '',
        'Try it in another terminal:',
        `  nc ${host} ${port}`,
        'and type, one per line:',
        '  {"request":"hl2","id":"1"}',
        '  {"request":"steam.getNewsForApp","id":"2","params":{"appid":440,"count":1}}',
        '  {"request":"steam.getNewsForApp","id":"3","params":{"appid":-1}}     (Prism refuses: below minimum)',
        '',
        'Ctrl-C stops the demo.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n`);
    return shutdown(1);
  }
  return stopped;
}

process.exitCode = await main();
