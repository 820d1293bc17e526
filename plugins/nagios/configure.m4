dnl plugins/nagios: configure checks for this part (included by configure.ac)

dnl Where check_smtp_reply installs: the conventional plugin directory (Debian and most
dnl distributions use /usr/lib/nagios/plugins, i.e. $(libdir)/nagios/plugins).
AC_ARG_WITH([nagios-plugin-dir],
  [AS_HELP_STRING([--with-nagios-plugin-dir=DIR],
                  [install check_smtp_reply into DIR @<:@default=LIBDIR/nagios/plugins@:>@])],
  [NAGIOS_PLUGIN_DIR="$withval"], [NAGIOS_PLUGIN_DIR='${libdir}/nagios/plugins'])
AC_SUBST([NAGIOS_PLUGIN_DIR])

dnl check_smtp from monitoring-plugins, only for 'make bench' (side-by-side figures)
AC_PATH_PROG([CHECK_SMTP], [check_smtp], [], [/usr/lib/nagios/plugins$PATH_SEPARATOR/usr/lib/monitoring-plugins$PATH_SEPARATOR$PATH])
AC_ARG_VAR([CHECK_SMTP], [monitoring-plugins' check_smtp, compared in make bench])

dnl the plugin opens its GIO module (TLS, name lookup) with dlopen(): -ldl where needed
np_save_LIBS=$LIBS
LIBS=
AC_SEARCH_LIBS([dlopen], [dl], [], [AC_MSG_ERROR([check_smtp_reply needs dlopen()])])
NP_DL_LIBS=$LIBS
LIBS=$np_save_LIBS
AC_SUBST([NP_DL_LIBS])
