/* The built-in modules, parsed when the library is built (gen-builtin); never installed.
 *
 * gen-builtin runs the module parser over each built-in module and writes what it made:
 * the text as the parser left it (values cut out with NULs, unescaped) followed by the
 * few strings that are not in the text, every pointer as an offset into that blob, every
 * list as a run of offsets into one table per module (ptrs), every translation array as one
 * into another (l10n). The library turns the lists' offsets back into pointers (its API
 * hands out such arrays) and reads the translations' where they are (SmtpcodesL10n); it
 * parses nothing and copies no text. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SMTPCODES_BUILTIN_NONE UINT32_MAX   /* a NULL pointer */

/* A SmtpcodesEntry: strings are blob offsets, arrays are offsets into ptrs, translations
 * (summary, explanation, advice; a module's name and description) into l10n (each run's
 * items up to a NONE). */
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
  const uint32_t              *l10n;     /* the translation arrays' runs */
  const SmtpcodesBuiltinEntry *entries;
  uint32_t                     n_entries;
  /* the SmtpcodesModule */
  uint32_t                     mod_id, kind, rank, version, name, description, detect_text, detect_host;
} SmtpcodesBuiltin;

/* the built-in modules, in load order, up to a NULL */
extern const SmtpcodesBuiltin *const _smtpcodes_builtin[];

/* Known content: every module file that is shipped (the vendor sets installed on the
 * search path, and the built-in modules' own files, as in data/modules), by its length and
 * digest (smtpcodes-digest.h: XXH64, and why that is enough), with what the parser makes
 * of it. A file on the search path with that length and digest is loaded from module
 * instead of being parsed: the same module by construction (gen-builtin ran the same
 * parser over the same bytes, strictly, so a lenient load gives it too). The library keeps
 * no copy of the files' bytes. */
typedef struct {
  const SmtpcodesBuiltin *module;   /* NULL ends the list */
  size_t                  len;
  uint64_t                digest;
} SmtpcodesKnown;

extern const SmtpcodesKnown _smtpcodes_known[];

/* Text automata over the markers of shipped modules (their patterns' Match= and their
 * DetectText=, module by module, as the registry adds them), built by gen-builtin with the
 * library's own matcher (smtpcodes-matcher.c) and stored as it left its 16-bit tables, so
 * that a registry whose modules end with exactly those builds at run time only the
 * automaton of the other markers (site modules, the grammar cues) and scans both. Their
 * tables are the 16-bit ones, or the 32-bit ones when the codes do not fit. */
typedef struct {
  uint16_t first_code, fail_code, edge;
  uint8_t  first_cls, n_edges;
} SmtpcodesSparse16;

/* (the matcher's own layout, for an automaton that needs wider codes) */
typedef struct {
  uint32_t first_code, fail_code, edge;
  uint8_t  first_cls, n_edges;
  uint16_t unused;
} SmtpcodesSparse32;

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
  /* instead of dense, sparse and edge_code when the codes need more than 15 bits (HAS_OUT
   * is the top bit then) */
  const uint32_t          *dense32;
  const SmtpcodesSparse32 *sparse32;
  const uint32_t          *edge_code32;
} SmtpcodesBuiltinAutomaton;

/* A precomputed automaton and the modules whose markers it has, in the order they were
 * added. A registry whose modules end with exactly these (loaded from built-in or known
 * content), in an order that keeps before[k][0] ahead of before[k][1] for every k (the
 * modules that share a marker: the order of their reports depends on it), scans it instead
 * of building one over their markers. automaton is NULL if gen-builtin could not make one
 * (codes wider than 16 bits). */
typedef struct {
  const SmtpcodesBuiltinAutomaton *automaton;
  const SmtpcodesBuiltin *const   *modules;
  uint32_t                         n_modules;
  const uint8_t                  (*before)[2];
  uint32_t                         n_before;
} SmtpcodesPrecomputed;

/* the one over every shipped module as installed, then the one over the built-in ones;
 * a NULL modules ends the list */
extern const SmtpcodesPrecomputed _smtpcodes_precomputed[];
