use strict;
use warnings;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
use File::Temp qw(tempdir);

our ($TOP_SRCDIR, $BLIB);
my $dir = tempdir(CLEANUP => 1);
my $in = "$dir/bounces.txt";
open my $fh, '>', $in or die;
print $fh <<'END';
Jan 10 10:00:01 mx postfix/smtp[123]: 3F2A1B0C9D: to=<anna@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <anna@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))
Jan 10 10:00:02 mx postfix/smtp[123]: 4A2A1B0C9D: to=<bert@example.org>, relay=mx.example.org[192.0.2.2]:25, delay=1, status=deferred (host mx.example.org[192.0.2.2] said: 452 4.2.2 The mailbox of this recipient is over quota (in reply to RCPT TO command))
Final-Recipient: rfc822; carl@example.net
Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.
this line has no reply code at all
END
close $fh;
my $script = "$TOP_SRCDIR/examples/perl/remove-bounced.pl";
my @out = `$^X -I$BLIB/lib -I$BLIB/arch $script $in`;
is($?, 0, 'example exits 0');
chomp @out;
is_deeply([ sort @out ], [ 'anna@example.com', 'carl@example.net' ], 'hard bounces to remove');
done_testing;
