/**
 * The bench's upstream, in its own process: a minimal HTTP server on 127.0.0.1 answering every
 * request with a small JSON body (Steam's GetNumberOfCurrentPlayers shape), after `delayMs` if given.
 * Prints `listening <port>` on stdout; stops on SIGTERM.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const delayMs = Number(process.argv[2] ?? 0);
const BODY = Buffer.from('{"response":{"player_count":1234567,"result":1}}');
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(BODY.length) };

const answer = (res: http.ServerResponse) => {
  res.writeHead(200, HEADERS);
  res.end(BODY);
};

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  if (delayMs > 0) setTimeout(answer, delayMs, res);
  else answer(res);
});
server.headersTimeout = 0;
server.requestTimeout = 0;
// A deep backlog: the scale run opens thousands of connections at once.
server.listen({ host: '127.0.0.1', port: 0, backlog: 16_384 }, () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
