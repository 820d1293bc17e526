#!/bin/sh
# bench-bindings: calls per second of smtpcodes.explain (Python) and SMTPCodes->explain
# (Perl) over bench/replies.txt.in, and what each costs per call over the C figure of
# bench-core (parse + verdict on the same lines, the same built-in registry).
# Usage: bench-bindings.sh MAKE LIBTOOL ABS_SRCDIR   (run from the top build dir)
MAKE=$1 LIBTOOL=$2 srcdir=$3
c=$(SMTPCODES_MODULE_PATH= $LIBTOOL --mode=execute bench/bench-core --replies "$srcdir/bench/replies.txt.in" \
      --modules "$srcdir/data/modules" | sed -n 's/^parse + verdict: \([0-9.]*\) million.*/\1/p')
echo "C smtpcodes_registry_explain_text: ${c} million calls/s (bench-core)"
for lang in python perl; do
  out=$($MAKE --no-print-directory bench-$lang 2>/dev/null) || { echo "$lang bindings: not built"; continue; }
  echo "$out"
  rate=$(echo "$out" | sed -n 's/.*: \([0-9.]*\) calls\/s.*/\1/p')
  [ -n "$c" ] && [ -n "$rate" ] && awk -v c="$c" -v r="$rate" -v l="$lang" 'BEGIN {
    o = 1e6 / r - 1 / c; printf "%s: %.3f us per call over C (target < 2 us): %s\n", l, o, (o < 2 ? "met" : "MISSED") }'
done
exit 0
