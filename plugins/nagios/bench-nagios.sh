#!/bin/sh
# make bench-nagios: one live check (banner, EHLO, MAIL, RCPT, QUIT) against a local server,
# check_smtp_reply side by side with monitoring-plugins' check_smtp doing the same dialogue.
# Whole-process wall and CPU time (median of N runs) and peak RSS, via wait4(); a second
# check_smtp_reply line has the shipped vendor modules on the module search path, as installed.
# The commands take turns, run by run (np-bench), so that the machine's other work weighs
# on all three alike. check_smtp_reply runs from the build tree with its library preloaded
# by path, as an installed copy finds it through ld.so.cache: with LD_LIBRARY_PATH (libtool's
# way) ld.so would first try a dozen directories below it for every library, about 0.1 ms
# that no installed copy spends (BENCH_LD_LIBRARY_PATH=1 measures that way all the same).
# The server is a throwaway loopback Postfix when run as root, else the scripted test server.
set -eu
: "${SMTPCODES_SRCDIR:?}" "${SMTPCODES_BUILDDIR:?}" "${LIBTOOL:?}"
N=${BENCH_RUNS:-50}
src=$SMTPCODES_SRCDIR/plugins/nagios
bld=$SMTPCODES_BUILDDIR/plugins/nagios
tmp=$(mktemp -d /tmp/bench-nagios.XXXXXX)
chmod 0755 "$tmp"
server=""
cleanup() {
  if [ "$server" = postfix ]; then sh "$src/t/postfix-instance.sh" stop "$tmp/pfx"; fi
  if [ -n "${fake_pid:-}" ]; then kill "$fake_pid" 2>/dev/null || :; fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
port=$(${PERL:-perl} -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1); print $s->sockport')
if [ "$(id -u)" = 0 ] && command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ]; then
  if [ "$(id -u)" = 0 ] && PATH="$PATH:/usr/sbin" sh "$src/t/postfix-instance.sh" start "$tmp/pfx" "$port"; then
    server=postfix
    ${PERL:-perl} -MIO::Socket::INET -e 'for (1..50) { IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) and exit; select undef, undef, undef, 0.1 }' "$port"
    rcpt=root@localhost
  fi
fi
if [ -z "$server" ]; then
  server=fake-smtpd
  ${PERL:-perl} "$src/t/fake-smtpd.pl" --lifetime 120 --connections 100000 > "$tmp/port" &
  fake_pid=$!
  while [ ! -s "$tmp/port" ]; do sleep 0.1; done
  port=$(sed 's/port //' "$tmp/port")
  rcpt=ok@example.org
fi
echo "bench-nagios: $N runs each against $server on 127.0.0.1:$port (HELO/EHLO, MAIL, RCPT <$rcpt>, QUIT)"
# the modules of an installed copy on this machine take no part: built-in modules only,
# then the vendor modules of the source tree
export XDG_DATA_HOME=/nonexistent XDG_DATA_DIRS=/nonexistent
plugin=$($LIBTOOL --mode=execute echo "$bld/check_smtp_reply")
libs=$SMTPCODES_BUILDDIR/libsmtpcodes/.libs
dlname=$(sed -n "s/^dlname='\(.*\)'/\1/p" "$SMTPCODES_BUILDDIR/libsmtpcodes/libsmtpcodes-1.la" 2>/dev/null || :)
if [ -z "${BENCH_LD_LIBRARY_PATH:-}" ] && [ -n "$dlname" ] && [ -f "$libs/$dlname" ]; then
  load="LD_PRELOAD=$libs/$dlname"
else
  load="LD_LIBRARY_PATH=$libs"
  echo "(check_smtp_reply's library found through LD_LIBRARY_PATH)"
fi
set -- "$N" check_smtp_reply -- SMTPCODES_MODULE_PATH= "$load" \
  "$plugin" -H 127.0.0.1 -p "$port" -f bench@example.org -r "$rcpt"
# as installed: the vendor modules on the search path too
if [ -n "${SMTPCODES_VENDOR_MODULES:-}" ]; then
  mkdir "$tmp/modules"
  for m in $SMTPCODES_VENDOR_MODULES; do cp "$SMTPCODES_SRCDIR/$m" "$tmp/modules/"; done
  set -- "$@" :: "+vendor modules" -- "SMTPCODES_MODULE_PATH=$tmp/modules" "$load" \
    "$plugin" -H 127.0.0.1 -p "$port" -f bench@example.org -r "$rcpt"
fi
if [ -n "${CHECK_SMTP:-}" ] && [ -x "$CHECK_SMTP" ]; then
  set -- "$@" :: check_smtp -- \
    "$CHECK_SMTP" -H 127.0.0.1 -p "$port" -f bench@example.org -C "RCPT TO:<$rcpt>" -R 250
else
  echo "check_smtp not found (Debian: monitoring-plugins-standard); no comparison"
fi
"$bld/np-bench" "$@"
