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

# dies_with(sub { ... }, NAME, qr/message/, LABEL): the code dies with an SMTPCodes::Error
# of that name (and the library's domain) whose message matches and that names this test
# file as the place of the call. Returns the error.
sub dies_with {
    my ($code, $name, $re, $label) = @_;
    my $ok = eval { $code->(); 1 };
    my $e = $@;
    my $script = (File::Spec->splitpath($0))[2];
    Test::More::ok(!$ok, "$label: dies");
    Test::More::isa_ok($e, 'SMTPCodes::Error', "$label: error") or return;
    Test::More::is($e->name, $name, "$label: name");
    Test::More::like("$e", $re, "$label: stringifies to the message");
    Test::More::is($e->domain, 'smtpcodes-error-quark', "$label: domain");
    Test::More::like($e->file // '', qr/\Q$script\E$/, "$label: file of the call");
    return $e;
}
1;
