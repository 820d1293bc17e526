use strict;
use warnings;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
use Encode ();
use File::Spec;
use JSON::PP ();
use SMTPCodes;

# Perl gives the same answers as 'smtpcodes bounce --json': every key of every record, on
# the project's samples and, when ../shared/corpus is beside the tree, on every corpus file.

our ($TOP_SRCDIR, $TOP_BUILDDIR);
my $cli = $ENV{SMTPCODES} // "$TOP_BUILDDIR/smtpcodes";
plan skip_all => "the smtpcodes command is not built ($cli)" unless -x $cli;
my $modules = "$TOP_SRCDIR/data/modules";
my $reg = SMTPCodes::Registry->new(module_path => [$modules]);
my $json = JSON::PP->new->canonical;

# the command's records, with JSON true/false as 1/0 (as to_hash has them)
sub cli_records {
    my ($path) = @_;
    # the messages that cannot be read are said on standard error: not here
    open my $stderr, '>&', \*STDERR or die;
    open STDERR, '>', File::Spec->devnull or die;
    my $pid = open my $fh, '-|', $cli, '-M', $modules, '--no-search-path', '--lang', 'en', 'bounce', '--json', $path;
    open STDERR, '>&', $stderr or die;
    die "$cli: $!" unless $pid;
    binmode $fh;
    my @r;
    while (my $line = <$fh>) {
        my $h = $json->decode(Encode::decode('UTF-8', $line));
        $_ = $_ ? 1 : 0 for grep { JSON::PP::is_bool($_) } values %$h;
        push @r, $h;
    }
    close $fh;
    return \@r;
}

sub perl_records {
    my ($path) = @_;
    my $it = $reg->read_bounces($path, lang => 'en', on_error => sub { });
    return [ map { $_->to_records } $it->all ];
}

sub single_records {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!";
    my $data = do { local $/; <$fh> };
    return [ map { { %$_, file => $path } } $reg->analyze_bounce($data, lang => 'en')->to_records ];
}

sub canon { return $json->encode($_[0]) }

my $own = "$TOP_SRCDIR/tests/data/bounces";
my $mine = "$TOP_SRCDIR/bindings/testdata";
my @samples = ($own, glob("$own/*.eml"), "$own/mbox", "$own/maildir", glob("$mine/*.eml"), "$mine/mixed.mbox",
               "$mine/maildir");
my $n = 0;
for my $path (@samples) {
    my $want = cli_records($path);
    ok(@$want, "$path: the command reports");
    is(canon(perl_records($path)), canon($want), "$path: read_bounces agrees");
    if (-f $path && !grep { $_->{message} != 1 } @$want) {
        is(canon(single_records($path)), canon($want), "$path: analyze_bounce agrees");
    }
    $n += @$want;
}
cmp_ok($n, '>', 30, 'records compared');

# the fields the bounce issue names, spelled out once
my @key = qw(recipient status replycode reason hardbounce action);
is_deeply([ map { [ @$_{@key} ] } @{ perl_records("$own/dsn-two-recipients.eml") } ],
          [ [ 'nobody@example.net', '5.1.1', '550', 'userunknown', 1, 'failed' ],
            [ 'full@example.com', '5.2.2', '552', 'mailboxfull', 0, 'failed' ] ], 'key fields');

SKIP: {
    my $shared = $ENV{SMTPCODES_SHARED} // "$TOP_SRCDIR/../shared";
    my $corpus = "$shared/corpus/bounces";
    skip "no corpus at $corpus (it lives beside the source tree, in ../shared)", 2 unless -d $corpus;
    my $want = cli_records($corpus);
    is(canon(perl_records($corpus)), canon($want), 'corpus: read_bounces agrees');
    my (%by_file, $files, @differ);
    push @{ $by_file{$_->{file}} }, $_ for @$want;
    for my $path (sort glob("$corpus/*")) {
        my $w = $by_file{$path} or next;
        next if grep { $_->{message} != 1 } @$w;   # an mbox: analyze_bounce reads one message
        $files++;
        push @differ, $path if canon(single_records($path)) ne canon($w);
    }
    is_deeply(\@differ, [], "corpus: analyze_bounce agrees on each of $files files");
}
done_testing;
