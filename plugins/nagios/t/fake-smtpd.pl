#!/usr/bin/perl
# A scripted SMTP/LMTP server for check_smtp_reply's tests: listens on loopback, answers
# each command from rules given on the command line, and always ends by itself (--lifetime).
#
#   fake-smtpd.pl [--lifetime SECS] [--connections N] [--ipv6] [--log FILE]
#                 [--banner TEXT] [--starttls CERT:KEY | --tls CERT:KEY] [--lmtp]
#                 [--on MATCH=REPLY]...
#
# It prints "port N" on standard output once it listens, then nothing more.
# MATCH is a command verb (EHLO, MAIL, RCPT, DATA, DOT for the end of the message, AUTH,
# AUTHDATA for the lines of an AUTH LOGIN exchange, STARTTLS, RSET, QUIT, HELO, LHLO) or
# VERB:text, which matches when the command line contains text (case-insensitive); the
# last matching rule wins. REPLY is the reply; "\n" separates the lines of a multi-line
# reply. Special replies: hang (never answer), drop (close the connection), garbage (a line
# that is no SMTP reply), bigline (a 1 MB reply line), echo (535 quoting the command),
# slow:REPLY (REPLY after 0.3 s).
# --banner takes the same specials.
use strict;
use warnings;
use IO::Socket::INET;
use Getopt::Long;

my %o = (lifetime => 15, connections => 1, banner => '220 fake.test.invalid ESMTP fake-smtpd');
my @on;
GetOptions(\%o, 'lifetime=i', 'connections=i', 'ipv6', 'log=s', 'banner=s', 'starttls=s',
           'tls=s', 'lmtp', 'on=s' => \@on) or die "bad options\n";

$SIG{PIPE} = 'IGNORE';
$SIG{ALRM} = sub { exit 0 };
alarm $o{lifetime};

my @rules;
for (@on) {
    my ($match, $reply) = /^([^=]+)=(.*)$/s or die "bad --on '$_'\n";
    my ($verb, $text) = split /:/, $match, 2;
    push @rules, { verb => uc $verb, text => $text, reply => $reply };
}

my $tls_ok = ($o{starttls} || $o{tls}) ? eval { require IO::Socket::SSL; 1 } : 0;
die "IO::Socket::SSL is needed for TLS\n" if ($o{starttls} || $o{tls}) && !$tls_ok;

my $listen;
if ($o{ipv6}) {
    require IO::Socket::IP;
    $listen = IO::Socket::IP->new(LocalHost => '::1', LocalPort => 0, Listen => 5, ReuseAddr => 1)
        or die "listen ::1: $@\n";
} else {
    $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5,
                                    ReuseAddr => 1, Proto => 'tcp') or die "listen: $@\n";
}
$| = 1;
print "port ", $listen->sockport, "\n";
close STDOUT;

my $log;
if ($o{log}) {
    open $log, '>>', $o{log} or die "log: $!\n";
    select((select($log), $| = 1)[0]);
}

sub rule_for {
    my ($verb, $line) = @_;
    my $hit;
    for my $r (@rules) {
        next unless $r->{verb} eq $verb;
        next if defined $r->{text} && index(lc $line, lc $r->{text}) < 0;
        $hit = $r->{reply};
    }
    return $hit;
}

my ($sock, $tls_active);

sub say_reply {
    my ($reply) = @_;
    if ($reply eq 'hang') { sleep 3600 }
    if ($reply =~ s/^slow://) { select undef, undef, undef, 0.3 }
    if ($reply eq 'drop') { close $sock; return 0 }
    if ($reply eq 'garbage') { $reply = "HTTP/1.1 400 Bad Request\x01\x02" }
    if ($reply eq 'bigline') { $reply = '250 ' . ('x' x (1024 * 1024)) }
    my @lines = split /\\n|\n/, $reply;
    my $out = '';
    for my $i (0 .. $#lines) {
        my $l = $lines[$i];
        # "250 a\n250 b" -> continuation markers on all but the last line
        $l =~ s/^(\d{3})[ -]/$1 . ($i < $#lines ? '-' : ' ')/e;
        print $log "S: $l\n" if $log;
        $out .= "$l\r\n";
    }
    # one write: separate small writes meet Nagle and delayed ACKs (40 ms stalls)
    print $sock $out or return 0;
    return 1;
}

sub read_cmd {
    my $line = <$sock>;
    return undef unless defined $line;
    $line =~ s/\r?\n\z//;
    print $log "C: $line\n" if $log;
    return $line;
}

sub ehlo_reply {
    my ($verb) = @_;
    my @caps = ('250 fake.test.invalid', '250 PIPELINING', '250 SIZE 10240000',
                '250 ENHANCEDSTATUSCODES', '250 AUTH PLAIN LOGIN', '250 8BITMIME');
    push @caps, '250 STARTTLS' if $o{starttls} && !$tls_active;
    return join "\n", @caps;
}

sub session {
    $tls_active = 0;
    if ($o{tls}) {
        my ($cert, $key) = split /:/, $o{tls}, 2;
        IO::Socket::SSL->start_SSL($sock, SSL_server => 1, SSL_cert_file => $cert,
                                   SSL_key_file => $key) or return;
        $tls_active = 1;
    }
    say_reply($o{banner}) or return;
    my ($accepted, $auth_login) = (0, 0);
    while (defined(my $line = read_cmd())) {
        my ($verb) = $line =~ /^(\S+)/;
        $verb = uc($verb // '');
        if ($auth_login) {
            $auth_login--;
            my $r = rule_for('AUTHDATA', $line) // ($auth_login ? '334 UGFzc3dvcmQ6' : '235 2.7.0 Authentication successful');
            $r = "535 5.7.8 Authentication failed: $line" if $r eq 'echo';
            say_reply($r) or return;
            next;
        }
        my $r = rule_for($verb, $line);
        if (defined $r && $r eq 'echo') { $r = "535 5.7.8 Authentication failed: $line" }
        if (!defined $r) {
            if ($verb eq 'EHLO' || $verb eq 'LHLO') { $r = ehlo_reply($verb) }
            elsif ($verb eq 'HELO') { $r = '250 fake.test.invalid' }
            elsif ($verb eq 'MAIL') { $r = '250 2.1.0 Ok' }
            elsif ($verb eq 'RCPT') { $r = '250 2.1.5 Ok' }
            elsif ($verb eq 'DATA') { $r = '354 End data with <CR><LF>.<CR><LF>' }
            elsif ($verb eq 'RSET') { $r = '250 2.0.0 Ok' }
            elsif ($verb eq 'NOOP') { $r = '250 2.0.0 Ok' }
            elsif ($verb eq 'QUIT') { $r = '221 2.0.0 Bye' }
            elsif ($verb eq 'STARTTLS') { $r = $o{starttls} ? '220 2.0.0 Ready to start TLS' : '502 5.5.1 Error: command not implemented' }
            elsif ($verb eq 'AUTH') {
                if ($line =~ /^AUTH\s+LOGIN\s*$/i) { $r = '334 VXNlcm5hbWU6'; $auth_login = 2 }
                else { $r = '235 2.7.0 Authentication successful' }
            }
            else { $r = '500 5.5.2 Error: command not recognized' }
        }
        $accepted++ if $verb eq 'RCPT' && $r =~ /^2/;
        say_reply($r) or return;
        if ($verb eq 'QUIT') { close $sock; return }
        if ($verb eq 'STARTTLS' && $r =~ /^220/ && $o{starttls}) {
            my ($cert, $key) = split /:/, $o{starttls}, 2;
            IO::Socket::SSL->start_SSL($sock, SSL_server => 1, SSL_cert_file => $cert,
                                       SSL_key_file => $key) or return;
            $tls_active = 1;
        }
        if ($verb eq 'DATA' && $r =~ /^354/) {
            while (defined(my $l = <$sock>)) {
                $l =~ s/\r?\n\z//;
                print $log "D: $l\n" if $log;
                last if $l eq '.';
            }
            my $dot = rule_for('DOT', '') // '250 2.0.0 Ok: queued as FAKE123';
            for (1 .. ($o{lmtp} ? ($accepted || 1) : 1)) { say_reply($dot) or return }
        }
    }
}

for (1 .. $o{connections}) {
    $sock = $listen->accept or last;
    session();
    close $sock if $sock;
}
exit 0;
