use strict;
use warnings;
use FindBin;
BEGIN { require "$FindBin::Bin/setup.pl" }
use Test::More;
our $BLIB;
eval { require Test::Pod; 1 } or plan skip_all => 'Test::Pod is not installed';
Test::Pod::pod_file_ok("$BLIB/lib/SMTPCodes.pm", 'SMTPCodes.pm POD');
done_testing;
