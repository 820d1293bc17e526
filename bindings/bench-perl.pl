#!/usr/bin/perl
# Calls per second of SMTPCodes->explain over the C benchmark's reply lines (bench-bindings),
# and the cost of SMTPCodes->analyze_bounce per message over the C call, on the messages of
# the directories named after the reply file.
use strict;
use warnings;
use Time::HiRes qw(time);
use SMTPCodes;

my ($replies, @dirs) = @ARGV;
open my $fh, '<:encoding(UTF-8)', $replies or die "$replies: $!\n";
my @lines = grep { length } map { chomp; $_ } <$fh>;
my $best = 0;
for (1 .. 3) {
    my ($n, $t0, $dt) = (0, time);
    while (1) {
        for my $line (@lines) {
            eval { SMTPCodes->explain($line) };   # lines without a code count, as in bench-core
        }
        $n += @lines;
        last if ($dt = time - $t0) >= 1.0;
    }
    $best = $n / $dt if $n / $dt > $best;
}
printf "perl SMTPCodes->explain: %.0f calls/s (%.3f us/call, best of 3 one-second runs)\n", $best, 1e6 / $best;

my @messages;
for my $dir (@dirs) {
    for my $path (sort glob "$dir/*") {
        next unless -f $path;
        open my $m, '<:raw', $path or die "$path: $!\n";
        push @messages, do { local $/; <$m> };
    }
}
exit 0 unless @messages;

sub per_message {
    my ($code) = @_;
    my $t0 = time;
    eval { $code->($_) } for @messages;
    return (time - $t0) / @messages * 1e6;
}
my $reg = SMTPCodes->default_registry;
my ($c, $pl);
for (1 .. 5) {   # in turns, so that a busy machine slows both alike
    my $t = per_message(sub { SMTPCodes::Raw::smtpcodes_report_parse($reg, $_[0]) });
    $c = $t if !defined $c || $t < $c;
    $t = per_message(sub { [ map { [ $_->address, $_->status, $_->reason, $_->hard_bounce ] }
                             SMTPCodes->analyze_bounce($_[0])->recipients ] });
    $pl = $t if !defined $pl || $t < $pl;
}
# the module's own work, without the parse: the recipients of a parsed report, read
my @reports = grep { $_ } map { eval { SMTPCodes::Raw::smtpcodes_report_parse($reg, $_) } } @messages;
my $own;
for (1 .. 5) {
    delete $_->{recipients} for @reports;
    my $t0 = time;
    for my $rep (@reports) {
        @$rep{qw(lang source index)} = (undef, '-', 1);
        my @r = map { [ $_->address, $_->status, $_->reason, $_->hard_bounce ] } $rep->recipients;
    }
    my $t = (time - $t0) / @reports * 1e6;
    $own = $t if !defined $own || $t < $own;
}
printf "perl SMTPCodes->analyze_bounce: %.1f us/message, the C call alone %.1f us; the Report and "
     . "reading its recipients cost %.2f us (%d messages, best of 5)\n", $pl, $c, $own, scalar @messages;
