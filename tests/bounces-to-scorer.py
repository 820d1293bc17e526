#!/usr/bin/python3
"""Turns 'smtpcodes bounce --json' output into the JSON lines ../shared/tools/score-bounces
reads: one line per reported recipient, messages without recipients dropped."""
import json
import sys

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    if r.get("recipient") is None and r.get("kind") == "not-bounce":
        continue
    print(json.dumps({k: r.get(k) for k in ("file", "status", "replycode", "reason", "hardbounce")}))
