# Shared set-up of the SMTPCodes tests: load the freshly built module and library.
# Works under 'make check' (G_TEST_BUILDDIR is set) and with 'prove -b t/' run from
# bindings/perl in the build tree.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Spec;
use Cwd qw(abs_path);

our $TOP_BUILDDIR = $ENV{G_TEST_BUILDDIR}
    ? dirname($ENV{G_TEST_BUILDDIR})
    : abs_path(File::Spec->catdir(dirname(abs_path($0)), '..', '..', '..'));
our $TOP_SRCDIR = $ENV{SMTPCODES_SRCDIR} // $TOP_BUILDDIR;
my $libdir = "$TOP_BUILDDIR/libsmtpcodes/.libs";
our $BLIB = "$TOP_BUILDDIR/bindings/perl/blib";

# the dynamic linker reads LD_LIBRARY_PATH at start-up only: run again with it set
if (($ENV{LD_LIBRARY_PATH} // '') !~ /^\Q$libdir\E(?::|$)/) {
    $ENV{LD_LIBRARY_PATH} = join ':', $libdir, grep { length } $ENV{LD_LIBRARY_PATH} // ();
    exec $^X, $0, @ARGV or die "cannot run $0 again: $!\n";
}
unshift @INC, "$BLIB/lib", "$BLIB/arch";
1;
