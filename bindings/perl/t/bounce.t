use strict;
use warnings;
use utf8;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
use File::Temp qw(tempdir);
use SMTPCodes;

our $TOP_SRCDIR;
my $own = "$TOP_SRCDIR/tests/data/bounces";
my $mine = "$TOP_SRCDIR/bindings/testdata";

sub slurp {
    open my $fh, '<:raw', $_[0] or die "$_[0]: $!";
    local $/;
    return scalar <$fh>;
}


# --- one message ---
my $rep = SMTPCodes->analyze_bounce(slurp("$own/dsn-two-recipients.eml"), lang => 'en');
isa_ok($rep, 'SMTPCodes::Report');
is($rep->kind, 'bounce', 'kind');
ok($rep->is_bounce, 'is_bounce');
is($rep->format, 'rfc3464', 'format');
is($rep->reporting_mta, 'mx.example.org', 'reporting MTA');
is($rep->from, 'MAILER-DAEMON@mx.example.org (Mail Delivery System)', 'From as written');
is($rep->subject, 'Undelivered Mail Returned to Sender', 'subject');
is($rep->message_id, '20250303090000.1@mx.example.org', 'message id');
is_deeply([ $rep->source, $rep->index, $rep->lang ], [ '-', 1, 'en' ], 'source and index of data');
is(scalar $rep->recipients, 2, 'recipients in scalar context');
my ($a, $b) = $rep->recipients;
isa_ok($a, 'SMTPCodes::Recipient');
is_deeply([ map { $a->$_ } qw(address original_address action status reply_code reason remote_mta command) ],
          [ 'nobody@example.net', 'nobody@example.net', 'failed', '5.1.1', 550, 'userunknown', 'mx.example.net', 'RCPT' ],
          'first recipient');
ok($a->hard_bounce && !$a->soft_bounce && !$a->retry, 'first: hard bounce');
like($a->diagnostic, qr/^550 5\.1\.1 <nobody\@example\.net>/, 'diagnostic');
is_deeply([ map { $b->$_ } qw(address status reply_code reason) ], [ 'full@example.com', '5.2.2', 552, 'mailboxfull' ],
          'second recipient');
ok(!$b->hard_bounce && $b->soft_bounce, 'second: soft bounce');
isa_ok($a->verdict, 'SMTPCodes::Verdict');
is($a->verdict->reason, 'userunknown', 'verdict');
is($a->summary, $a->verdict->summary, 'summary from the verdict');
ok($a->explanation && $a->advice, 'explanation and advice');
isnt($a->explanation('de'), $a->explanation, 'explanation in German');
is("$a", 'nobody@example.net failed 550 5.1.1 userunknown hard', 'recipient stringifies');
is("$rep", 'bounce rfc3464 2 recipients -#1', 'report stringifies');
ok($rep == SMTPCodes->analyze_bounce(slurp("$own/dsn-two-recipients.eml")), 'equal reports');
ok(!($rep == SMTPCodes->analyze_bounce(slurp("$own/exim.eml"))), 'different reports');
ok($a eq ((SMTPCodes->analyze_bounce(slurp("$own/dsn-two-recipients.eml")))->recipients)[0], 'equal recipients');
ok(!($a == $b), 'different recipients');

my $h = $a->to_hash('de');
is_deeply([ sort keys %$h ],
          [ sort qw(schema file message kind format reporting_mta recipient original_recipient action status
                    replycode reason hardbounce retry diagnostic remote_mta command vendor lang summary
                    explanation advice) ], 'to_hash: the keys of smtpcodes bounce --json');
is_deeply([ @$h{qw(file message recipient replycode hardbounce retry lang)} ],
          [ '-', 1, 'nobody@example.net', '550', 1, 0, 'de' ], 'to_hash: values');
is($h->{summary}, $a->summary('de'), 'to_hash: texts in the language asked for');
my $rh = $rep->to_hash;
is_deeply([ map { $_->{recipient} } @{ $rh->{recipients} } ], [ 'nobody@example.net', 'full@example.com' ],
          'report to_hash');
is_deeply([ $rep->to_records ], $rh->{recipients}, 'to_records');

# --- other kinds ---
my %kinds = map {
    my $r = SMTPCodes->analyze_bounce(slurp("$own/$_"));
    ($_ => join ' ', $r->kind, map { $_->reason } $r->recipients)
} qw(arf.eml autoreply.eml delayed.eml delivered.eml plain-message.eml);
is_deeply(\%kinds, { 'arf.eml' => 'feedback feedback', 'autoreply.eml' => 'autoreply vacation',
                     'delayed.eml' => 'delay expired', 'delivered.eml' => 'delivery delivered',
                     'plain-message.eml' => 'not-bounce' }, 'kinds');
my $plain = SMTPCodes->analyze_bounce(slurp("$own/plain-message.eml"));
ok($plain && !$plain->recipients, 'not a bounce: true, no recipients');
is_deeply([ $plain->to_records ], [ { schema => 1, file => '-', message => 1, kind => 'not-bounce', format => 'none',
                                      reporting_mta => undef, recipient => undef } ], 'to_records without recipients');

# --- bad input: errors, never a crash ---
dies_with(sub { SMTPCodes->analyze_bounce(undef) }, 'syntax', qr/undef/, 'undef');
dies_with(sub { SMTPCodes->analyze_bounce() }, 'syntax', qr/undef/, 'nothing');
dies_with(sub { SMTPCodes->analyze_bounce([]) }, 'syntax', qr/reference/, 'reference');
dies_with(sub { SMTPCodes->analyze_bounce('') }, 'syntax', qr/empty input/, 'empty');
dies_with(sub { SMTPCodes->analyze_bounce("\0" x 64) }, 'syntax', qr/header field/, 'NUL bytes');
dies_with(sub { SMTPCodes->analyze_bounce("hello world\n") }, 'syntax', qr/header field/, 'no header');
dies_with(sub { SMTPCodes->analyze_bounce("From: x\n\nhi", lang => []) }, 'invalid-value', qr/lang/, 'lang reference');
is(SMTPCodes->analyze_bounce("Subject: x\n\n" . ("\0\xff" x 100_000))->kind, 'not-bounce', 'binary body');
srand 7;
for (1 .. 200) {
    my $junk = 'Subject: ' . join '', map { chr int rand 256 } 1 .. 1 + int rand 500;
    eval { SMTPCodes->analyze_bounce($junk) };
}
pass('random garbage');
my $dsn = slurp("$own/dsn-two-recipients.eml");
ok(SMTPCodes->analyze_bounce($dsn . "\n" . ('A' x (9 * 1024 * 1024))) == $rep, 'huge data: only the start is read');
for (my $n = 0; $n < length $dsn; $n += 97) {
    eval { SMTPCodes->analyze_bounce(substr $dsn, 0, $n) };
}
pass('cut off anywhere');
{
    my $reg = SMTPCodes::Registry->new(module_path => ["$TOP_SRCDIR/data/modules"]);
    ok($reg->analyze_bounce($dsn) == $rep, 'a registry analyses too');
    is(scalar(() = $reg->read_bounces("$own/mbox")->all), 2, 'and reads mailboxes');
}

# --- reading mailboxes ---
{
    my $it = SMTPCodes->read_bounces("$mine/mixed.mbox");
    isa_ok($it, 'SMTPCodes::ReportReader');
    my $r1 = $it->next;
    is_deeply([ $r1->source, $r1->index, $r1->kind, map { $_->address } $r1->recipients ],
              [ "$mine/mixed.mbox", 1, 'bounce', 'closed@example.com' ], 'mbox: first');
    is($it->next->kind, 'autoreply', 'mbox: second');
    my $e = dies_with(sub { $it->next }, 'syntax', qr/^\Q$mine\E\/mixed\.mbox, message 3: not an e-mail message/,
                      'mbox: a message without header');
    is_deeply([ $e->source, $e->index ], [ "$mine/mixed.mbox", 3 ], 'error: source and index') if $e;
    my $r4 = $it->next;
    is_deeply([ $r4->index, map { ($_->address, $_->reason) } $r4->recipients ], [ 4, 'quota@example.net', 'mailboxfull' ],
              'the reader goes on after an error');
    is($it->next, undef, 'end');
    is($it->next, undef, 'still the end');

    my @errors;
    my @all = SMTPCodes->read_bounces("$mine/mixed.mbox", on_error => sub { push @errors, $_[0] })->all;
    is_deeply([ map { $_->index } @all ], [ 1, 2, 4 ], 'on_error: the others are read');
    is_deeply([ map { ref($_) . ' ' . $_->index } @errors ], [ 'SMTPCodes::Error 3' ], 'on_error: the error');
    ok($all[0] == $r1, 'the same report either way');
}
{
    my @got = map { [ substr($_->source, length "$mine/maildir/"), $_->index, map { $_->address } $_->recipients ] }
        SMTPCodes->read_bounces("$mine/maildir")->all;
    is_deeply(\@got, [ [ 'new/1741100000.1.host', 1, 'blocked@example.net' ],
                       [ 'cur/1741100001.2.host:2,S', 1, 'nobody@example.net', 'full@example.com' ],
                       [ 'cur/1741100002.3.host:2,S', 1, 'bob@example.net' ] ], 'maildir: new/ then cur/');
}
{
    my $dir = tempdir(CLEANUP => 1);
    for ([ 'b.eml', slurp("$own/qmail.eml") ], [ 'a.eml', slurp("$own/exim.eml") ], [ '.hidden', "Subject: x\n\n" ],
         [ 'c.eml', '' ]) {
        open my $fh, '>:raw', "$dir/$_->[0]" or die;
        print $fh $_->[1];
        close $fh;
    }
    my @errors;
    my @got = map { [ substr($_->source, length "$dir/"), map { $_->address } $_->recipients ] }
        SMTPCodes->read_bounces($dir, on_error => sub { push @errors, "$_[0]" })->all;
    is_deeply(\@got, [ [ 'a.eml', 'blocked@example.net' ], [ 'b.eml', 'gone@example.net' ] ], 'a directory: in name order');
    is_deeply(\@errors, [ "$dir/c.eml: empty input: no message to read" ], 'an empty file is an error');
}
{
    my $mbox = slurp("$own/mbox");
    my @want = map { [ $_->index, map { $_->address } $_->recipients ] } SMTPCodes->read_bounces("$own/mbox")->all;
    my @got = map { [ $_->index, map { $_->address } $_->recipients ] } SMTPCodes->read_bounces(\$mbox)->all;
    is_deeply(\@got, \@want, 'a scalar reference');
    is_deeply([ map { $_->source } SMTPCodes->read_bounces(\$mbox)->all ], [ '-', '-' ], 'its source is -');
    open my $fh, '<:raw', "$own/mbox" or die;
    @got = map { [ $_->index, map { $_->address } $_->recipients ] } SMTPCodes->read_bounces($fh)->all;
    is_deeply(\@got, \@want, 'a filehandle');
    my $out = `$^X -I$main::BLIB/lib -I$main::BLIB/arch -MSMTPCodes -e 'print join ",", map { \$_->source . "#" . \$_->index } SMTPCodes->read_bounces("-")->all' < $own/mbox`;
    is($out, '-#1,-#2', 'standard input');
    # empty data is one message that cannot be read, as an empty file is
    dies_with(sub { SMTPCodes->read_bounces(\'')->all }, 'syntax', qr/empty input: no message to read/, 'empty data');
}
{
    my $missing = tempdir(CLEANUP => 1) . '/no-such-mbox';
    dies_with(sub { SMTPCodes->read_bounces($missing) }, 'io', qr/^\Q$missing\E: No such file or directory$/, 'missing');
    dies_with(sub { SMTPCodes->read_bounces(undef) }, 'syntax', qr/undef/, 'undef path');
    dies_with(sub { SMTPCodes->read_bounces("a\0b") }, 'invalid-value', qr/NUL/, 'NUL in the path');
    dies_with(sub { SMTPCodes->read_bounces({}) }, 'syntax', qr/reference/, 'a hash as the path');
    dies_with(sub { SMTPCodes->read_bounces("$own/mbox", on_error => 'warn') }, 'invalid-value', qr/on_error/, 'on_error');
}
{
    my $it = SMTPCodes->read_bounces("$own/mbox");
    is($it->next->index, 1, 'before close');
    $it->close;
    is($it->next, undef, 'after close: the end');
    $it->close;
    ok(!eval { SMTPCodes::Raw::smtpcodes_report_reader_next($it); 1 }, 'a closed handle is refused');
    like($@, qr/closed/, '... and says so');
    ok(!eval { (bless {}, 'SMTPCodes::ReportReader')->next; 1 }, 'a forged reader is refused');
    ok(!eval { (bless {}, 'SMTPCodes::Report')->kind; 1 }, 'a forged report is refused');
    ok(!eval { (bless {}, 'SMTPCodes::Recipient')->address; 1 }, 'a forged recipient is refused');
}
{
    # objects outlive what made them
    my @r = do { my $x = SMTPCodes->analyze_bounce($dsn); $x->recipients };
    is($r[0]->address, 'nobody@example.net', 'a recipient keeps its report alive');
    my $last = do { my $it = SMTPCodes->read_bounces("$own/mbox"); $it->next };
    is(($last->recipients)[0]->address, 'gone@example.net', 'a report outlives its reader');
}
SKIP: {
    eval { require threads; 1 } or skip 'no threads', 3;
    my $it = SMTPCodes->read_bounces("$own/mbox");
    my $r = $it->next;
    my @got = threads->create({ context => 'list' }, sub {
        my $ok = eval { $it->next; 1 } ? 'used' : "$@";
        return ($ok, $r->kind, scalar $r->recipients, SMTPCodes->analyze_bounce($dsn)->kind);
    })->join;
    like($got[0], qr/another thread/, 'a reader is not shared with a thread');
    is_deeply([ @got[1 .. 3] ], [ 'bounce', 1, 'bounce' ], 'reports and analysis work in a thread');
    is($it->next->index, 2, 'the reader goes on in its own thread');
}
done_testing;
