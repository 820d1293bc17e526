#!/usr/bin/perl
# check_smtp_reply against a real Postfix started on loopback for this test (root only):
# accepted recipient, unknown recipient, relay refused (--expect), greylisting, STARTTLS,
# then offline mode over the log lines this Postfix wrote.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use NagiosTest;
use IO::Socket::INET;
use File::Temp ();
use File::Path ();

plan skip_all => 'a real Postfix needs root (postfix refuses to start otherwise)' if $> != 0;
my $postfix = (grep { -x "$_/postfix" } split(/:/, "$ENV{PATH}:/usr/sbin:/sbin"))[0];
plan skip_all => 'postfix is not installed (Debian: postfix)' unless $postfix;
$ENV{PATH} = "$ENV{PATH}:$postfix";

# postfix's own user must reach the data directory: a world-searchable base
my $base = File::Temp::tempdir('check-smtp-reply-pfx-XXXXXX', TMPDIR => 1);
chmod 0755, $base;
my $port = do { my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1); my $p = $s->sockport; close $s; $p };
my $script = srcdir() . '/t/postfix-instance.sh';
system('sh', $script, 'start', $base, $port) == 0 or BAIL_OUT('cannot start the test Postfix');
END { if ($base) { system('sh', $script, 'stop', $base); File::Path::rmtree($base) } }
# wait until smtpd answers (master starts it on the first connection)
for (1 .. 50) { IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 1) and last; select undef, undef, undef, 0.1 }

sub first { (split /\n/, $_[0])[0] // '' }
my @h = ('-H', '127.0.0.1', '-p', $port, '-t', '15', '--ehlo-name', 'probe.test.invalid');
my ($rc, $out);

($rc, $out) = run_plugin(@h);
is $rc, 0, 'banner and EHLO: OK';
like first($out), qr/^SMTP_REPLY OK - EHLO: 250 /, 'status line';

($rc, $out) = run_plugin(@h, '-f', 'sender@example.org', '-r', 'root@localhost');
is $rc, 0, 'accepted recipient: OK';
like first($out), qr/^SMTP_REPLY OK - RCPT <root\@localhost>: 250 2\.1\.5 .*\| time=[\d.]+s;;;0 connect_time=.* rcpt_time=[\d.]+s/, 'status line and perfdata';

($rc, $out) = run_plugin(@h, '-f', 'sender@example.org', '-r', 'nosuch@localhost');
is $rc, 2, 'unknown recipient: CRITICAL';
like first($out), qr/^SMTP_REPLY CRITICAL - RCPT <nosuch\@localhost>: 550 5\.1\.1 \S/, 'names RCPT, 550 and 5.1.1';
like $out, qr/User unknown in local recipient table/, 'Postfix text in the long output';
like $out, qr/userunknown\. \S+/, 'the library explains 5.1.1';

($rc, $out) = run_plugin(@h, '-f', 'probe@example.org', '-r', 'someone@example.com', '--expect', 'rcpt=5.7.1,554');
is $rc, 0, 'relay attempt refused, as expected: OK';
like $out, qr/554 5\.7\.1 <someone\@example\.com>: Relay access denied/, 'relay denied';
($rc, $out) = run_plugin(@h, '-f', 'probe@example.org', '-r', 'someone@example.com');
is $rc, 2, 'relay denied without --expect: CRITICAL';
($rc, $out) = run_plugin(@h, '-f', 'probe@example.org', '-r', 'someone@example.com', '--expect', 'rcpt=250');
is $rc, 2, 'expecting an open relay: CRITICAL';

($rc, $out) = run_plugin(@h, '-f', 'a@example.org', '-r', 'greylist@localhost');
is $rc, 1, 'greylisting: WARNING';
like first($out), qr/450 4\.7\.1/, 'greylisting code';
($rc, $out) = run_plugin(@h, '-f', 'a@example.org', '-r', 'full@localhost', '--map', 'rcpt:4.2.2=ok');
is $rc, 0, '--map rcpt:4.2.2=ok';

($rc, $out) = run_plugin(@h, '-S', '-D', '1', '-f', 'a@example.org', '-r', 'root@localhost');
is $rc, 0, 'STARTTLS with -D 1: OK';
like first($out), qr/tls_cert_days=1;1:;0:/, 'certificate days';
like $out, qr/^TLS: TLS 1\.\d/m, 'TLS facts';
($rc, $out) = run_plugin(@h, '-S', '-D', '30,10');
is $rc, 2, 'STARTTLS with -D 30,10 and a 2-day certificate: CRITICAL';
($rc, $out) = run_plugin(@h, '-S', '-A', 'plain', '-U', 'u', { env => { CHECK_SMTP_REPLY_PASSWORD => 'pw-never-shown' } });
is $rc, 2, 'AUTH against a Postfix without AUTH: CRITICAL';
like first($out), qr/AUTH PLAIN: 503 5\.5\.1/, '503 5.5.1';
unlike $out, qr/pw-never-shown/, 'password not shown';

# offline mode over the lines this Postfix wrote
my $log = "$base/maillog";
for (1 .. 30) { last if -s $log && `grep -c NOQUEUE $log` >= 4; select undef, undef, undef, 0.1 }
($rc, $out) = run_plugin('--file', $log, '--format', 'postfix');
is $rc, 2, 'offline over the Postfix log: CRITICAL';
like first($out), qr/worst: RCPT <nosuch\@localhost>: 550 5\.1\.1/, 'worst is the unknown user';
like first($out), qr/ transient=[1-9]/, 'greylisting counted as transient';
like $out, qr/^WARNING RCPT <greylist\@localhost>: 450 4\.7\.1/m, 'greylisting line';
($rc, $out) = run_plugin('--file', $log, '--map', 'rcpt:5.1.1=ok', '--map', 'rcpt:5.7.1=ok', '--map', '4xx=ok');
is $rc, 0, 'offline with maps: OK' or diag $out;

done_testing;
