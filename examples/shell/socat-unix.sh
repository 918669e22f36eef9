#!/bin/sh
# Send request lines to relay over its UNIX socket with socat and print the replies.
#   examples/shell/socat-unix.sh ['{"request":...}' ...] RELAY_SOCKET (/run/relay/relay.sock)
set -eu
[ $# -gt 0 ] || set -- '{"request":"steam.getNewsForApp","id":"1","params":{"appid":440,"count":1}}'
printf '%s\n' "$@" | socat -t 60 - "UNIX-CONNECT:${RELAY_SOCKET:-/run/relay/relay.sock}"
