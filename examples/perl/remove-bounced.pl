#!/usr/bin/perl
# remove-bounced.pl - the classic list-maintenance job: read bounce messages (message
# files, mboxes, maildirs) and mail log lines, and print the addresses to remove from a
# mailing list, one per line: those that hard-bounced (the address will never work).
# Soft bounces (mailbox full, greylisting, ...), delay notices and auto-replies are left
# alone.  Each input is read for what it is: a directory as a maildir or a directory of
# message files, a file that starts like an e-mail message as a message or an mbox, anything
# else as a log; no input or '-' reads standard input.  Messages that cannot be read are
# named on standard error, and the exit status is then 1.
#
#   perl remove-bounced.pl ~/Maildir/.bounces > remove.txt
#   perl remove-bounced.pl /var/log/mail.log bounces.mbox bounces/*.eml > remove.txt
#   perl remove-bounced.pl -v bounces.mbox      # also say why, on standard error
use strict;
use warnings;
use SMTPCodes;

my $verbose = @ARGV && $ARGV[0] eq '-v' ? shift : 0;
binmode $_, ':encoding(UTF-8)' for \*STDOUT, \*STDERR;   # addresses may be international
my (%remove, $failed);

sub remove {
    my ($address, $why) = @_;
    print STDERR "$address: $why\n" if $verbose;
    print "$address\n" unless $remove{lc $address}++;
}

# a message or an mbox starts with "From " or with header fields that every message has
sub looks_like_mail {
    my ($head) = @_;
    $head =~ s/\A[\r\n]+//;
    return 1 if $head =~ /\AFrom /;
    my $mail = 0;
    for my $line (split /\r?\n/, $head) {
        last if $line eq '';
        next if $line =~ /^[ \t]/;                     # a folded field
        return 0 unless $line =~ /^([!-9;-~]+):/;
        $mail = 1 if $1 =~ /^(?:from|date|received|return-path|message-id|subject|to|mime-version|content-type|delivered-to|auto-submitted|x-failed-recipients)$/i;
    }
    return $mail;
}

sub messages {
    my ($what) = @_;
    my $it = SMTPCodes->read_bounces($what, on_error => sub { warn "$0: $_[0]\n"; $failed = 1 });
    while (my $report = $it->next) {
        next unless $report->is_bounce;
        for my $r ($report->recipients) {
            next unless $r->hard_bounce && ($r->action // 'failed') eq 'failed' && defined $r->address;
            remove($r->address, join ' ', $r->reply_code // '-', $r->status // '-', $r->reason,
                   "(" . $report->source . ($report->index > 1 ? " #" . $report->index : '') . ")");
        }
    }
}

my $recipient;   # of the DSN lines read last
sub log_lines {
    my ($fh) = @_;
    while (my $line = <$fh>) {
        chomp $line;
        utf8::decode($line);   # characters if it is UTF-8, else the bytes as Latin-1
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
        remove($address, join ' ', $v->code // '-', $v->status // '-', $v->reason);
    }
}

for my $input (@ARGV ? @ARGV : '-') {
    if (-d $input) {
        messages($input);
        next;
    }
    my $fh;
    if ($input eq '-') {
        $fh = \*STDIN;
    } elsif (!open $fh, '<', $input) {
        warn "$0: $input: $!\n";
        $failed = 1;
        next;
    }
    binmode $fh;
    read $fh, my $head, 65536;
    $head //= '';
    if (looks_like_mail($head)) {
        if ($input eq '-') {
            my $data = $head . (do { local $/; <$fh> } // '');
            messages(\$data);
        } else {
            close $fh;
            messages($input);   # mapped, not read into memory
        }
        next;
    }
    $head .= <$fh> // '' unless $head =~ /\n\z/;   # the rest of the last line
    open my $start, '<', \$head or die;
    log_lines($start);
    log_lines($fh);
}
exit($failed ? 1 : 0);
