#!/bin/sh
# Starts (start DIR PORT) or stops (stop DIR) a throwaway Postfix instance for the tests:
# configuration, queue and log under DIR, listening on 127.0.0.1:PORT only, nothing ever
# leaves the machine. Needs root (the postfix command refuses to run otherwise).
set -eu
cmd=$1 B=$2
if [ "$cmd" = stop ]; then
  postfix -c "$B/etc" stop >/dev/null 2>&1 || :
  # master exits within a second or two; do not leave it behind
  i=0
  while [ -f "$B/spool/pid/master.pid" ] && kill -0 "$(cat "$B/spool/pid/master.pid" 2>/dev/null)" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 50 ] && break; sleep 0.1
  done
  exit 0
fi
PORT=$3
mkdir -p "$B/etc" "$B/spool" "$B/data" "$B/mail"
chmod 1777 "$B/mail"
chown postfix "$B/data"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=mx.test.invalid" -keyout "$B/etc/key.pem" -out "$B/etc/cert.pem" >/dev/null 2>&1
cat > "$B/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $B/spool
data_directory = $B/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test.invalid
mydomain = test.invalid
myorigin = test.invalid
mydestination = localhost, mx.test.invalid
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# loopback is not trusted: relaying from 127.0.0.1 is refused
mynetworks = 192.0.2.1/32
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$B/etc/rcpt_access
alias_maps =
alias_database =
relayhost =
default_transport = error:outbound mail disabled in test instance
mail_spool_directory = $B/mail
maillog_file_prefixes = $B
maillog_file = $B/maillog
smtpd_tls_security_level = may
smtpd_tls_cert_file = $B/etc/cert.pem
smtpd_tls_key_file = $B/etc/key.pem
smtpd_banner = \$myhostname ESMTP test-instance
# every check opens a message at RCPT and drops it (RSET/QUIT); dropped messages use up
# Postfix's flow-control tokens, and with the default in_flow_delay of 1s every session
# after about the 100th in a row waits a second at RCPT
in_flow_delay = 0s
CF
cat > "$B/etc/rcpt_access" <<'MAP'
greylist@localhost   450 4.7.1 Greylisted, please try again later
full@localhost       452 4.2.2 Mailbox full
MAP
cat > "$B/etc/master.cf" <<MCF
127.0.0.1:$PORT inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
MCF
postfix -c "$B/etc" check
postfix -c "$B/etc" start >/dev/null 2>&1
