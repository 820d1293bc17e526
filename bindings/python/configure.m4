dnl bindings/python: configure checks for this part (included by configure.ac)
