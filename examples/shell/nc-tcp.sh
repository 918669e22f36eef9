#!/bin/sh
# Send request lines to relay over TCP with netcat (netcat-openbsd) and print the replies.
#   examples/shell/nc-tcp.sh ['{"request":...}' ...]     RELAY_HOST (127.0.0.1), RELAY_PORT (9876)
# -N shuts down our sending side after the last line; relay answers every request, then closes.
set -eu
[ $# -gt 0 ] || set -- '{"request":"steam.getNewsForApp","id":"1","params":{"appid":440,"count":1}}'
printf '%s\n' "$@" | nc -N "${RELAY_HOST:-127.0.0.1}" "${RELAY_PORT:-9876}"
