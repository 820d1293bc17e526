# Helpers for check_smtp_reply's tests: run the plugin, start the scripted server.
package NagiosTest;
use strict;
use warnings;
use Exporter 'import';
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(time);

our @EXPORT = qw(plugin srcdir run_plugin start_server stop_server make_cert tmpdir);

my $top_build = $ENV{SMTPCODES} ? dirname($ENV{SMTPCODES}) : '.';
my $top_src = $ENV{SMTPCODES_SRCDIR} // '.';
my $tmp = tempdir('check-smtp-reply-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my @servers;

sub tmpdir { $tmp }
sub plugin { "$top_build/plugins/nagios/check_smtp_reply" }
sub srcdir { "$top_src/plugins/nagios" }

# run_plugin(args..., {stdin => TEXT, env => {...}}) -> (exit, stdout, stderr, seconds)
# A plugin that is still running after 30 s is killed: a test must never hang.
sub run_plugin {
    my $opt = ref $_[-1] eq 'HASH' ? pop : {};
    my $n = int(rand(1e9));
    open my $in, '>:raw', "$tmp/in$n" or die; print $in ($opt->{stdin} // ''); close $in;
    my $t0 = time;
    my $pid = fork // die;
    if (!$pid) {
        %ENV = (%ENV, %{ $opt->{env} // {} });
        for my $k (keys %{ $opt->{env} // {} }) { delete $ENV{$k} unless defined $opt->{env}{$k} }
        open STDIN, '<', "$tmp/in$n"; open STDOUT, '>', "$tmp/out$n"; open STDERR, '>', "$tmp/err$n";
        exec plugin(), @_ or POSIX::_exit(127);
    }
    my $waited = 0;
    local $SIG{ALRM} = sub { kill 'KILL', $pid; $waited = 1 };
    alarm 30;
    waitpid $pid, 0;
    alarm 0;
    my $rc = $waited ? -1 : $? >> 8;
    my $secs = time - $t0;
    local $/;
    open my $o, '<:raw', "$tmp/out$n"; my $out = <$o> // '';
    open my $e, '<:raw', "$tmp/err$n"; my $err = <$e> // '';
    unlink "$tmp/in$n", "$tmp/out$n", "$tmp/err$n";
    return ($rc, $out, $err, $secs);
}

# start_server(fake-smtpd options...) -> port; the server ends by itself (--lifetime)
sub start_server {
    my $pid = open my $fh, '-|', $^X, srcdir() . '/t/fake-smtpd.pl', '--lifetime', 20, @_
        or die "fake-smtpd: $!";
    my $line = <$fh> // '';
    my ($port) = $line =~ /^port (\d+)/ or die "fake-smtpd did not start: $line";
    push @servers, [$pid, $fh];
    return $port;
}

sub stop_server {
    for my $s (@servers) { kill 'TERM', $s->[0]; waitpid $s->[0], 0 }
    @servers = ();
}

# a self-signed certificate, valid for 2 days: "cert:key"
sub make_cert {
    my ($cn) = @_;
    my ($c, $k) = ("$tmp/cert.pem", "$tmp/key.pem");
    return "$c:$k" if -s $c;
    system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
           . "-subj /CN=" . ($cn // 'fake.test.invalid') . " -keyout $k -out $c >/dev/null 2>&1") == 0
        or return undef;
    return "$c:$k";
}

END { stop_server() }

1;
