#!/bin/sh
# The bounce analyser reads plainly written messages itself and leaves the others to
# GMime's parser (light_collect in libsmtpcodes/smtpcodes-report.c). This checks that
# both ways come to the same answer, byte for byte of 'smtpcodes bounce --json', with
# SMTPCODES_GMIME_ONLY=1 sending every message through GMime's parser: on the test
# bounces, on hand-made MIME structures and several thousand deterministic variants of
# both (tests/mime-mutants.py), and on the labelled corpus in ../shared when it is there.
# It also checks that the analyser's own reading is the one taken for plain messages.
# TAP output.
set -u
srcdir=${SMTPCODES_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
smtpcodes=${SMTPCODES:-./smtpcodes}
shared=${SMTPCODES_SHARED:-$srcdir/../shared}
python=/usr/bin/python3
[ -x "$python" ] || python=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SMTPCODES_MODULE_PATH="$srcdir/data/modules"
n=0
fails=0

ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

# compare NAME PATH...: both ways give the same output
compare() {
  name=$1
  shift
  "$smtpcodes" bounce --json "$@" >"$tmp/light.json" 2>"$tmp/light.err"
  rc1=$?
  SMTPCODES_GMIME_ONLY=1 "$smtpcodes" bounce --json "$@" >"$tmp/gmime.json" 2>"$tmp/gmime.err"
  rc2=$?
  if [ "$rc1" = "$rc2" ] && cmp -s "$tmp/light.json" "$tmp/gmime.json" && cmp -s "$tmp/light.err" "$tmp/gmime.err"; then
    ok 0 "$name: the same answers both ways ($(wc -l <"$tmp/light.json") lines)"
  else
    ok 1 "$name: the answers differ (exit $rc1 and $rc2)"
    diff "$tmp/light.json" "$tmp/gmime.json" | sed -n 's/.*"file":"\([^"]*\)".*/# differs: \1/p' | sort -u | head -20
    diff "$tmp/light.err" "$tmp/gmime.err" | head -5 | sed 's/^/# /'
  fi
}

# fallbacks PATH: how many messages were left to GMime's parser
fallbacks() {
  G_MESSAGES_DEBUG=libsmtpcodes "$smtpcodes" bounce --json "$@" 2>&1 | grep -c "read by GMime's parser"
}

bounces=$srcdir/tests/data/bounces
compare "test bounces" "$bounces"
compare "test mbox" "$bounces/mbox"
compare "test maildir" "$bounces/maildir"

"$python" "$srcdir/tests/mime-mutants.py" "$tmp/mutants" 40 7 "$bounces"/*.eml
total=$(ls "$tmp/mutants" | wc -l)
compare "$total hand-made messages, test bounces and variants" "$tmp/mutants"

# the reading here is taken for plain messages, and both ways are exercised by the variants
for f in dsn-two-recipients global-dsn arf delayed exim qmail ses-bounce forwarded-report \
         returned-before-report jmrp iso-2022-jp headers-folded missing-boundary; do
  c=$(fallbacks "$bounces/$f.eml")
  ok "$([ "$c" = 0 ] && echo 0 || echo 1)" "$f.eml is read without GMime's parser"
done
for f in unfolded-boundary; do
  c=$(fallbacks "$bounces/$f.eml")
  ok "$([ "$c" = 1 ] && echo 0 || echo 1)" "$f.eml is left to GMime's parser"
done
c=$(fallbacks "$tmp/mutants")
ok "$([ "$c" -gt $((total / 20)) ] && [ "$c" -lt $((total / 2)) ] && echo 0 || echo 1)" \
  "variants: $c of $total left to GMime's parser (between 5% and 50%)"

if [ -d "$shared/corpus/bounces" ]; then
  compare "corpus" "$shared/corpus/bounces"
  c=$(fallbacks "$shared/corpus/bounces")
  ok "$([ "$c" -lt 40 ] && echo 0 || echo 1)" "corpus: $c of 400 left to GMime's parser (fewer than 40)"
  rm -rf "$tmp/mutants"
  "$python" "$srcdir/tests/mime-mutants.py" "$tmp/mutants" 6 8 "$shared/corpus/bounces"/*.eml
  compare "$(ls "$tmp/mutants" | wc -l) variants of the corpus" "$tmp/mutants"
else
  echo "# no corpus at $shared/corpus: its comparisons skipped"
fi
echo "1..$n"
[ "$fails" = 0 ]
