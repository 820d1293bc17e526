use strict;
use warnings;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
use SMTPCodes;

my $v = SMTPCodes->explain('550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table');
isa_ok($v, 'SMTPCodes::Verdict');
is($v->reason, 'userunknown', 'reason');
is($v->code, 550, 'code');
is($v->enhanced, '5.1.1', 'enhanced');
is($v->status, '5.1.1', 'status');
is($v->klass, 'permanent', 'klass');
is($v->category, 'permanent', 'category');
ok($v->hard_bounce, 'hard bounce');
ok($v->bounce, 'bounce');
ok(!$v->soft_bounce, 'not soft');
ok(!$v->retry, 'no retry');
like($v->summary, qr/\S/, 'summary');
like($v->explanation, qr/\S/, 'explanation');
ok(scalar($v->evidence) > 0, 'evidence');
is(ref $v->to_hash, 'HASH', 'to_hash');
is($v->to_hash->{reason}, 'userunknown', 'to_hash reason');
like("$v", qr/^550 5\.1\.1 permanent userunknown hard$/, 'stringifies');
ok($v == SMTPCodes->explain('550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table'), 'equal verdicts');
ok(!($v == SMTPCodes->explain('451 4.7.1 greylisted')), 'different verdicts');

my $de = SMTPCodes->explain('452 4.2.2 mailbox full', lang => 'de');
ok($de->soft_bounce, 'soft bounce');
ok($de->retry, 'retry');
isnt($de->summary, $de->summary('en'), 'German summary differs from English');
is($de->lang, 'de', 'lang');

my @alt = SMTPCodes->explain('571')->alternatives;
ok(@alt >= 1, 'alternatives for 571');
is($alt[0]{kind}, 'dotless', 'dotless alternative');
is($alt[0]{entry}->code, 'X.7.1', 'alternative entry');

my @e = SMTPCodes->lookup('550');
ok(@e >= 1, 'lookup 550');
isa_ok($e[0], 'SMTPCodes::Entry');
is($e[0]->module, 'standard', 'entry module');

my $r = SMTPCodes->parse_reply('250 2.0.0 Ok: queued as 3F2A1B0C9D');
is($r->code, 250, 'reply code');
is($r->enhanced, '2.0.0', 'reply enhanced');

my $cmd = SMTPCodes->lookup_command('RCPT TO');
ok($cmd, 'command entry');
ok(scalar(SMTPCodes->reasons) > 5, 'reasons');
ok(SMTPCodes->is_reason('userunknown'), 'is_reason');

# the text as any scalar: a match variable (magic), an object with string overloading
{
    package SMTPCodesTest::Text;
    use overload '""' => sub { $_[0][0] }, fallback => 1;
}
'x 452 4.2.2 Mailbox full' =~ /(\d.*)/ or die;
is(SMTPCodes->explain($1)->reason, 'mailboxfull', 'match variable');
is(SMTPCodes->explain(bless ['550 5.1.1 no such user'], 'SMTPCodesTest::Text')->reason, 'userunknown', 'overloaded text');

# options
is(SMTPCodes->explain('550 5.1.1 x', lang => 'de', lang => 'en')->lang, 'en', 'last option wins');
is(SMTPCodes->explain('550 5.1.1 x', lang => undef)->lang, undef, 'lang undef');
{
    my @w;
    local $SIG{__WARN__} = sub { push @w, @_ };
    is(SMTPCodes->explain('550 5.1.1 x', 'lang')->lang, undef, 'odd options');
    like($w[0] // '', qr/^Odd number of elements/, 'odd options warn');
}
{
    package SMTPCodesTest::Registry;
    our @ISA = ('SMTPCodes::Registry');
}
my $sub = SMTPCodesTest::Registry->new(module_path => []);
isa_ok($sub, 'SMTPCodesTest::Registry');
is($sub->explain('550 5.1.1 x', lang => 'de')->lang, 'de', 'explain on a registry subclass');
{
    local $@ = 'earlier';
    SMTPCodes->explain('550 5.1.1 x');
    is($@, 'earlier', '$@ left alone');
}

# bytes and characters
is(SMTPCodes->explain("550 5.1.1 Benutzer unbekannt \x{e4}")->reason, 'userunknown', 'characters');
{
    my $bytes = "550 5.1.1 Benutzer unbekannt \xc3\xa4";
    is(SMTPCodes->explain($bytes)->code, 550, 'bytes');
    ok(!utf8::is_utf8($bytes), 'the caller\'s bytes are not upgraded');
    my $latin1 = "\xe4 no code";
    my $msg = sub { eval { SMTPCodes->explain($_[0]) }; "$@" };
    is($msg->($latin1), $msg->("\x{e4} no code"), 'a byte string reads as the characters it holds');
    ok(!utf8::is_utf8($latin1), 'and stays a byte string');
}
done_testing;
