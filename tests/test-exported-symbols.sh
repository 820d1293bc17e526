#!/bin/sh
# Only the public prefix smtpcodes_ may be exported from the shared library.
set -u
lib="${G_TEST_BUILDDIR:-.}/../libsmtpcodes/.libs/libsmtpcodes-1.so"
echo "1..2"
if [ ! -f "$lib" ]; then
  echo "not ok 1 - $lib not found"; echo "not ok 2 # SKIP"; exit 0
fi
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | grep -v '^smtpcodes_' | grep -v '^SMTPCODES_' || true)
if [ -z "$bad" ]; then echo "ok 1 - only smtpcodes_* exported"; else
  echo "not ok 1 - symbols outside the public prefix:"; echo "$bad" | sed 's/^/# /'; fi
n=$(nm -D --defined-only "$lib" | awk '$2 == "T" && $3 ~ /^smtpcodes_/' | wc -l)
if [ "$n" -ge 60 ]; then echo "ok 2 - $n public functions"; else echo "not ok 2 - only $n public functions"; fi
