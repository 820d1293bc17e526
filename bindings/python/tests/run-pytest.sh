#!/bin/sh
# Runs the Python binding tests with /usr/bin/python3 (or configure's PYTHON) against the
# freshly built library and extension, printing TAP for the automake driver.
set -eu
top_builddir=$(dirname "${G_TEST_BUILDDIR:?run through make check}")
. "$top_builddir/bindings/python/tests-env.sh"
if [ "$have_pytest" != yes ]; then
  echo "1..0 # SKIP pytest is not installed for $PYTHON (Debian: python3-pytest)"
  exit 0
fi
cd "$top_builddir"
exec $LIBTOOL --mode=execute -dlopen libsmtpcodes/libsmtpcodes-1.la \
  env PYTHONPATH="$top_builddir/bindings/python/inplace" PYTHONDONTWRITEBYTECODE=1 \
  SMTPCODES_TOP_SRCDIR="$top_srcdir" \
  "$PYTHON" "$top_srcdir/bindings/python/tests/tap_pytest.py" -p no:cacheprovider \
  --rootdir "$top_srcdir/bindings/python/tests" "$top_srcdir/bindings/python/tests"
