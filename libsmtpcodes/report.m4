dnl the bounce analyser: configure checks (GMime), included by configure.ac
