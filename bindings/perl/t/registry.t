use strict;
use warnings;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
use SMTPCodes;

our $TOP_SRCDIR;
my $mods = "$TOP_SRCDIR/data/modules";

my $builtin = SMTPCodes::Registry->new(module_path => []);
is_deeply([ $builtin->modules ], [qw(standard enhanced wording commands)], 'built-in modules only');
is_deeply([ $builtin->rejected ], [], 'nothing rejected');

my $all = SMTPCodes::Registry->new(module_path => [$mods], strict => 1);
ok(grep({ $_ eq 'exchange' } $all->modules), 'exchange loaded from the module path');
my $v = $all->explain('550 5.1.1 RESOLVER.ADR.RecipNotFound; not found', vendor => 'exchange');
is($v->vendor, 'exchange', 'vendor named');
is($v->reason, 'userunknown', 'exchange reason');

my @list = $all->list('exchange');
ok(@list > 10, 'list a module');

{
    # an entry keeps its registry alive
    my $entry = (SMTPCodes::Registry->new(module_path => [$mods])->lookup('5.1.10', vendor => 'exchange'))[0];
    ok($entry, 'entry from a dropped registry');
    like($entry->summary, qr/\S/, 'still readable');
}
my $n = 0;
for (1 .. 2000) { $n++ if SMTPCodes->explain('421 4.7.0 try later')->retry }
is($n, 2000, 'many calls');
done_testing;
