use strict;
use warnings;
use utf8;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
use SMTPCodes;

# The text reaches the C library as UTF-8, whatever Perl holds: characters as they are,
# byte strings that are valid UTF-8 as they are (not read as Latin-1 and encoded twice),
# other byte strings as Latin-1 characters.  Bounce data is bytes and passes untouched.

my $want = '<jürgen@example.de>: Empfänger unbekannt';
my $chars = "550 5.1.1 $want";                         # characters (use utf8)
my $bytes = $chars;
utf8::encode($bytes);                                   # the same as UTF-8 bytes
my $latin1 = $chars;
utf8::downgrade($latin1);                               # Latin-1 bytes, no UTF8 flag
ok(!utf8::is_utf8($bytes) && !utf8::is_utf8($latin1), 'byte strings without the UTF8 flag');

for my $case ([ 'characters', $chars ], [ 'UTF-8 bytes', $bytes ], [ 'Latin-1 bytes', $latin1 ]) {
    my ($name, $text) = @$case;
    my $copy = $text;
    is(SMTPCodes->explain($text)->text, $want, "explain: $name");
    is(SMTPCodes->parse_reply($text)->text, $want, "parse_reply: $name");
    is(SMTPCodes::Registry->new(module_path => [])->explain($text)->text, $want, "registry explain: $name");
    ok($text eq $copy && utf8::is_utf8($text) == utf8::is_utf8($copy), "$name: the caller's string is left as it was");
}

# wide characters, and a byte string that only looks like UTF-8 at its start
is(SMTPCodes->explain("550 5.1.1 \x{263a} smile")->text, "\x{263a} smile", 'explain: wide characters');
my $cut = "550 5.1.1 caf\xc3";                          # a cut-off sequence: Latin-1
is(SMTPCodes->parse_reply($cut)->text, "caf\x{c3}", 'parse_reply: bytes that are not UTF-8');
is(SMTPCodes->explain("550 5.1.1 \xc3\xa9t\xe9")->text, "\x{c3}\x{a9}t\x{e9}", 'mixed bytes are Latin-1');

# bounce data: the bytes themselves, however Perl holds them
my $mail = "From: MAILER-DAEMON\@mx.example.de\nSubject: Unzustellbar: Rückmeldung\n"
    . "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
    . "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.de\n\n"
    . "Final-Recipient: rfc822; jürgen\@example.de\nAction: failed\nStatus: 5.1.1\n"
    . "Diagnostic-Code: smtp; 550 5.1.1 Empfänger unbekannt\n\n--b--\n";
my $raw = $mail;
utf8::encode($raw);
my $upgraded = $raw;
utf8::upgrade($upgraded);                               # the same bytes, UTF8 flag on
for my $case ([ 'raw bytes', $raw ], [ 'upgraded bytes', $upgraded ]) {
    my ($name, $data) = @$case;
    my $rep = SMTPCodes->analyze_bounce($data);
    my ($r) = $rep->recipients;
    is($r->address, 'jürgen@example.de', "bounce, $name: address");
    is($r->diagnostic, '550 5.1.1 Empfänger unbekannt', "bounce, $name: diagnostic");
    is($rep->subject, 'Unzustellbar: Rückmeldung', "bounce, $name: subject");
}
# characters above 255 are written as UTF-8, as print does
my ($wide) = SMTPCodes->analyze_bounce($mail . "\x{263a}")->recipients;
is($wide->address, 'jürgen@example.de', 'bounce with wide characters: as UTF-8');
done_testing;
