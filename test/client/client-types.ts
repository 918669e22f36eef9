/**
 * Type-level test of the typed client, checked by `npm run typecheck` (never run).
 * Each `@ts-expect-error` must meet an error: if the client's types went loose (say, to `any`),
 * the directive would be unused and tsc would fail.
 */
import { createClient } from '../../runtime/client.js';
import type { Requests as SteamRequests, GetNewsForAppResponse, GetAppListResponse } from '../../generated/steam.js';

export async function typeChecks(): Promise<void> {
  const client = createClient<SteamRequests>({ port: 9876 });

  // A correct call compiles, and resolves to the operation's success response type.
  const news: GetNewsForAppResponse = await client.call('steam.getNewsForApp', { appid: 440, count: 3 });
  const title: string | undefined = news.appnews.newsitems[0]?.title;
  void title;
  // An operation without required params may leave params out.
  const apps: GetAppListResponse = await client.call('steam.getAppList');
  void apps;
  // Enum params accept their values; options take a timeout and a signal.
  await client.call('steam.getAppList', { format: 'json' }, { timeoutMs: 1000, signal: AbortSignal.timeout(1000) });

  // @ts-expect-error a wrong operation name
  await client.call('steam.getNewsForAppp', { appid: 440 });
  // @ts-expect-error a bare operation name is not a full request name
  await client.call('getNewsForApp', { appid: 440 });
  // @ts-expect-error a wrong param type: appid is a number
  await client.call('steam.getNewsForApp', { appid: '440' });
  // @ts-expect-error a missing required param
  await client.call('steam.getNewsForApp', { count: 3 });
  // @ts-expect-error params left out although appid is required
  await client.call('steam.getNewsForApp');
  // @ts-expect-error an unknown param
  await client.call('steam.getNewsForApp', { appid: 440, cnt: 3 });
  // @ts-expect-error a value outside the param's enum
  await client.call('steam.getAppList', { format: 'yaml' });
  // @ts-expect-error a body for an operation that takes none
  await client.call('steam.getAppList', {}, { data: { x: 1 } });

  // @ts-expect-error the resolved value is the response type, not any
  const wrong: string = await client.call('steam.getNumberOfCurrentPlayers', { appid: 440 });
  void wrong;
}

/** Bodies are typed too: a client over a hand-written map with an operation that takes one. */
export async function bodyChecks(): Promise<void> {
  type Pets = { 'pets.create': { params: Record<string, never>; body: { name: string }; response: { id: number } } };
  const client = createClient<Pets>({ path: '/run/relay/relay.sock' });
  const created: { id: number } = await client.call('pets.create', {}, { data: { name: 'Rex' } });
  void created;
  // @ts-expect-error a body of the wrong shape
  await client.call('pets.create', {}, { data: { name: 1 } });

  // An untyped client takes any request name, presets included.
  const any = createClient({ port: 9876 });
  const reply: unknown = await any.call('hl2', { count: 1 });
  void reply;
}
