use strict;
use warnings;
use utf8;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
use File::Temp qw(tempdir);
use Encode ();

our ($TOP_SRCDIR, $BLIB);
my $dir = tempdir(CLEANUP => 1);
my $script = "$TOP_SRCDIR/examples/perl/remove-bounced.pl";
my $mine = "$TOP_SRCDIR/bindings/testdata";
my $own = "$TOP_SRCDIR/tests/data/bounces";

sub write_file {
    my ($name, $text) = @_;
    open my $fh, '>:raw', "$dir/$name" or die;
    print $fh $text;
    close $fh;
    return "$dir/$name";
}

# runs the example; returns exit status, the addresses (as characters) and standard error
sub run {
    my ($args, $stdin) = @_;
    my $in = write_file('stdin', $stdin // '');
    my $err = "$dir/stderr";
    my @out = `$^X -I$BLIB/lib -I$BLIB/arch $script $args < $in 2> $err`;
    my $rc = $? >> 8;
    chomp @out;
    open my $fh, '<:encoding(UTF-8)', $err or die;
    my $errors = do { local $/; <$fh> } // '';
    return ($rc, [ map { Encode::decode('UTF-8', $_) } @out ], $errors);
}

my $log = write_file('bounces.txt', <<'END');
Jan 10 10:00:01 mx postfix/smtp[123]: 3F2A1B0C9D: to=<anna@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <anna@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))
Jan 10 10:00:02 mx postfix/smtp[123]: 4A2A1B0C9D: to=<bert@example.org>, relay=mx.example.org[192.0.2.2]:25, delay=1, status=deferred (host mx.example.org[192.0.2.2] said: 452 4.2.2 The mailbox of this recipient is over quota (in reply to RCPT TO command))
Final-Recipient: rfc822; carl@example.net
Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.
this line has no reply code at all
END
my ($rc, $out, $err) = run($log);
is($rc, 0, 'log: exits 0');
is_deeply([ sort @$out ], [ 'anna@example.com', 'carl@example.net' ], 'log: hard bounces to remove');
is($err, '', 'log: nothing on standard error');

# a DSN text file starts like a header, but is no message
my $dsn = write_file('dsn.txt', "Final-Recipient: rfc822; dora\@example.net\n"
                              . "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n");
is_deeply((run($dsn))[1], [ 'dora@example.net' ], 'DSN text read as lines');

# messages: a maildir, an mbox with a broken message, a message with UTF-8, a feedback report
($rc, $out, $err) = run("-v $mine/maildir $mine/mixed.mbox $mine/utf8-dsn.eml $own/arf.eml $own/plain-message.eml");
is_deeply($out, [ 'nobody@example.net', 'closed@example.com', 'jürgen@example.de' ],
          'messages: the hard bounces, in order (not the soft ones, auto-replies, feedback)');
is($rc, 1, 'messages: a message that cannot be read makes the exit status 1');
like($err, qr/^\Q$script\E: \Q$mine\E\/mixed\.mbox, message 3: not an e-mail message/m, 'and is named');
like($err, qr/^nobody\@example\.net: 550 5\.1\.1 userunknown \(\Q$mine\E\/maildir\/cur\/1741100001\.2\.host:2,S\)$/m,
     '-v says why');
like($err, qr/^jürgen\@example\.de: 550 5\.1\.1 userunknown/m, '-v in UTF-8');

# standard input: a message, an mbox, or log lines; each address once
open my $fh, '<:raw', "$own/mbox" or die;
my $mbox = do { local $/; <$fh> };
is_deeply((run('', $mbox))[1], [ 'gone@example.net' ], 'an mbox on standard input');
is_deeply((run('-', "$mbox$mbox"))[1], [ 'gone@example.net' ], 'each address once');
open $fh, '<:raw', $log or die;
is_deeply([ sort @{ (run('-', do { local $/; <$fh> }))[1] } ], [ 'anna@example.com', 'carl@example.net' ],
          'log lines on standard input');
is_deeply((run("$own/mbox $log"))[1], [ 'gone@example.net', 'anna@example.com', 'carl@example.net' ],
          'messages and logs together');

($rc, $out, $err) = run("$dir/no-such-file");
ok($rc == 1 && !@$out && $err =~ /no-such-file/, 'a missing input is named');
done_testing;
