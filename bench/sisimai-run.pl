#!/usr/bin/perl
# Times Sisimai (Debian: libsisimai-perl) over the given message files in one process and
# prints "<recipients> <seconds>". Used by bench-bounce for the side-by-side figure.
use strict;
use warnings;
use Time::HiRes qw(time);
use Sisimai;

my $n = 0;
my $t0 = time;
for my $f (@ARGV) {
    my $v = Sisimai->make($f, 'delivered' => 1);
    $n += scalar @$v if $v;
}
printf "%d %.6f\n", $n, time - $t0;
