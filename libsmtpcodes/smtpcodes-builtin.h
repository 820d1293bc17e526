/* The built-in modules, compiled in by gen-builtin; never installed. */
#pragma once
#include <stddef.h>

typedef struct {
  const char *id;
  const char *data;
  size_t      length;
} SmtpcodesBuiltin;

/* ends with an entry whose id is NULL */
extern const SmtpcodesBuiltin _smtpcodes_builtin[];
