#!/usr/bin/perl
# check_smtp_reply: arguments, --help, --version, usage errors (all UNKNOWN = 3).
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use NagiosTest;

my ($rc, $out) = run_plugin('-h');
is $rc, 0, '-h exits 0';
like $out, qr/^check_smtp_reply \S+/, '-h starts with the name and version';
like $out, qr/Default state mapping:/, '-h documents the default mapping';
like $out, qr/other replies 4xx\s+WARNING/, '4xx WARNING documented';
like $out, qr/other replies 5xx\s+CRITICAL/, '5xx CRITICAL documented';
like $out, qr/timeout \(-t\)\s+CRITICAL/, 'timeout documented';
like $out, qr/TLS support missing.*UNKNOWN/, 'missing TLS backend documented';
like $out, qr/only\s+option that can deliver mail/, '--data warns that it delivers mail';
my $help = $out;

($rc, $out) = run_plugin('--version');
is $rc, 0, '--version exits 0';
like $out, qr/^check_smtp_reply \d+\.\d+/, 'version line';

# every long option in --help is in the man page, and the reverse
{
    open my $m, '<', srcdir() . '/check_smtp_reply.8' or die;
    local $/; my $man = <$m>; $man =~ s/\\-/-/g; $man =~ s/\\f[BIRP]//g;
    my %h = map { $_ => 1 } $help =~ /(--[a-z][a-z0-9-]+)/g;
    my %m = map { $_ => 1 } $man =~ /(--[a-z][a-z0-9-]+)/g;
    my @missing = grep { !$m{$_} } sort keys %h;
    is "@missing", '', 'every option in --help is in the man page';
    @missing = grep { !$h{$_} && $_ ne '--with-nagios-plugin-dir' } sort keys %m;
    is "@missing", '', 'every option in the man page is in --help';
}

my @bad = (
    [ [], qr/-H is required/, 'no arguments' ],
    [ ['-x'], qr/unknown option -x/, 'unknown short option' ],
    [ ['--bogus'], qr/unknown option --bogus/, 'unknown long option' ],
    [ ['-H'], qr/needs a value/, 'missing value' ],
    [ ['-H', 'h', '-p', '0'], qr/bad port/, 'port 0' ],
    [ ['-H', 'h', '-p', '70000'], qr/bad port/, 'port too big' ],
    [ ['-H', 'h', '-t', 'x'], qr/bad timeout/, 'bad timeout' ],
    [ ['-H', 'h', '-t', '5:maybe'], qr/bad timeout state/, 'bad timeout state' ],
    [ ['-H', 'h', '-w', '1:0'], qr/threshold range/, 'inverted range' ],
    [ ['-H', 'h', '-c', ''], qr/threshold range/, 'empty range' ],
    [ ['-H', 'h', '--map', '550'], qr/bad --map/, '--map without state' ],
    [ ['-H', 'h', '--map', '650=ok'], qr/bad --map/, '--map with a bad code' ],
    [ ['-H', 'h', '--map', '5.1=ok'], qr/bad --map/, '--map with a short enhanced code' ],
    [ ['-H', 'h', '--map', 'helo:550=ok'], qr/bad --map/, '--map with a bad step' ],
    [ ['-H', 'h', '--map', '550=maybe'], qr/bad --map/, '--map with a bad state' ],
    [ ['-H', 'h', '--expect', 'rcpt'], qr/bad --expect/, '--expect without codes' ],
    [ ['-H', 'h', '--expect', 'rcpt=5.7.1,abc', '-r', 'x@y'], qr/bad code 'abc'/, '--expect with a bad code' ],
    [ ['-H', 'h', '--expect', 'rcpt=554'], qr/do not include that step/, '--expect rcpt without -r' ],
    [ ['-H', 'h', '--data'], qr/--data needs at least one -r/, '--data without -r' ],
    [ ['-H', 'h', '-A', 'cram'], qr/bad -A/, 'unsupported AUTH mechanism' ],
    [ ['-H', 'h', '-A', 'plain', '-U', 'u'], qr/needs a user and a password/, 'AUTH without a password' ],
    [ ['-H', 'h', '-U', 'u'], qr/need -A/, '-U without -A' ],
    [ ['-H', 'h', '-S', '-s'], qr/exclude each other/, '-S with -s' ],
    [ ['-H', 'h', '-D', '10'], qr/-D needs -S or -s/, '-D without TLS' ],
    [ ['-H', 'h', '-S', '-D', 'x'], qr/bad -D/, 'bad -D' ],
    [ ['-H', 'h', '--quit-after', 'lunch'], qr/bad --quit-after/, 'bad --quit-after' ],
    [ ['-H', 'h', '--format', 'mbox'], qr/bad --format/, 'bad --format' ],
    [ ['-H', 'h', 'positional'], qr/unexpected argument/, 'positional argument' ],
    [ ['-H', 'h', '--reply', '250 ok'], qr/cannot be combined/, '-H with --reply' ],
    [ ['-H', 'h', '--authfile', '/nonexistent/x', '-A', 'plain'], qr/cannot read --authfile/, 'missing authfile' ],
    [ ['-H', 'h', '--map-file', '/nonexistent/x'], qr/cannot read --map-file/, 'missing map file' ],
    [ ['--reply', '250 ok', '--vendor', 'nosuchvendor'], qr/unknown --vendor/, 'unknown vendor' ],
);
for my $b (@bad) {
    my ($args, $re, $name) = @$b;
    ($rc, $out) = run_plugin(@$args, { env => { CHECK_SMTP_REPLY_PASSWORD => undef } });
    is $rc, 3, "$name: UNKNOWN";
    like $out, qr/^SMTP_REPLY UNKNOWN - /, "$name: status line";
    like $out, $re, "$name: says why";
    my ($first) = split /\n/, $out;
    cmp_ok length($first), '<=', 120, "$name: short first line";
}

($rc, $out) = run_plugin('-x');
my @lines = split /\n/, $out;
cmp_ok scalar(@lines), '<=', 23, 'usage on a bad option fits 23 lines';
ok !(grep { length > 80 } @lines), 'usage lines fit 80 columns';

done_testing;
