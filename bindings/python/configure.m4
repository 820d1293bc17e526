dnl bindings/python: configure checks for this part (included by configure.ac)
dnl
dnl Builds the SWIG extension smtpcodes._raw for Debian's /usr/bin/python3 unless PYTHON
dnl names another interpreter, and installs the package into a directory that interpreter
dnl searches (Debian's is dist-packages, not the site-packages automake picks).

AC_ARG_ENABLE([python],
  [AS_HELP_STRING([--disable-python], [do not build the Python bindings @<:@default=auto@:>@])],
  [], [enable_python=auto])
AC_ARG_VAR([SWIG], [the SWIG program (bindings)])
AC_PATH_PROG([SWIG], [swig])

smtpcodes_given_pyexecdir=${pyexecdir-}
have_python_bindings=no
AS_IF([test "x$enable_python" != xno], [
  AS_IF([test -z "${PYTHON-}" && test -x /usr/bin/python3], [PYTHON=/usr/bin/python3])
  AM_PATH_PYTHON([3.7], [], [:])
  AS_IF([test "x$PYTHON" != "x:"], [
    AC_MSG_CHECKING([for $PYTHON headers])
    PYTHON_INCLUDEDIR=`$PYTHON -c "import sysconfig; print(sysconfig.get_paths()[['include']])" 2>/dev/null`
    AS_IF([test -n "$PYTHON_INCLUDEDIR" && test -f "$PYTHON_INCLUDEDIR/Python.h"],
          [PYTHON_CFLAGS="-I$PYTHON_INCLUDEDIR"; AC_MSG_RESULT([$PYTHON_INCLUDEDIR])],
          [PYTHON_CFLAGS=""; AC_MSG_RESULT([no (Debian: python3-dev)])])
    AC_MSG_CHECKING([for pytest in $PYTHON])
    AS_IF([$PYTHON -c "import pytest" >/dev/null 2>&1],
          [have_pytest=yes], [have_pytest=no])
    AC_MSG_RESULT([$have_pytest])

    dnl Debian's python3 does not search ${prefix}/lib/pythonX.Y/site-packages; pick the
    dnl first directory under ${exec_prefix} that the interpreter does search.
    AS_IF([test -n "$smtpcodes_given_pyexecdir"], [pyexecdir=$smtpcodes_given_pyexecdir], [
      smtpcodes_ep=$exec_prefix
      test "x$smtpcodes_ep" = xNONE && smtpcodes_ep=$prefix
      test "x$smtpcodes_ep" = xNONE && smtpcodes_ep=$ac_default_prefix
      AC_MSG_CHECKING([for a directory under $smtpcodes_ep on $PYTHON's sys.path])
      smtpcodes_pydir=`$PYTHON -c "
import sys
for d in ('lib/python%d.%d/site-packages' % sys.version_info[[:2]],
          'lib/python%d.%d/dist-packages' % sys.version_info[[:2]],
          'lib/python3/dist-packages'):
    if '$smtpcodes_ep/' + d in sys.path:
        print(d)
        break
" 2>/dev/null`
      AS_IF([test -n "$smtpcodes_pydir"],
            [pyexecdir="\${exec_prefix}/$smtpcodes_pydir"; AC_MSG_RESULT([$smtpcodes_pydir])],
            [AC_MSG_RESULT([none; using $pyexecdir])])
    ])
    AS_IF([test -n "$SWIG" && test -n "$PYTHON_CFLAGS"], [have_python_bindings=yes])
  ])
  AS_IF([test "x$enable_python" = xyes && test "x$have_python_bindings" = xno],
        [AC_MSG_ERROR([Python bindings need swig, $PYTHON and its headers (Debian: swig python3-dev)])])
])
AC_SUBST([PYTHON_CFLAGS])
AC_SUBST([pyexecdir])
AM_CONDITIONAL([ENABLE_PYTHON], [test "x$have_python_bindings" = xyes])
AM_CONDITIONAL([HAVE_PYTEST], [test "x$have_pytest" = xyes])
