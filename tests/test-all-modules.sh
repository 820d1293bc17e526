#!/bin/sh
# Every shipped module validates strictly (German required), with the smtpcodes command.
set -u
src="${SMTPCODES_SRCDIR:-..}"
files=$(ls "$src"/data/modules/*.codes)
n=$(echo "$files" | wc -l)
echo "1..$n"
i=0
for f in $files; do
  i=$((i + 1))
  if out=$("$SMTPCODES" validate "$f" 2>&1); then echo "ok $i - $(basename "$f")"; else
    echo "not ok $i - $(basename "$f")"; echo "$out" | sed 's/^/# /'; fi
done
