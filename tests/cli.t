#!/usr/bin/perl
# The smtpcodes command: outputs, JSON schema, exit codes, --help against the man page.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Encode ();
use File::Temp qw(tempdir);

my $bin = $ENV{SMTPCODES} or BAIL_OUT("SMTPCODES is not set");
my $src = $ENV{SMTPCODES_SRCDIR} // '..';
my $json = JSON::PP->new->utf8;

# run(args..., {stdin => ..., env => {...}}) -> (exit, stdout, stderr)
sub run {
    my $opt = ref $_[-1] eq 'HASH' ? pop : {};
    my $dir = tempdir(CLEANUP => 1);
    open my $in, '>:raw', "$dir/in" or die; print $in ($opt->{stdin} // ''); close $in;
    local %ENV = (%ENV, %{ $opt->{env} // {} });
    my $pid = fork // die;
    if (!$pid) {
        open STDIN, '<', "$dir/in"; open STDOUT, '>', "$dir/out"; open STDERR, '>', "$dir/err";
        exec $bin, @_ or exit 127;
    }
    waitpid $pid, 0;
    my $rc = $? >> 8;
    local $/;
    open my $o, '<:raw', "$dir/out"; my $out = <$o>;
    open my $e, '<:raw', "$dir/err"; my $err = <$e>;
    return ($rc, $out, $err);
}

my $uu = '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table';

# --- explain, human ---
my ($rc, $out, $err) = run('explain', $uu);
is $rc, 0, 'explain exits 0';
like $out, qr/^550 5\.1\.1: permanent failure/m, 'class line';
like $out, qr/^Reason:\s+userunknown/m, 'reason';
like $out, qr/^Bounce:\s+hard bounce/m, 'hard bounce';
like $out, qr/^Retry:\s+no/m, 'no retry';
like $out, qr/^Explanation:\s+\S.{40,}/m, 'explanation';
like $out, qr/^Advice:\s+\S/m, 'advice';

($rc, $out) = run('--lang', 'de', 'explain', $uu);
is $rc, 0, 'explain --lang de';
like $out, qr/dauerhafter Fehler/, 'German class';
like $out, qr/^Grund:\s+userunknown/m, 'German labels';
like $out, qr/^Erklärung:/m, 'German explanation label';
my ($en) = run('explain', $uu);
isnt $out, $en, 'German output differs from English';

# --- explain, JSON ---
($rc, $out) = run('--json', 'explain', $uu);
is $rc, 0, 'explain --json';
my $v = eval { $json->decode($out) };
ok $v, 'JSON parses' or diag $@;
is $v->{schema}, 1, 'schema 1';
is $v->{code}, 550, 'code';
is $v->{enhanced}, '5.1.1', 'enhanced';
is $v->{class}, 'permanent', 'class';
is $v->{reason}, 'userunknown', 'reason';
ok $v->{hard_bounce}, 'hard_bounce true';
ok !$v->{retry}, 'retry false';
ok length($v->{explanation}) > 40, 'explanation text';
ok length($v->{advice}) > 10, 'advice text';
ok @{ $v->{evidence} } > 0, 'evidence';
ok @{ $v->{entries} } >= 2, 'entries';
for my $k (qw(input status text command remote_host context bounce mismatch vendor lang summary notes alternatives pattern)) {
    ok exists $v->{$k}, "JSON has $k";
}
($rc, $out) = run('--json', '--lang', 'de', 'explain', $uu);
my $vde = $json->decode($out);
is $vde->{lang}, 'de', 'lang de in JSON';
isnt $vde->{explanation}, $v->{explanation}, 'German explanation in JSON';

# --- alternatives, mismatch, fall-back ---
($rc, $out) = run('--json', 'explain', '571');
$v = $json->decode($out);
is $v->{alternatives}[0]{kind}, 'dotless', '571: dotless alternative';
is $v->{alternatives}[0]{entry}{code}, 'X.7.1', '571: read as 5.7.1';
like join(' ', @{ $v->{notes} }), qr/5\.7\.1/, '571: note names 5.7.1';
($rc, $out) = run('explain', '571');
like $out, qr/5\.7\.1/, '571 human output offers 5.7.1';

($rc, $out) = run('--json', 'explain', '450 5.2.3 Message too big for this mailbox');
$v = $json->decode($out);
ok $v->{mismatch}, '450 5.2.3: mismatch';
is $v->{class}, 'transient', '450 5.2.3: basic code decides the class';
like join(' ', @{ $v->{notes} }), qr/450.*5\.2\.3/, 'mismatch note names both';

($rc, $out) = run('--json', 'explain', '5.7.99');
$v = $json->decode($out);
is_deeply [ map { $_->{code} } @{ $v->{entries} } ], [ 'X.7.XXX', '5.XXX.XXX' ], '5.7.99 falls back to subject, then class';
is $v->{class}, 'permanent', '5.7.99 permanent';

# --- explain from stdin, one verdict per line ---
my $stdin = "$uu\n451 4.7.1 Greylisted, retry soon\nno code here\n250 ok\n";
($rc, $out, $err) = run('--json', 'explain', '-', { stdin => $stdin });
is $rc, 1, 'stdin with a bad line exits 1';
my @lines = split /\n/, $out;
is scalar(@lines), 4, 'one JSON line per input line';
my @objs = map { $json->decode($_) } @lines;
is $objs[0]{reason}, 'userunknown', 'line 1';
is $objs[1]{class}, 'transient', 'line 2';
like $objs[2]{error}, qr/no SMTP reply code/, 'line 3 is an error object';
is $objs[2]{where}, 'stdin:3', 'error names the line';
is $objs[3]{class}, 'success', 'line 4';
like $err, qr/stdin:3: no SMTP reply code/, 'stderr names the line';

($rc, $out, $err) = run('explain', '-', { stdin => "550 " . ("x" x (2 * 1024 * 1024)) . "\n250 ok\n" });
is $rc, 1, 'overlong line: exit 1';
like $err, qr/stdin:1: reply is \d+ bytes long/, 'overlong line named';
like $out, qr/^250: success/m, 'next line still explained';
($rc, $out, $err) = run('explain', '-', { stdin => "550 bad\0user\n" });
is $rc, 1, 'NUL byte: exit 1';
like $err, qr/NUL byte/, 'NUL byte named';
($rc, $out, $err) = run('explain', '-', { stdin => "550 5.1.1 Benutzer \xff unbekannt\n" });
is $rc, 0, 'invalid UTF-8 is explained';
like $out, qr/Benutzer \x{ef}\x{bf}\x{bd} unbekannt/, 'invalid bytes replaced, text kept';
($rc, $out, $err) = run('explain', '-', { stdin => '' });
is $rc, 0, 'empty stdin: nothing to do';

# --- lookup, list, modules, reasons ---
($rc, $out) = run('lookup', '550');
is $rc, 0, 'lookup 550';
like $out, qr/^reply 550 \[standard/m, 'lookup shows the entry';
($rc, $out, $err) = run('lookup', '599');
is $rc, 1, 'lookup of an unknown code exits 1';
($rc, $out, $err) = run('lookup', 'abc');
is $rc, 1, 'lookup of a non-code exits 1';
like $err, qr/'abc' is not a code/, 'and says why';
($rc, $out) = run('--json', 'lookup', '550 5.7.1');
$v = $json->decode($out);
is $v->{entries}[0]{code}, 'X.7.1', 'lookup pair: status first';
($rc, $out) = run('list', 'standard');
is $rc, 0, 'list standard';
cmp_ok scalar(split /\n/, $out), '>=', 66, 'list has every reply code';
($rc, $out, $err) = run('list', 'nosuch');
is $rc, 1, 'list of an unknown module exits 1';
($rc, $out) = run('--json', 'modules');
$v = $json->decode($out);
is_deeply [ sort map { $_->{id} } @{ $v->{modules} } ], [ qw(commands enhanced standard wording) ], 'built-in modules';
($rc, $out) = run('reasons');
like $out, qr/^userunknown$/m, 'reasons';

# --- site module on the search path, no rebuild ---
my $site = tempdir(CLEANUP => 1);
open my $fh, '>', "$site/mysite.codes" or die;
print $fh <<'CODES';
[Module]
Id=mysite
Name=My site
Name[de]=Mein Standort
Kind=site
Version=1
FormatVersion=1

[Reply 559]
Class=permanent
Reason=policyviolation
Source=Local
Summary=Our gateway refused this
Summary[de]=Unser Gateway hat das abgelehnt
Explanation=Our gateway uses 559 for mail that breaks the house rules.
Explanation[de]=Unser Gateway verwendet 559 für Mail, die gegen die Hausregeln verstößt.
Advice=Call the help desk.
Advice[de]=Rufen Sie den Helpdesk an.
CODES
close $fh;
($rc, $out) = run('--json', 'explain', '559 go away', { env => { SMTPCODES_MODULE_PATH => $site } });
$v = $json->decode($out);
is $v->{reason}, 'policyviolation', 'site module adds a code without a rebuild';
is $v->{entries}[0]{module}, 'mysite', 'from the site module';

# --- vendor modules from the source tree ---
my $mods = { env => { SMTPCODES_MODULE_PATH => "$src/data/modules" } };
($rc, $out) = run('--json', 'explain', '571', $mods);
$v = $json->decode($out);
ok((grep { $_->{entry}{module} eq 'exchange' } @{ $v->{alternatives} }), '571: Exchange reading offered');
($rc, $out) = run('--json', '--vendor', 'google', 'explain', '550 5.7.29 This message was not sent over TLS', $mods);
$v = $json->decode($out);
is $v->{entries}[0]{module}, 'google', 'Google meaning of 5.7.29 with --vendor google';
ok((grep { $_->{kind} eq 'registry' } @{ $v->{alternatives} }), 'registry meaning offered beside it');
($rc, $out) = run('--json', 'explain', '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found', $mods);
$v = $json->decode($out);
is $v->{vendor}, 'exchange', 'Exchange recognised from the text';
is $v->{reason}, 'userunknown', 'RESOLVER.ADR.RecipNotFound is userunknown';
($rc, $out) = run('--json', '--lang', 'de', 'explain', '535', $mods);
$v = $json->decode($out);
is $v->{entries}[0]{module}, 'standard', '535: the RFC meaning first';
ok((grep { $_->{entry}{module} =~ /^(exchange|mailenable)$/ } @{ $v->{alternatives} }), '535: the table meaning offered too');
($rc, $out) = run('command', 'EHLO');
is $rc, 0, 'command EHLO';
like $out, qr/RFC 5321/, 'command names the obsoleting RFC';
($rc, $out, $err) = run('command', 'FROB');
is $rc, 1, 'unknown command exits 1';

# --- validate ---
($rc, $out) = run('validate', "$src/tests/data/valid/acme.codes");
is $rc, 0, 'validate a valid module';
($rc, $out, $err) = run('validate', "$src/tests/data/invalid/unknown-key.codes");
is $rc, 1, 'validate an invalid module exits 1';
like $err, qr/unknown-key\.codes:11: \[Status 5\.7\.1\]: Sauce: unknown key/, 'error names file, line, group and key';
($rc, $out, $err) = run('validate', "$src/tests/data/valid/english-only.codes");
is $rc, 1, 'validate is strict about German';

# bad module on the search path: others still load, rejection listed
($rc, $out) = run('modules', { env => { SMTPCODES_MODULE_PATH => "$src/tests/data/invalid" } });
is $rc, 0, 'modules with bad modules on the path';
like $out, qr/^rejected: .*duplicate-key\.codes:11/m, 'rejected module listed with its line';
($rc, $out, $err) = run('--strict', 'modules', { env => { SMTPCODES_MODULE_PATH => "$src/tests/data/invalid" } });
is $rc, 2, '--strict makes a bad module fatal';

# --- usage errors ---
($rc, $out, $err) = run();
is $rc, 2, 'no command: exit 2';
($rc, $out, $err) = run('frobnicate');
is $rc, 2, 'unknown command: exit 2';
like $err, qr/unknown command 'frobnicate'/, 'named';
($rc, $out, $err) = run('--bogus', 'explain', '550');
is $rc, 2, 'unknown option: exit 2';
($rc, $out, $err) = run('--lang', 'fr', 'explain', '550');
is $rc, 2, 'unsupported language: exit 2';
($rc, $out, $err) = run('--vendor', 'nosuch', 'explain', '550');
is $rc, 2, 'unknown vendor: exit 2';
like $err, qr/nosuch/, 'vendor named';
($rc, $out, $err) = run('explain');
is $rc, 2, 'explain without text: exit 2';
($rc, $out) = run('--version');
like $out, qr/^smtpcodes \d+\.\d+/, '--version';

# --- --help and the man page agree ---
($rc, $out) = run('--help');
is $rc, 0, '--help exits 0';
open my $man, '<', "$src/docs/man/smtpcodes.1" or die "man page: $!";
my $manpage = do { local $/; <$man> };
$manpage =~ s/\\-/-/g; $manpage =~ s/\\f[BIRP]//g;
my @opts = $out =~ /^\s+(?:-\w, )?(--[a-z-]+)/mg;
cmp_ok scalar(@opts), '>=', 8, 'options in --help';
for my $o (@opts) { like $manpage, qr/\Q$o\E/, "man page documents $o" }
my @cmds = $out =~ /^  (explain|lookup|list|modules|command|validate|reasons|bounce)\b/mg;
is scalar(@cmds), 8, 'eight commands in --help';
for my $c (@cmds) { like $manpage, qr/^\.SS \Q$c\E/m, "man page documents command $c" }
open my $readme, '<', "$src/README.md" or die;
my $rd = do { local $/; <$readme> };
for my $c (@cmds) { like $rd, qr/smtpcodes \Q$c\E/, "README mentions smtpcodes $c" }

# --- GMime is loaded when the first bounce is read: explaining needs none of it, and a
# missing GMime is a clear error for bounce, not a crash ---
{
    my $nogmime = { env => { SMTPCODES_GMIME_LIBRARY => '/nonexistent/libgmime-3.0.so.0' } };
    ($rc, $out, $err) = run('explain', '550 5.1.1 User unknown', $nogmime);
    is $rc, 0, 'explain works without GMime';
    ($rc, $out, $err) = run('bounce', "$src/tests/data/bounces/exim.eml", $nogmime);
    is $rc, 1, 'bounce without GMime exits 1';
    like $err, qr{reading bounces needs GMime 3 \(/nonexistent/libgmime-3\.0\.so\.0\), which cannot be loaded}, 'bounce without GMime says why';
    like $err, qr{^smtpcodes: \Q$src\E/tests/data/bounces/exim\.eml: reading bounces}m, 'and names the file';
    ($rc, $out, $err) = run('bounce', "$src/tests/data/bounces/exim.eml");
    is $rc, 0, 'bounce loads GMime';
}

# --- a file that is no message: the error names it (it used to say only what was wrong) ---
{
    my $dir = tempdir(CLEANUP => 1);
    open my $fh, '>:raw', "$dir/garbage.eml" or die; print $fh "\x01\x02 no header here\n"; close $fh;
    ($rc, $out, $err) = run('bounce', "$dir/garbage.eml");
    is $rc, 1, 'garbage: exit 1';
    like $err, qr{^smtpcodes: \Q$dir\E/garbage\.eml: not an e-mail message}m, 'garbage: the error names the file';
    open $fh, '>:raw', "$dir/two.mbox" or die;
    print $fh "From a\@b Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody\n\nFrom c\@d Mon Jan  1 00:00:00 2024\n\x01junk\n";
    close $fh;
    ($rc, $out, $err) = run('bounce', "$dir/two.mbox");
    like $err, qr{^smtpcodes: \Q$dir\E/two\.mbox, message 2: not an e-mail message}m, 'mbox: the error names the message';
}

# --- an empty standard input is an empty message, as an empty file is (it was silent) ---
($rc, $out, $err) = run('bounce', '-', { stdin => '' });
is $rc, 1, 'bounce of an empty stdin: exit 1';
like $err, qr/^smtpcodes: -: empty input: no message to read/m, 'bounce of an empty stdin: says so';

# --- auto-replies and feedback reports are explained, not "unknown", and have no action ---
for my $case ([ 'autoreply.eml', qr/^An automatic reply/, qr/^Eine automatische Antwort/ ],
              [ 'arf.eml', qr/^A feedback report/, qr/^Ein Feedback-Bericht/ ]) {
    my ($file, $en, $de) = @$case;
    my @args = ('-M', "$src/data/modules", '--json');
    ($rc, $out, $err) = run(@args, 'bounce', "$src/tests/data/bounces/$file");
    my $r = $json->decode($out);
    like $r->{summary}, $en, "$file: summary";
    ok length($r->{advice}) > 20, "$file: advice";
    is $r->{action}, undef, "$file: no delivery action";
    ($rc, $out, $err) = run(@args, '--lang', 'de', 'bounce', "$src/tests/data/bounces/$file");
    like $json->decode($out)->{summary}, $de, "$file: summary in German";
}

# --- JSON strings: quotes, backslashes, control characters and UTF-8 round-trip ---
{
    my $in = "550 5.1.1 a\"b\\c\x01d\x7fe\tf \xc3\xa9 end";
    ($rc, $out, $err) = run('--json', 'explain', $in);
    is $rc, 0, 'json escaping: exit 0';
    my $v = eval { $json->decode($out) };
    ok $v, 'json escaping: output parses' or diag $out;
    is $v->{input}, Encode::decode('UTF-8', $in), 'json escaping: input round-trips';
    (my $line = $out) =~ s/\n\z//;
    unlike $line, qr/[\x00-\x1f\x7f]/, 'json escaping: no raw control characters';
}

done_testing;
