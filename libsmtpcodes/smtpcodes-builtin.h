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

/* The text automaton over the built-in modules' markers (their patterns' Match= and their
 * DetectText=, module by module, as the registry adds them), built by gen-builtin with the
 * library's own matcher (smtpcodes-matcher.c) and stored as it left its 16-bit tables, so
 * that a registry whose modules end with exactly the built-in ones builds at run time only
 * the automaton of the other markers (vendor and site modules, the grammar cues) and scans
 * both. n_nodes is 0 when there is none (the built-in markers need wider codes). */
typedef struct {
  uint16_t first_code, fail_code, edge;
  uint8_t  first_cls, n_edges;
} SmtpcodesSparse16;

typedef struct _SmtpcodesBuiltinAutomaton {
  uint32_t                 n_nodes, n_dense, shift, limit;
  uint32_t                 n_outs;      /* the markers, numbered in the order they were added */
  uint8_t                  cls[256];
  const uint16_t          *dense;
  const SmtpcodesSparse16 *sparse;
  const uint8_t           *edge_cls;
  const uint16_t          *edge_code;
  const uint32_t          *out_at;      /* per node: where its run starts in out_list */
  const uint32_t          *out_list;    /* marker numbers, each run ending with NONE */
} SmtpcodesBuiltinAutomaton;

extern const SmtpcodesBuiltinAutomaton _smtpcodes_builtin_automaton;
