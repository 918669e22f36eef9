/**
 * The typed client from TypeScript: `npx tsx examples/typescript/news.ts [PORT | SOCKET_PATH]`.
 * It imports relay by its package name, as a project that depends on relay would.
 */
import { createClient, RelayCallError } from 'relay';
import type { Requests as SteamRequests } from 'relay/generated/steam';

const where = process.argv[2] ?? '9876';
const client = createClient<SteamRequests>(/^\d+$/.test(where) ? { port: Number(where) } : { path: where }, { timeoutMs: 30_000 });

try {
  // Typed end to end: the name, the params and the result all come from generated/steam.ts.
  const news = await client.call('steam.getNewsForApp', { appid: 440, count: 2 });
  console.log(`news: ${news.appnews.newsitems.length} items, first: ${news.appnews.newsitems[0]?.title}`);
  const players = await client.call('steam.getNumberOfCurrentPlayers', { appid: 440 });
  console.log(`players: ${players.response.player_count}`);
  try {
    await client.call('steam.getNumberOfCurrentPlayers', { appid: 0 });
  } catch (err) {
    if (!(err instanceof RelayCallError)) throw err;
    console.log(`error: status=${err.status} code=${err.code}`);
  }
} finally {
  client.close();
}
