#!/usr/bin/perl
# Calls per second of SMTPCodes->explain over the C benchmark's reply lines (bench-bindings).
use strict;
use warnings;
use Time::HiRes qw(time);
use SMTPCodes;

open my $fh, '<:encoding(UTF-8)', $ARGV[0] or die "$ARGV[0]: $!\n";
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
