/**
 * A stand-in for api.steampowered.com on loopback, for tests and for trying relay offline:
 *   npx tsx test/support/fake-steam.ts 8080
 * It answers the paths of specs/steam.yaml with small, well-formed bodies.
 */
import { fileURLToPath } from 'node:url';
import type { Handler, Reply } from './upstream.js';
import { startUpstream } from './upstream.js';

/** A test key the fake accepts for keyed methods. */
export const FAKE_KEY = 'FAKEKEY0123456789ABCDEF';

export const steamHandler: Handler = (req): Reply => {
  const url = new URL(req.url, 'http://steam.invalid');
  const q = url.searchParams;
  const keyed = ['/ISteamUser/', '/IPlayerService/'].some((p) => url.pathname.startsWith(p));
  if (keyed && q.get('key') !== FAKE_KEY) {
    return { status: 403, headers: { 'content-type': 'text/html' }, body: '<html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>' };
  }
  switch (url.pathname) {
    case '/ISteamNews/GetNewsForApp/v2/': {
      const appid = Number(q.get('appid'));
      if (!q.has('appid')) return { status: 400, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>Bad Request</h1>Required parameter \'appid\' is missing</body></html>' };
      const count = Number(q.get('count') ?? 20);
      const maxlength = Number(q.get('maxlength') ?? 0);
      const contents = 'Half-Life 2 news from the fake Steam server.';
      const newsitems = Array.from({ length: count }, (_, i) => ({
        gid: String(5000000000000000000n + BigInt(i)),
        title: `News item ${i + 1} for app ${appid}`,
        url: `https://store.steampowered.com/news/${appid}/${i + 1}`,
        is_external_url: false,
        author: 'Valve',
        contents: maxlength > 0 && contents.length > maxlength ? `${contents.slice(0, maxlength)}...` : contents,
        feedlabel: 'Community Announcements',
        date: 1700000000 - i * 86400,
        feedname: 'steam_community_announcements',
        feed_type: 1,
        appid,
      }));
      return { body: { appnews: { appid, newsitems, count: 100 } } };
    }
    case '/ISteamUserStats/GetNumberOfCurrentPlayers/v1/':
      if (q.get('appid') === '0') return { status: 404, body: { response: { result: 42 } } };
      return { body: { response: { player_count: 1234, result: 1 } } };
    case '/ISteamUser/GetPlayerSummaries/v2/':
      return {
        body: {
          response: {
            players: (q.get('steamids') ?? '').split(',').map((steamid) => ({
              steamid,
              communityvisibilitystate: 3,
              personaname: 'gabe',
              profileurl: `https://steamcommunity.com/profiles/${steamid}/`,
              avatar: 'a.jpg',
              avatarmedium: 'b.jpg',
              avatarfull: 'c.jpg',
              avatarhash: 'abc',
              personastate: 1,
            })),
          },
        },
      };
    case '/ISteamApps/GetAppList/v2/':
      return { body: { applist: { apps: [{ appid: 220, name: 'Half-Life 2' }, { appid: 440, name: 'Team Fortress 2' }] } } };
    default:
      return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Not Found</body></html>' };
  }
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const upstream = await startUpstream(steamHandler, '127.0.0.1', Number(process.argv[2] ?? 8080));
  process.stderr.write(`fake-steam: listening on ${upstream.url}\n`);
}
