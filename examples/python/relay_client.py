#!/usr/bin/env python3
"""A small client for relay's line protocol, standard library only (socket + json).

    from relay_client import RelayClient, RelayError
    with RelayClient(tcp=("127.0.0.1", 9876)) as relay:          # or unix="/run/relay/relay.sock"
        news = relay.call("steam.getNewsForApp", {"appid": 440, "count": 3})

Requests can be pipelined: send() several, then wait() for each id in any order; replies that
arrive for other ids are kept until asked for. Run this file to try it against a relay:

    python3 examples/python/relay_client.py --tcp 127.0.0.1:9876
"""
import argparse
import itertools
import json
import socket
import sys
import time


class RelayError(Exception):
    """A final "error" reply: `code` is relay's error code (or None for an upstream error status),
    `status` the HTTP status (or None), `response` the reply's body."""

    def __init__(self, request, code, status, response):
        what = "%s: %s" % (code, response.get("error")) if code else "HTTP %s" % status
        super().__init__("%s failed: %s" % (request, what))
        self.code, self.status, self.response = code, status, response


class RelayClient:
    def __init__(self, tcp=None, unix=None, timeout=90.0):
        if (tcp is None) == (unix is None):
            raise ValueError("give exactly one of tcp=(host, port) or unix=path")
        self.timeout = timeout
        if unix is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(unix)
        else:
            self.sock = socket.create_connection(tcp)
        self._ids = itertools.count(1)
        self._requests = {}  # id -> request name, for the ids still waiting
        self._replies = {}  # id -> final reply that arrived before wait() asked for it
        self._buffer = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def send(self, request, params=None, data=None):
        """Send one request line; returns its id (generated here, unique on this connection)."""
        rid = str(next(self._ids))
        msg = {"request": request, "id": rid}
        if params is not None:
            msg["params"] = params
        if data is not None:
            msg["data"] = data
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        self._requests[rid] = request
        return rid

    def wait(self, rid, timeout=None):
        """The success response of request `rid`; raises RelayError for an error reply,
        TimeoutError when none comes in time, ConnectionError when relay closes first."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while rid not in self._replies:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply to %s within the timeout" % rid)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise ConnectionError("relay closed the connection before replying to %s" % rid)
            self._buffer += chunk
            *lines, self._buffer = self._buffer.split(b"\n")
            for line in lines:
                if line.strip():
                    self._take(json.loads(line))
        reply = self._replies.pop(rid)
        request = self._requests.pop(rid)
        if reply["status"] == "ok":
            return reply.get("response")
        response = reply.get("response")
        status = reply.get("code")
        # relay's own errors carry {"error", "code"} and no HTTP status (but for a body cut off for size);
        # an upstream error status carries the upstream's body.
        is_relay = isinstance(response, dict) and set(response) == {"error", "code"} and (status is None or response["code"] == "RESPONSE_TOO_LARGE")
        raise RelayError(request, response["code"] if is_relay else None, status, response)

    def call(self, request, params=None, data=None, timeout=None):
        """send() then wait(): one request, its response."""
        return self.wait(self.send(request, params, data), timeout)

    def _take(self, reply):
        # "dispatched" only says the request left; replies to unknown ids belong to no call of ours.
        if reply.get("status") != "dispatched" and reply.get("id") in self._requests:
            self._replies[reply["id"]] = reply


def main(argv):
    parser = argparse.ArgumentParser(description="Call a few Steam methods through relay.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", metavar="HOST:PORT")
    where.add_argument("--unix", metavar="PATH")
    args = parser.parse_args(argv)
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        client = RelayClient(tcp=(host.strip("[]"), int(port)))
    else:
        client = RelayClient(unix=args.unix)
    with client as relay:
        # Pipelined: three requests out at once, answered in any order, matched by id.
        news = relay.send("steam.getNewsForApp", {"appid": 440, "count": 2})
        players = relay.send("steam.getNumberOfCurrentPlayers", {"appid": 440})
        unknown = relay.send("steam.getNumberOfCurrentPlayers", {"appid": 0})
        print("players: %d" % relay.wait(players)["response"]["player_count"])
        items = relay.wait(news)["appnews"]["newsitems"]
        print("news: %d items, first: %s" % (len(items), items[0]["title"]))
        for rid in (unknown,):
            try:
                relay.wait(rid)
            except RelayError as err:
                print("error: status=%s code=%s" % (err.status, err.code))
        try:
            relay.call("steam.getNewsForApp", {"count": 1})
        except RelayError as err:
            print("error: status=%s code=%s" % (err.status, err.code))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
