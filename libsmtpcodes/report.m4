dnl the bounce analyser: configure checks (GMime), included by configure.ac
dnl GMime parses the bounce messages; the analyser is part of the library, so it is required.
PKG_CHECK_MODULES([GMIME], [gmime-3.0 >= 3.2], [],
  [AC_MSG_ERROR([GMime 3 is required for the bounce analyser (Debian: libgmime-3.0-dev)])])
dnl Sisimai (Debian: libsisimai-perl) is only needed for 'make bench-bounce'.
AC_MSG_CHECKING([for Sisimai (bench-bounce only)])
AS_IF([test -n "$PERL" && $PERL -MSisimai -e 1 >/dev/null 2>&1],
      [HAVE_SISIMAI=yes], [HAVE_SISIMAI=no])
AC_MSG_RESULT([$HAVE_SISIMAI])
AC_SUBST([HAVE_SISIMAI])
AC_PATH_PROG([PYTHON3], [python3])
