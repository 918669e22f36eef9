#!/bin/sh
# Send request lines to relay over TCP with socat and print the replies.
#   examples/shell/socat-tcp.sh ['{"request":...}' ...]  RELAY_HOST (127.0.0.1), RELAY_PORT (9876)
# socat half-closes after the last line and, with -t, waits up to that many seconds for relay to
# answer and close its side (its default of 0.5 s is shorter than a slow API).
set -eu
[ $# -gt 0 ] || set -- '{"request":"steam.getNewsForApp","id":"1","params":{"appid":440,"count":1}}'
printf '%s\n' "$@" | socat -t 60 - "TCP:${RELAY_HOST:-127.0.0.1}:${RELAY_PORT:-9876}"
