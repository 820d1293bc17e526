#!/usr/bin/perl
# check_smtp_reply against the scripted server (fake-smtpd.pl) on loopback: every state
# path, multi-line replies, --map/--expect precedence, timeouts, dropped connections,
# garbage, TLS, AUTH without leaking the password.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use NagiosTest;
use MIME::Base64 qw(encode_base64);

my $dir = tmpdir();
my $UU = '550 5.1.1 <nosuch@localhost>: Recipient address rejected: User unknown in local recipient table';

# check(server options, plugin options) -> (exit, stdout, seconds, server log)
my $n = 0;
sub check {
    my ($srv, @args) = @_;
    my $opt = ref $args[-1] eq 'HASH' ? pop @args : {};
    my $log = "$dir/log" . ++$n;
    my $port = start_server('--log', $log, @$srv);
    my ($rc, $out, $err, $secs) = run_plugin('-H', '127.0.0.1', '-p', $port, @args, $opt);
    diag "stderr: $err" if length $err;
    open my $l, '<', $log; local $/; my $t = <$l> // '';
    return ($rc, $out, $secs, $t);
}
sub first { (split /\n/, $_[0])[0] // '' }

my ($rc, $out, $secs, $log);

# ---- OK path and output format ----
($rc, $out) = check([], '-f', 'probe@example.org', '-r', 'ok@example.org');
is $rc, 0, 'accepted recipient: OK';
like first($out), qr/^SMTP_REPLY OK - RCPT <ok\@example\.org>: 250 2\.1\.5 \S.* \| time=[\d.]+s;;;0 /, 'OK status line';
for my $p (qw(connect_time banner_time ehlo_time mail_time rcpt_time)) {
    like first($out), qr/ $p=[\d.]+s;;;0\b/, "perfdata $p";
}
is( (() = first($out) =~ /\|/g), 1, 'exactly one | on line 1');
like $out, qr/^OK MAIL <probe\@example\.org>: MAIL FROM:<probe\@example\.org> -> 250 2\.1\.0 Ok/m, 'long output: the MAIL step';
like $out, qr/^OK RSET: RSET -> 250/m, 'RSET after RCPT without DATA';
like $out, qr/^OK QUIT: QUIT -> 221/m, 'QUIT';

($rc, $out) = check([], '-w', '5', '-c', '10');
is $rc, 0, 'banner + EHLO only: OK';
like first($out), qr/time=[\d.]+s;5;10;0/, 'thresholds in perfdata';
like first($out), qr/- EHLO: 250 /, 'EHLO is the last step';

# ---- step-aware defaults ----
($rc, $out) = check(['--on', "RCPT:nosuch=$UU"], '-r', 'ok@x.org', '-r', 'nosuch@localhost');
is $rc, 2, 'unknown recipient: CRITICAL';
like first($out), qr/^SMTP_REPLY CRITICAL - RCPT <nosuch\@localhost>: 550 5\.1\.1 \S/, 'status names step, code, enhanced code';
like $out, qr/userunknown/, 'long output has the library reason';
like $out, qr/default for 5xx at rcpt/, 'long output says why';

($rc, $out) = check(['--on', 'RCPT=450-4.7.1 <greylist@localhost>: Recipient address rejected:\n450 4.7.1 Greylisted, please try again later'],
                    '-r', 'greylist@localhost');
is $rc, 1, 'greylisting (multi-line 450): WARNING';
like first($out), qr/WARNING - RCPT <greylist\@localhost>: 450 4\.7\.1/, 'greylisting status';

like $out, qr/450-4\.7\.1 .*450 4\.7\.1 Greylisted/, 'both reply lines in the long output';
# a reply whose text quotes another code keeps its own (the wire code is in front); the
# library's log reader would take "said: 554" as the reply
($rc, $out) = check(['--on', 'RCPT=250 2.1.5 Ok, although the relay said: 554 5.7.1 refused before'],
                    '-r', 'quoted@localhost');
is $rc, 0, 'a 250 that quotes a 554: OK';
like first($out), qr/OK - RCPT <quoted\@localhost>: 250 2\.1\.5/, 'a 250 that quotes a 554: its own code';

($rc, $out) = check(['--on', 'MAIL=530 5.7.0 Must issue a STARTTLS command first'], '-f', 'a@b.example');
is $rc, 2, 'MAIL FROM refused: CRITICAL (check_smtp never checks it)';
like first($out), qr/MAIL <a\@b\.example>: 530 5\.7\.0/, 'MAIL status';

($rc, $out) = check(['--banner', '421 4.3.2 Service not available, closing channel']);
is $rc, 2, 'banner 421: CRITICAL';
like first($out), qr/banner: 421 4\.3\.2/, 'banner status';
($rc, $out) = check(['--banner', '554 5.7.1 No SMTP service here']);
is $rc, 2, 'banner 554: CRITICAL';

($rc, $out, $secs, $log) = check(['--on', 'EHLO=502 5.5.2 Error: command not recognized'], '-r', 'x@y.example');
is $rc, 0, 'EHLO refused, HELO fallback: OK';
like $log, qr/^C: HELO /m, 'HELO was sent';
like $out, qr/falling back to HELO/, 'fallback in the long output';

($rc, $out) = check(['--on', 'LHLO=421 4.7.0 Too many connections'], '--lmtp');
is $rc, 2, 'LHLO 421: CRITICAL';

($rc, $out) = check(['--on', 'DATA=451 4.3.0 Queue file write error'], '-r', 'a@b.example', '--data');
is $rc, 1, 'DATA 451: WARNING';
($rc, $out) = check(['--on', 'DOT=552 5.3.4 Error: message file too big'], '-r', 'a@b.example', '--data');
is $rc, 2, 'end of DATA 552: CRITICAL';
like first($out), qr/end of DATA: 552 5\.3\.4/, 'end of DATA status';

($rc, $out, $secs, $log) = check([], '-f', 's@example.org', '-r', 'a@b.example', '--data');
is $rc, 0, 'DATA delivered: OK';
like $log, qr/^D: X-Check-SMTP-Reply: /m, 'test message is marked';
like $log, qr/^C: DATA$/m, 'DATA sent';
unlike $log, qr/^C: RSET/m, 'no RSET after DATA';
like first($out), qr/data_time=/, 'data_time perfdata';

# LMTP: one reply per accepted recipient after the dot
($rc, $out, $secs, $log) = check(['--lmtp', '--on', 'RCPT:bad=550 5.1.1 no such user'], '--lmtp',
                                 '-r', 'a@x.example', '-r', 'b@x.example', '-r', 'bad@x.example', '--data');
is $rc, 2, 'LMTP with one bad recipient: CRITICAL';
like $log, qr/^C: LHLO /m, 'LHLO';
like $out, qr/end of DATA \(recipient 2\)/, 'two end-of-data replies read';

($rc, $out) = check(['--on', 'QUIT=500 5.5.1 no'], '-r', 'a@b.example');
is $rc, 0, 'failing QUIT: reported only';
($rc, $out) = check(['--on', 'QUIT=500 5.5.1 no'], '-r', 'a@b.example', '--strict-quit');
is $rc, 2, 'failing QUIT with --strict-quit: CRITICAL';

# RFC 2920: with PIPELINING offered, RSET and QUIT go out together
($rc, $out) = check([], '-r', 'a@b.example', '-vvv');
like $out, qr/^  C: RSET\n  C: QUIT\n  S: 250 .*\n  S: 221 /m, 'RSET and QUIT pipelined';
($rc, $out) = check(['--on', 'EHLO=250-fake.test.invalid\n250 8BITMIME'], '-r', 'a@b.example', '-vvv');
is $rc, 0, 'no PIPELINING: OK';
like $out, qr/^  C: RSET\n  S: 250 .*\n  C: QUIT\n  S: 221 /m, 'no PIPELINING: RSET, then QUIT';
($rc, $out, $secs) = check(['--on', 'QUIT=hang'], '-r', 'a@b.example', '-t', '1', '--strict-quit');
is $rc, 2, 'pipelined QUIT unanswered with --strict-quit: CRITICAL';
like first($out), qr/QUIT: timeout after 1 s waiting for the reply to QUIT/, 'names the QUIT';
cmp_ok $secs, '<', 3, 'within -t';

($rc, $out, $secs, $log) = check([], '-r', 'a@b.example', '--quit-after', 'ehlo');
is $rc, 0, '--quit-after ehlo';
unlike $log, qr/^C: MAIL/m, 'no MAIL after --quit-after ehlo';

# ---- --map and --expect precedence ----
my @uu = ('--on', "RCPT=$UU");
($rc, $out) = check(\@uu, '-r', 'nosuch@localhost', '--map', 'rcpt:5.1.1=ok');
is $rc, 0, '--map rcpt:5.1.1=ok';
like $out, qr/--map rcpt:5\.1\.1=ok/, 'long output names the --map';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', '5.1.1=warning');
is $rc, 1, '--map 5.1.1=warning';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', '5.1.1=warning', '--map', 'rcpt:550=ok');
is $rc, 0, 'a step-qualified key beats an unqualified one';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', '550=warning', '--map', '5.1.1=ok');
is $rc, 0, 'exact enhanced beats exact basic';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', '5.1.1=ok', '--map', '550/5.1.1=unknown');
is $rc, 3, 'pair beats exact enhanced';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', '5.1.*=ok', '--map', '550=warning');
is $rc, 1, 'exact basic beats enhanced with a wildcard';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', '55x=ok', '--map', '5.1.*=warning');
is $rc, 1, 'enhanced with one * beats basic with one x';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', 'permanent=ok', '--map', '5xx=warning');
is $rc, 1, 'Nxx beats a class';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', 'permanent=warning');
is $rc, 1, 'class key';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', '5.1.1=ok', '--map', '5.1.1=warning');
is $rc, 1, 'among equal keys the last wins';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map', 'mail:5.1.1=ok');
is $rc, 2, 'a key for another step does not apply';
open my $mf, '>', "$dir/map.ini"; print $mf "[map]\nrcpt:5.1.1 = warning\n"; close $mf;
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map-file', "$dir/map.ini");
is $rc, 1, '--map-file';
($rc) = check(\@uu, '-r', 'nosuch@localhost', '--map-file', "$dir/map.ini", '--map', 'rcpt:5.1.1=ok');
is $rc, 0, '--map on the command line wins over the map file';

my @relay = ('--on', 'RCPT=554 5.7.1 <x@example.net>: Relay access denied');
($rc, $out) = check(\@relay, '-f', 'probe@example.org', '-r', 'x@example.net', '--expect', 'rcpt=5.7.1,554');
is $rc, 0, 'open-relay probe, relay refused: OK';
like $out, qr/--expect rcpt=5\.7\.1,554 met/, 'expectation met';
($rc, $out) = check([], '-f', 'probe@example.org', '-r', 'x@example.net', '--expect', 'rcpt=5.7.1,554');
is $rc, 2, 'open relay (250 to a foreign RCPT): CRITICAL';
like first($out), qr/CRITICAL - RCPT <x\@example\.net>: 250 /, 'status shows the 250';
like $out, qr/--expect rcpt=5\.7\.1,554 not met/, 'expectation not met';
($rc) = check(\@relay, '-r', 'x@example.net', '--expect', 'rcpt=5.7.1', '--map', '5.7.1=warning');
is $rc, 0, '--expect beats an unqualified --map';
($rc) = check(\@relay, '-r', 'x@example.net', '--expect', 'rcpt=5.7.1', '--map', 'rcpt:554=warning');
is $rc, 1, 'a step-qualified --map beats --expect';
($rc) = check(['--banner', '554 5.3.2 not now'], '--expect', 'banner=554');
is $rc, 0, '--expect banner=554';

# ---- timeouts, dropped connections, garbage ----
($rc, $out, $secs) = check(['--on', 'RCPT=hang'], '-t', '2', '-r', 'a@b.example');
is $rc, 2, 'server hangs at RCPT: CRITICAL';
like first($out), qr/RCPT <a\@b\.example>: timeout after 2 s waiting for the reply to RCPT/, 'names the step that hung';
cmp_ok $secs, '<', 4, 'ends within -t (plus a little)';
($rc, $out, $secs) = check(['--banner', 'hang'], '-t', '1:unknown');
is $rc, 3, 'hang at banner with -t 1:unknown: UNKNOWN';
like first($out), qr/timeout after 1 s waiting for the banner/, 'banner timeout';
cmp_ok $secs, '<', 3, 'within -t';

($rc, $out) = check(['--on', 'MAIL=drop'], '-r', 'a@b.example');
is $rc, 2, 'connection dropped: CRITICAL';
like first($out), qr/MAIL <>: server closed the connection/, 'says the server closed it';

($rc, $out) = check(['--banner', 'garbage']);
is $rc, 3, 'garbage banner: UNKNOWN';
like first($out), qr/unparsable reply to the banner: not an SMTP reply/, 'garbage named';
unlike $out, qr/[\x00-\x08\x0b-\x1f\x7f]/, 'no control characters in the output';

($rc, $out) = check(['--on', 'EHLO=bigline']);
is $rc, 3, '1 MB reply line: UNKNOWN';
like first($out), qr/longer than 4096 bytes/, 'over-long line named';
cmp_ok length($out), '<', 8192, 'output stays under 8 KB';

{
    my $port = start_server('--lifetime', 1, '--connections', 0);
    sleep 1; select undef, undef, undef, 0.3;
    ($rc, $out) = run_plugin('-H', '127.0.0.1', '-p', $port, '-t', '3');
    is $rc, 2, 'connection refused: CRITICAL';
    like first($out), qr/CONNECT 127\.0\.0\.1:\d+: .*refused/i, 'refused named';
}

# ---- sanitising ----
($rc, $out) = check(['--on', "RCPT=550 5.7.1 bad | thing \x01\x02 here"], '-r', 'a@b.example');
is( (() = first($out) =~ /\|/g), 1, 'a | in the reply does not start perfdata');
my @many = map { ('-r', "user$_\@example.org") } 1 .. 60;
($rc, $out) = check(['--on', 'RCPT=550-5.1.1 ' . ('long text ' x 30) . '\n550 5.1.1 no'], @many);
cmp_ok length($out), '<=', 8000, '60 failing recipients: output within 8 KB';
cmp_ok length(first($out)), '<', 600, 'line 1 bounded';
like first($out), qr/\(\+59 more\)/, 'status counts the other failures';

# ---- TLS ----
my $cert = make_cert();
SKIP: {
    skip 'openssl could not make a certificate', 16 unless $cert;
    ($rc, $out, $secs, $log) = check(['--starttls', $cert], '-S', '-r', 'a@b.example', '-v');
    is $rc, 0, 'STARTTLS with a self-signed certificate: OK (reported only)';
    like $out, qr/^TLS: TLS 1\.[23], \S+; subject CN=fake\.test\.invalid.*certificate: unknown CA/m, 'TLS facts';
    like first($out), qr/tls_time=[\d.]+s;;;0 /, 'tls_time';
    like first($out), qr/tls_cert_days=[01]\b/, 'tls_cert_days';
    like first($out), qr/, TLS \|/, 'status says TLS';
    like $log, qr/C: EHLO.*C: STARTTLS.*C: EHLO/s, 'EHLO again after STARTTLS';

    ($rc, $out) = check(['--starttls', $cert], '-S', '--tls-verify');
    is $rc, 2, '--tls-verify with a self-signed certificate: CRITICAL';
    like first($out), qr/certificate not valid: unknown CA/, 'names the certificate problem';
    ($rc, $out) = check(['--starttls', $cert], '-S', '-D', '30,1');
    is $rc, 1, '-D 30,1 with a 2-day certificate: WARNING';
    like first($out), qr/tls_cert_days=\d+;30:;1:/, 'cert days thresholds';
    ($rc, $out) = check(['--starttls', $cert], '-S', '-D', '30,10');
    is $rc, 2, '-D 30,10: CRITICAL';

    ($rc, $out) = check(['--tls', $cert], '-s');
    is $rc, 0, 'implicit TLS: OK';
    ($rc, $out) = check(['--starttls', $cert], '-S', '--ca-file', (split /:/, $cert)[0], '--tls-hostname', 'fake.test.invalid', '--tls-verify');
    is $rc, 0, '--ca-file and --tls-hostname make the certificate valid';

    ($rc, $out) = check(['--starttls', $cert], '-S', { env => { GIO_USE_TLS => 'dummy' } });
    is $rc, 3, 'GIO_USE_TLS=dummy: UNKNOWN';
    like first($out), qr/TLS support not available \(install glib-networking\)/, 'hint';

    # a server that answers STARTTLS with 220 but speaks no TLS
    ($rc, $out) = check(['--on', 'EHLO=250-x\n250 STARTTLS', '--on', 'STARTTLS=220 2.0.0 go ahead'], '-S', '-t', '3');
    ok $rc == 2, 'TLS handshake failure: CRITICAL';
}
($rc, $out) = check([], '-S', '-r', 'a@b.example');
is $rc, 1, 'STARTTLS not offered: WARNING';
like first($out), qr/STARTTLS: STARTTLS not offered/, 'says so';
($rc, $out) = check([], '--require-tls');
is $rc, 2, '--require-tls: CRITICAL';

# ---- AUTH: the password is never printed ----
my $pw = 'S3cret-Pw-4711';
my $plain = encode_base64("\0tester\0$pw", '');
my $pb64 = encode_base64($pw, '');
($rc, $out, $secs, $log) = check(['--on', 'AUTH=echo'], '-A', 'plain', '-U', 'tester', '-vvv',
                                 { env => { CHECK_SMTP_REPLY_PASSWORD => $pw } });
is $rc, 2, 'AUTH PLAIN refused: CRITICAL';
like $log, qr/^C: AUTH PLAIN \Q$plain\E$/m, 'the server got the credentials';
unlike $out, qr/\Q$pw\E|\Q$plain\E|\Q$pb64\E/, 'password not in the output, even when the server quotes it';
like $out, qr/AUTH PLAIN \*\*\*\*/, 'masked in the long output';

($rc, $out, $secs, $log) = check(['--on', 'AUTHDATA=echo'], '-A', 'login', '-U', 'tester', '-P', $pw, '-vvv');
unlike $out, qr/\Q$pw\E|\Q$pb64\E/, 'AUTH LOGIN: password not in the output';
open my $af, '>', "$dir/auth"; print $af "tester\n$pw\n"; close $af;
($rc, $out, $secs, $log) = check([], '-A', 'login', '--authfile', "$dir/auth", '-f', 'a@b.example', '-vvv');
is $rc, 0, 'AUTH LOGIN with --authfile: OK';
like $log, qr/^C: \Q$pb64\E$/m, 'the server got the password';
unlike $out, qr/\Q$pw\E|\Q$pb64\E/, 'password not in the output';
like first($out), qr/auth_time=/, 'auth_time';
($rc, $out, $secs, $log) = check([], '-S', '-A', 'plain', '-U', 'u', { env => { CHECK_SMTP_REPLY_PASSWORD => $pw } });
is $rc, 1, 'STARTTLS missing: WARNING';
unlike $log, qr/^C: AUTH/m, 'no AUTH in the clear';

# ---- the GIO module: only for host names and TLS ----
($rc, $out) = check([], '-r', 'a@b.example', { env => { CHECK_SMTP_REPLY_GIO_MODULE => '/nonexistent/gio.so' } });
is $rc, 0, 'an address without TLS needs no GIO module';
{
    my $port = start_server();
    ($rc, $out) = run_plugin('-H', 'localhost', '-p', $port);
    is $rc, 0, 'a host name: looked up by the GIO module';
    like $out, qr/^connected to (127\.0\.0\.1|\[::1\]):$port$/m, 'connected to the address';
    ($rc, $out) = run_plugin('-H', 'localhost', '-p', $port, { env => { CHECK_SMTP_REPLY_GIO_MODULE => '/nonexistent/gio.so' } });
    is $rc, 3, 'a host name without the GIO module: UNKNOWN';
    like first($out), qr/cannot look up host names: cannot load check_smtp_reply-gio\.so/, 'says why';
}
($rc, $out) = check([], '-S', { env => { CHECK_SMTP_REPLY_GIO_MODULE => '/nonexistent/gio.so' } });
is $rc, 3, 'TLS without the GIO module: UNKNOWN';
like first($out), qr/TLS support not available: cannot load check_smtp_reply-gio\.so/, 'says why';

# ---- the registry and the deadline: the dialogue's own without GIO, the helper's with it ----
sub perf { my %p = first($_[0]) =~ /(\w+)=([\d.]+)s/g; return \%p }
for my $host ('127.0.0.1', 'localhost') {
    my $port = start_server('--banner', 'slow:220 fake.test.invalid ESMTP');
    ($rc, $out) = run_plugin('-H', $host, '-p', $port, '-r', 'a@b.example');
    my $p = perf($out);
    is $rc, 0, "-H $host, a banner after 0.3 s: OK";
    cmp_ok $p->{banner_time}, '>=', 0.29, "-H $host: banner_time has the server's 0.3 s";
    cmp_ok $p->{banner_time}, '<', 1, "-H $host: and not much more";
    cmp_ok $p->{time}, '>=', $p->{banner_time}, "-H $host: time is at least banner_time";
    $port = start_server();
    ($rc, $out) = run_plugin('-H', $host, '-p', $port, '-r', 'a@b.example');
    $p = perf($out);
    is $rc, 0, "-H $host, a banner at once: OK";
    ok !grep({ $_ < 0 } values %$p), "-H $host: no time below 0";
    cmp_ok $p->{time}, '>=', $p->{banner_time} + $p->{ehlo_time}, "-H $host: time is at least the steps'";
    $port = start_server('--banner', 'hang');
    ($rc, $out, undef, $secs) = run_plugin('-H', $host, '-p', $port, '-t', '1:unknown');
    is $rc, 3, "-H $host, banner hangs with -t 1:unknown: UNKNOWN";
    like first($out), qr/timeout after 1 s waiting for the banner/, "-H $host: banner timeout";
    cmp_ok $secs, '<', 3, "-H $host: within -t";
}

# ---- IPv6 ----
SKIP: {
    my $ok = eval { require IO::Socket::IP; IO::Socket::IP->new(LocalHost => '::1', LocalPort => 0, Listen => 1) };
    skip 'no IPv6 loopback', 2 unless $ok;
    my $port = start_server('--ipv6');
    ($rc, $out) = run_plugin('-H', '::1', '-p', $port, '-6');
    is $rc, 0, 'IPv6 loopback: OK';
    like $out, qr/connected to \[::1\]:$port/, 'address used';
}

done_testing;
