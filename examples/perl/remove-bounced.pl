#!/usr/bin/perl
# remove-bounced.pl - the classic list-maintenance job: read bounce texts and mail log
# lines (files or standard input) and print the addresses to remove from a mailing list,
# one per line: those whose reply is a hard bounce (the address will never work).
# Soft bounces (mailbox full, greylisting, ...) are left alone.
#
#   perl remove-bounced.pl /var/log/mail.log bounces/*.eml > remove.txt
#   perl remove-bounced.pl -v mail.log      # also say why, on standard error
use strict;
use warnings;
use SMTPCodes;

my $verbose = @ARGV && $ARGV[0] eq '-v' ? shift : 0;
my (%remove, $recipient);

while (my $line = <>) {
    chomp $line;
    # a DSN names the recipient first, then the diagnostic code
    if ($line =~ /^(?:Final|Original)-Recipient:\s*rfc822;\s*<?([^\s<>]+@[^\s<>]+)>?/i) {
        $recipient = $1;
        next;
    }
    my $address = $line =~ /\bto=<([^>]+@[^>]+)>/ ? $1                         # Postfix, Sendmail
                : $line =~ /^Diagnostic-Code:/i && $recipient ? $recipient    # DSN
                : $line =~ /<([^\s<>]+@[^\s<>]+)>/ ? $1                        # address in the reply
                : undef;
    next unless defined $address;
    my $v = eval { SMTPCodes->explain($line) } or next;   # no reply code on this line
    next unless $v->hard_bounce;
    print STDERR "$address: ", $v->code // '-', ' ', $v->status // '-', ' ', $v->reason, "\n" if $verbose;
    print "$address\n" unless $remove{lc $address}++;
}
