dnl plugins/nagios: configure checks for this part (included by configure.ac)
