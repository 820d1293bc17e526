use strict;
use warnings;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
use SMTPCodes;


dies_with(sub { SMTPCodes->explain(undef) }, 'syntax', qr/undef/, 'undef');
dies_with(sub { SMTPCodes->explain('') }, 'no-code', qr/empty/, 'empty');
dies_with(sub { SMTPCodes->explain('hello world') }, 'no-code', qr/no SMTP reply code/, 'no code');
dies_with(sub { SMTPCodes->explain("550 \0 5.1.1") }, 'syntax', qr/NUL/, 'NUL byte');
dies_with(sub { SMTPCodes->explain('x' x (2 * 1024 * 1024)) }, 'too-long', qr/at most/, 'huge');
dies_with(sub { SMTPCodes->explain('550 5.1.1 x', vendor => 'no-such-vendor') }, 'invalid-value', qr/no module/, 'vendor');
dies_with(sub { SMTPCodes->lookup('abc') }, 'invalid-code', qr/not a code/, 'lookup');
dies_with(sub { SMTPCodes->explain([]) }, 'syntax', qr/reference/, 'reference');
dies_with(sub { SMTPCodes::Registry->new(files => ['/nonexistent/x.codes'], strict => 1) }, 'io', qr/x\.codes/, 'missing module file');

dies_with(sub { SMTPCodes->explain("\x{e4}" x 200) }, 'no-code', qr/no SMTP reply code/, 'cut UTF-8 in the message');

# the options are checked as before: vendor first, lang only for a text that has a code
dies_with(sub { SMTPCodes->explain('550 5.1.1 x', vendor => []) }, 'invalid-value', qr/vendor is a reference/, 'vendor reference');
dies_with(sub { SMTPCodes->explain('550 5.1.1 x', vendor => "std\0x") }, 'invalid-value', qr/vendor contains a NUL/, 'vendor NUL');
dies_with(sub { SMTPCodes->explain('550 5.1.1 x', lang => {}) }, 'invalid-value', qr/lang is a reference/, 'lang reference');
dies_with(sub { SMTPCodes->explain('no code', lang => {}) }, 'no-code', qr/no SMTP reply code/, 'no code before lang');
dies_with(sub { SMTPCodes->explain() }, 'syntax', qr/undef/, 'no text');
dies_with(sub { SMTPCodes::Registry->new(module_path => [])->explain('hello') }, 'no-code', qr/no SMTP reply code/, 'registry method');

# the line of the call, from C as from Perl
my $line = __LINE__ + 1;
my $at = eval { SMTPCodes->explain('nothing'); 1 } ? undef : $@;
is($at->line, $line, 'line of the call (explain)');
$line = __LINE__ + 1;
$at = eval { SMTPCodes->lookup('abc'); 1 } ? undef : $@;
is($at->line, $line, 'line of the call (lookup)');
# the option checks of the Perl methods name the caller too, not SMTPCodes.pm
for my $case ([ 'lookup lang', sub { SMTPCodes->lookup('550', lang => []) }, __LINE__ ],
              [ 'list module', sub { SMTPCodes->list("x\0y") }, __LINE__ ],
              [ 'lookup_command name', sub { SMTPCodes->lookup_command([]) }, __LINE__ ],
              [ 'registry module_path', sub { SMTPCodes::Registry->new(module_path => 'x') }, __LINE__ ]) {
    my ($name, $code, $want) = @$case;
    dies_with($code, 'invalid-value', qr/\S/, $name);
    my $err = eval { $code->(); 1 } ? undef : $@;
    is(ref $err ? $err->line : $err, $want, "$name: line of the call");
}

# objects carry their C handle where Perl code cannot reach it: anything else is refused
for my $case ([ 'a hash blessed by hand', sub { (bless {}, 'SMTPCodes::Verdict')->reason } ],
              [ 'a copy of a verdict', sub { (bless { %{ SMTPCodes->explain('550 5.1.1 x') } }, 'SMTPCodes::Verdict')->reason } ],
              [ 'undef', sub { SMTPCodes::Verdict::reason(undef) } ],
              [ 'an entry as a verdict', sub { SMTPCodes::Verdict::reason((SMTPCodes->lookup('550'))[0]) } ],
              [ 'a verdict as a registry', sub { SMTPCodes::explain(SMTPCodes->explain('550 5.1.1 x'), '550 5.1.1 x') } ]) {
    ok(!eval { $case->[1]->(); 1 }, "$case->[0]: dies");
    like($@, qr/^expected an SMTPCodes::\w+ object/, "$case->[0]: says why");
}
{
    my $v = SMTPCodes->explain('550 5.1.1 x');
    $v->{h} = 42;
    is($v->reason, 'userunknown', 'the hash holds no handle to overwrite');
}

my $e = eval { SMTPCodes->explain('nothing'); 1 } ? undef : $@;
is($e->code, 9, 'numeric code');
is($e->message, "$e", 'message');
ok(!eval { SMTPCodes->explain('550 5.1.1 ok'); 0 } || 1, 'no error after errors');
done_testing;
