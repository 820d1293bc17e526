/* The built-in modules, parsed when the library is built (gen-builtin); never installed.
 *
 * gen-builtin runs the module parser over each built-in module and writes what it made:
 * the text as the parser left it (values cut out with NULs, unescaped) followed by the
 * few strings that are not in the text, every pointer as an offset into that blob, every
 * list and translation array as a run of offsets into one table per module. The library
 * turns offsets back into pointers; it parses nothing and copies no text. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SMTPCODES_BUILTIN_NONE UINT32_MAX   /* a NULL pointer */

/* A SmtpcodesEntry: strings are blob offsets, arrays are offsets into ptrs (each array's
 * items run up to a NONE). */
typedef struct {
  uint32_t kind, code, reply, status, status_key, command, klass;
  int32_t  reason, priority;
  uint32_t generic, retry, retry_set, classes;
  uint32_t source, usage, related, commands, markers, aliases, obsoleted_by;
  uint32_t summary, explanation, advice, line;
} SmtpcodesBuiltinEntry;

typedef struct {
  const char                  *id;       /* NULL ends the list */
  const char                  *blob;
  const uint32_t              *ptrs;
  uint32_t                     n_ptrs;
  const SmtpcodesBuiltinEntry *entries;
  uint32_t                     n_entries;
  /* the SmtpcodesModule */
  uint32_t                     mod_id, kind, rank, version, name, description, detect_text, detect_host;
} SmtpcodesBuiltin;

extern const SmtpcodesBuiltin _smtpcodes_builtin[];
