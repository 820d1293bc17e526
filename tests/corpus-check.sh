#!/bin/sh
# Scores 'smtpcodes bounce --json' on the labelled corpus in ../shared/corpus (next to the
# source tree) with ../shared/tools/score-bounces and prints the table. TAP output; skipped
# when the corpus is absent (a fresh clone without ../shared).
#
# Floors enforced (per cent of recipients, set just below the figures reached, so that a
# rule change that loses accuracy fails 'make check'):
FLOOR_STATUS=${FLOOR_STATUS:-97.0}
FLOOR_REPLYCODE=${FLOOR_REPLYCODE:-98.7}
FLOOR_REASON=${FLOOR_REASON:-93.0}
FLOOR_HARDBOUNCE=${FLOOR_HARDBOUNCE:-96.7}

srcdir=${SMTPCODES_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
shared=${SMTPCODES_SHARED:-$srcdir/../shared}
smtpcodes=${SMTPCODES:-./smtpcodes}
corpus=$shared/corpus
scorer=$shared/tools/score-bounces

if [ ! -d "$corpus/bounces" ] || [ ! -f "$corpus/labels.json" ] || [ ! -x "$scorer" ]; then
  echo "1..0 # SKIP no labelled corpus at $corpus (it lives beside the source tree, in ../shared)"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "1..0 # SKIP python3 is needed to run $scorer"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the vendor modules from the source tree take part, as they do once installed
SMTPCODES_MODULE_PATH="$srcdir/data/modules" "$smtpcodes" bounce --json "$corpus/bounces" >"$tmp/out.jsonl" 2>"$tmp/err"
python3 "$srcdir/tests/bounces-to-scorer.py" <"$tmp/out.jsonl" >"$tmp/pred.jsonl" || exit 1
"$scorer" "$tmp/pred.jsonl" >"$tmp/table" || { cat "$tmp/table"; exit 1; }
"$scorer" --json "$tmp/pred.jsonl" >"$tmp/score.json" || exit 1

echo "1..4"
sed 's/^/# /' "$tmp/table"
sed 's/^/# smtpcodes: /' "$tmp/err" | head -5
python3 - "$tmp/score.json" "$FLOOR_STATUS" "$FLOOR_REPLYCODE" "$FLOOR_REASON" "$FLOOR_HARDBOUNCE" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d.get("all") or next(iter(d.values()))
total = c["labelled"] + c["extra"]
floors = zip(("status", "replycode", "reason", "hardbounce"), map(float, sys.argv[2:6]))
for n, (col, floor) in enumerate(floors, 1):
    v = 100.0 * c[col] / total if total else 0.0
    print("%s %d - %s %.1f%% (floor %.1f%%)" % ("ok" if v >= floor else "not ok", n, col, v, floor))
PY
