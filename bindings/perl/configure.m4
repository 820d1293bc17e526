dnl bindings/perl: configure checks for this part (included by configure.ac)
dnl
dnl SMTPCodes installs into Perl's vendor arch dir re-rooted from vendorprefix onto
dnl ${prefix}; when that directory is not on @INC (Debian's perl searches
dnl /usr/local/lib/<triplet>/perl/<version>, its site arch dir, but not the vendor one
dnl under /usr/local) the site arch dir re-rooted from siteprefix is used instead.

AC_ARG_ENABLE([perl],
  [AS_HELP_STRING([--disable-perl], [do not build the Perl bindings @<:@default=auto@:>@])],
  [], [enable_perl=auto])
AC_ARG_VAR([PERL_ARCHDIR], [where to install SMTPCodes (default: Perl's vendor arch dir under ${prefix})])
have_perl_bindings=no
AS_IF([test "x$enable_perl" != xno && test -n "$PERL"], [
  AC_MSG_CHECKING([for the Perl headers])
  PERL_CORE=`$PERL -MConfig -e 'print "$Config{archlibexp}/CORE"'`
  AS_IF([test -f "$PERL_CORE/perl.h"],
        [PERL_CFLAGS="-I$PERL_CORE `$PERL -MConfig -e 'print $Config{ccflags}'`"
         AC_MSG_RESULT([$PERL_CORE])],
        [AC_MSG_RESULT([no (Debian: libperl-dev)])])
  AS_IF([test -z "$PERL_ARCHDIR"], [
    smtpcodes_p=$prefix
    test "x$smtpcodes_p" = xNONE && smtpcodes_p=$ac_default_prefix
    AC_MSG_CHECKING([for the Perl arch dir under $smtpcodes_p])
    smtpcodes_pl_dir=`$PERL -MConfig -e '
      my $p = shift;
      my @found;
      for my $k (qw(vendor site)) {
        my ($dir, $pre) = ($Config{"install${k}arch"}, $Config{"${k}prefix"});
        next unless $dir && $pre && substr($dir, 0, length $pre) eq $pre;
        my $rel = substr($dir, length $pre);
        push @found, $rel;
        if (grep { $_ eq "$p$rel" } @INC) { print $rel; exit 0 }
      }
      print @found ? $found@<:@0@:>@ : "/lib/perl5";' "$smtpcodes_p"`
    PERL_ARCHDIR="\${prefix}$smtpcodes_pl_dir"
    AC_MSG_RESULT([$PERL_ARCHDIR])
  ])
  AS_IF([test -n "$SWIG" && test -n "$PERL_CFLAGS"], [have_perl_bindings=yes])
  AS_IF([test "x$enable_perl" = xyes && test "x$have_perl_bindings" = xno],
        [AC_MSG_ERROR([Perl bindings need swig and the Perl headers (Debian: swig libperl-dev)])])
])
AC_SUBST([PERL_CFLAGS])
AC_SUBST([PERL_ARCHDIR])
AM_CONDITIONAL([ENABLE_PERL], [test "x$have_perl_bindings" = xyes])
