dnl the bounce analyser: configure checks (GMime), included by configure.ac
dnl GMime parses the bounce messages; the analyser is part of the library, so it is required.
PKG_CHECK_MODULES([GMIME], [gmime-3.0 >= 3.2], [],
  [AC_MSG_ERROR([GMime 3 is required for the bounce analyser (Debian: libgmime-3.0-dev)])])
dnl The library loads GMime with dlopen() when it reads the first bounce (GMime and its
dnl dependencies cost 2.5 ms of start-up to every program otherwise): find its soname.
AC_SEARCH_LIBS([dlopen], [dl], [], [AC_MSG_ERROR([dlopen() is needed to load GMime])])
DL_LIBS=""
AS_IF([test "x$ac_cv_search_dlopen" != "xnone required"], [DL_LIBS="$ac_cv_search_dlopen"])
AC_SUBST([DL_LIBS])
AC_MSG_CHECKING([for the soname of GMime])
gmime_libdir=`$PKG_CONFIG --variable=libdir gmime-3.0`
gmime_soname=`objdump -p "$gmime_libdir/libgmime-3.0.so" 2>/dev/null | sed -n 's/^ *SONAME *//p'`
AS_IF([test -z "$gmime_soname"], [gmime_soname=libgmime-3.0.so.0])
AC_MSG_RESULT([$gmime_soname])
AC_DEFINE_UNQUOTED([SMTPCODES_GMIME_SONAME], ["$gmime_soname"], [the GMime library that dlopen() loads])
dnl Sisimai (Debian: libsisimai-perl) is only needed for 'make bench-bounce'.
AC_MSG_CHECKING([for Sisimai (bench-bounce only)])
AS_IF([test -n "$PERL" && $PERL -MSisimai -e 1 >/dev/null 2>&1],
      [HAVE_SISIMAI=yes], [HAVE_SISIMAI=no])
AC_MSG_RESULT([$HAVE_SISIMAI])
AC_SUBST([HAVE_SISIMAI])
AC_PATH_PROG([PYTHON3], [python3])
