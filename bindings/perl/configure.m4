dnl bindings/perl: configure checks for this part (included by configure.ac)
