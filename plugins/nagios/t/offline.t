#!/usr/bin/perl
# check_smtp_reply offline mode: --reply and --file with raw replies, Postfix and Exim logs
# and DSNs; count thresholds; unparsable input.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use NagiosTest;

my $data = srcdir() . '/t/data';
my $dir = tmpdir();
sub first { (split /\n/, $_[0])[0] // '' }
my ($rc, $out);

($rc, $out) = run_plugin('--reply', '550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown');
is $rc, 2, '--reply 550 5.1.1: CRITICAL';
like first($out), qr/^SMTP_REPLY CRITICAL - 1 reply in 1 lines: 0 ok, 0 transient, 1 permanent; worst: reply 1: 550 5\.1\.1 \S/, 'status line';
like first($out), qr/\| lines=1;;;0 replies=1;;;0 ok=0;;;0 transient=0;;;0 permanent=1;;;0 not_ok=1;;;0 unparsed=0;;;0$/, 'perfdata';
like $out, qr/userunknown/, 'explained';

($rc, $out) = run_plugin('--reply', '250 2.0.0 Ok: queued as ABC');
is $rc, 0, '--reply 250: OK';
($rc, $out) = run_plugin('--reply', '451 4.7.1 Greylisted');
is $rc, 1, '--reply 451: WARNING';
($rc, $out) = run_plugin('--reply', '451 4.7.1 Greylisted', '--map', '4.7.1=ok');
is $rc, 0, '--map applies offline';
($rc, $out) = run_plugin('--reply', '550-5.1.1 The email account that you tried to reach does not exist.',
                         '--reply', '550 5.1.1 https://support.google.com/mail/?p=NoSuchUser x-gsmtp',
                         { env => { SMTPCODES_MODULE_PATH => ($ENV{SMTPCODES_SRCDIR} // '.') . '/data/modules' } });
is $rc, 2, 'multi-line --reply joined';
like first($out), qr/1 reply in 2 lines/, 'one reply from two lines';
like first($out), qr/\(Google/, 'vendor meaning named';
($rc, $out) = run_plugin('--reply', 'hello world');
is $rc, 3, 'unparsable --reply: UNKNOWN';
like first($out), qr/no reply could be parsed/, 'says so';
($rc, $out) = run_plugin('--reply', '550 5.1.1 ' . ('x' x 100000));
is $rc, 2, '100 KB --reply: CRITICAL';
cmp_ok length($out), '<', 8192, 'bounded output';
{
    open my $big, '>', "$dir/big"; print $big '550 5.1.1 ', 'y' x (2 * 1024 * 1024), "\n250 ok\n"; close $big;
    ($rc, $out) = run_plugin('--file', "$dir/big", '--format', 'reply');
    is $rc, 0, '2 MB line in --file: unparsed, the rest counts';
    like first($out), qr/unparsed=1/, 'counted as unparsed';
    cmp_ok length($out), '<', 8192, 'bounded output';
}

# Postfix log
($rc, $out) = run_plugin('--file', "$data/postfix.maillog");
is $rc, 2, 'Postfix log: CRITICAL (worst)';
like first($out), qr/5 replies in 8 lines: 1 ok, 2 transient, 2 permanent; worst: RCPT <gone\@example\.org>: 550 5\.1\.1/, 'Postfix counts';
like $out, qr/^WARNING RCPT <later\@example\.org>: 450 4\.7\.1/m, 'greylisting listed';
like $out, qr/^CRITICAL RCPT <full\@example\.com>: 552 5\.2\.2/m, 'status=bounced (in reply to RCPT TO) listed';
($rc, $out) = run_plugin('--file', "$data/postfix.maillog", '--format', 'postfix', '-w', '2', '-c', '5');
is $rc, 1, '-w 2 -c 5 with 4 non-OK replies: WARNING';
like first($out), qr/not_ok=4;2;5;0/, 'not_ok perfdata with thresholds';
($rc, $out) = run_plugin('--file', "$data/postfix.maillog", '-w', '5', '-c', '10');
is $rc, 0, 'below the count thresholds: OK';
($rc, $out) = run_plugin('--file', "$data/postfix.maillog", '--map', 'rcpt:5.2.2=warning', '--map', '4xx=ok', '--map', 'rcpt:5.1.1=ok');
is $rc, 1, 'step-scoped --map on log lines';
open my $in, '<', "$data/postfix.maillog"; my $log = do { local $/; <$in> };
($rc, $out) = run_plugin('--file', '-', { stdin => $log });
is $rc, 2, '--file - reads stdin';

# Exim
($rc, $out) = run_plugin('--file', "$data/exim.mainlog", '--format', 'exim');
is $rc, 2, 'Exim log: CRITICAL';
like first($out), qr/2 replies in 4 lines: 0 ok, 1 transient, 1 permanent/, 'Exim counts';
like $out, qr/RCPT <gone\@example\.com>: 550 5\.1\.1/, 'Exim recipient';

# DSN
($rc, $out) = run_plugin('--file', "$data/dsn-nouser.eml");
is $rc, 2, 'DSN: CRITICAL';
like first($out), qr/3 replies in \d+ lines: 1 ok, 0 transient, 2 permanent/, 'one reply per recipient';
like $out, qr/gone\@example\.com \(failed\): 550 5\.1\.1/, 'Diagnostic-Code smtp; parsed';
like $out, qr/local\@example\.org \(failed\): 5\.2\.2/, 'Status used without an SMTP diagnostic';

# raw replies, garbage, missing file
open my $f, '>', "$dir/replies"; print $f "250 2.1.5 Ok\n\n421-4.7.0 Try again\n421 4.7.0 later\nnot a reply\n"; close $f;
($rc, $out) = run_plugin('--file', "$dir/replies", '--format', 'reply');
is $rc, 1, 'raw replies: WARNING';
like first($out), qr/2 replies in 5 lines: 1 ok, 1 transient, 0 permanent.*unparsed=1/, 'unparsed counted';
open $f, '>', "$dir/garbage"; print $f "\x00\x01\x02 binary | junk\nmore junk\n"; close $f;
($rc, $out) = run_plugin('--file', "$dir/garbage", '--format', 'reply');
is $rc, 3, 'only garbage: UNKNOWN';
unlike $out, qr/[\x00-\x08]/, 'no control characters';
is( (() = first($out) =~ /\|/g), 1, 'no | from the input on line 1');
($rc, $out) = run_plugin('--file', "$dir/empty-nonexistent");
is $rc, 3, 'missing file: UNKNOWN';
like first($out), qr/cannot read --file/, 'says so';
open $f, '>', "$dir/empty"; close $f;
($rc, $out) = run_plugin('--file', "$dir/empty");
is $rc, 0, 'empty file: OK';
like first($out), qr/no replies in 0 lines/, 'says so';

done_testing;
