/* Private structures of libsmtpcodes; never installed. */
#pragma once

#include "smtpcodes.h"

G_BEGIN_DECLS

/* Localised text: pairs {lang, text, lang, text, ...}; lang "" is English (the plain key).
 * A parsed module has them as a NULL-terminated array of pointers (ptrs); a precompiled one
 * (smtpcodes-builtin.h) as a run of offsets into its blob that ends with
 * SMTPCODES_BUILTIN_NONE (offs), read where it is: a registry makes no pointers for them
 * (they were four fifths of a precompiled module's pointers). The module says which
 * (precompiled). NULL, in either, is no text. */
typedef union {
  const char *const *ptrs;
  const guint32      *offs;
} SmtpcodesL10n;

#define SMTPCODES_CLASS_MASK(k) (1u << (k))

/* Reasons (docs/module-format.md), in alphabetical order: index into _smtpcodes_reasons[]. */
#define SMTPCODES_REASON_LIST(X) \
  X (authfailure) X (badreputation) X (blocked) X (contenterror) X (delivered) X (exceedlimit) \
  X (expired) X (feedback) X (filtered) X (hasmoved) X (hostunknown) X (mailboxfull) X (mailererror) \
  X (mesgtoobig) X (networkerror) X (norelaying) X (notaccept) X (notcompliantrfc) X (onhold) \
  X (policyviolation) X (rejected) X (requireptr) X (securityerror) X (spamdetected) X (speeding) \
  X (suspend) X (syntaxerror) X (systemerror) X (systemfull) X (toomanyconn) X (undefined) \
  X (userunknown) X (vacation) X (virusdetected)
typedef enum {
#define SMTPCODES_REASON_ENUM(name) SMTPCODES_REASON_##name,
  SMTPCODES_REASON_LIST (SMTPCODES_REASON_ENUM)
#undef SMTPCODES_REASON_ENUM
  SMTPCODES_N_REASONS
} SmtpcodesReasonId;
extern const char *const _smtpcodes_reasons[];
int _smtpcodes_reason_index (const char *name, gssize len);

/* (the pointers first, then the 32-bit fields: no padding; a registry makes one per entry of
 * every module, about 600 for the shipped ones) */
struct _SmtpcodesEntry {
  SmtpcodesRegistry      *registry;
  const SmtpcodesModule  *module;
  const char             *code;       /* group name without the kind word */
  const char             *status;     /* NULL, "5.1.1", "X.1.1", "X.1.XXX", "5.XXX.XXX" */
  const char             *command;    /* [Reply 250 ETRN] */
  const char             *source;
  const char             *usage;
  const char *const      *related;    /* Status= or ReplyCodes= */
  const char *const      *commands;
  const char *const      *markers;    /* Match= */
  const char *const      *aliases;    /* [Command] Aliases= */
  const char             *obsoleted_by;
  SmtpcodesL10n           summary;
  SmtpcodesL10n           explanation;
  SmtpcodesL10n           advice;
  SmtpcodesEntryKind      kind;
  int                     reply;      /* 0 when none */
  guint32                 status_key;
  SmtpcodesClass          klass;      /* UNKNOWN for X. groups */
  int                     reason;
  gboolean                generic;
  gboolean                retry;
  gboolean                retry_set;
  int                     priority;
  guint                   classes;    /* pattern: mask of SmtpcodesClass */
  guint                   line;
};

typedef enum { KIND_SITE = 0, KIND_VENDOR = 1, KIND_STANDARD = 2 } ModuleRank;

struct _SmtpcodesModule {
  const char          *id;
  const char          *kind;
  ModuleRank           rank;
  const char          *version;
  const char          *filename;
  gboolean             builtin;
  guint                order;
  SmtpcodesL10n        name;
  SmtpcodesL10n        description;
  const char *const   *detect_text;
  const char *const   *detect_host;
  SmtpcodesEntry      *entries;
  guint                n_entries;
  /* the SmtpcodesBuiltin it was made from (a built-in module, or a file with known
   * content: smtpcodes-builtin.h), NULL if it was parsed */
  gconstpointer        precompiled;
};

/* Arena: strings and arrays that live as long as the registry. */
typedef struct {
  GPtrArray    *blocks;    /* g_free'd with the arena */
  char         *cur;       /* the free part of the current chunk */
  gsize         left;
} SmtpcodesArena;

void  _smtpcodes_arena_init (SmtpcodesArena *arena);
void  _smtpcodes_arena_clear (SmtpcodesArena *arena);
gpointer _smtpcodes_arena_alloc (SmtpcodesArena *arena, gsize size);
char *_smtpcodes_arena_strndup (SmtpcodesArena *arena, const char *s, gsize len);
/* block (from g_malloc) is freed with the arena */
void  _smtpcodes_arena_adopt (SmtpcodesArena *arena, gpointer block);

/* Parses a module in place: data must be writable, hold a NUL at data[length] and live as
 * long as arena (give it to _smtpcodes_arena_adopt); the entries point into it. */
SmtpcodesModule *_smtpcodes_module_parse (char               *data,
                                          gsize               length,
                                          const char         *filename,
                                          gboolean            builtin,
                                          SmtpcodesLoadFlags  flags,
                                          SmtpcodesArena     *arena,
                                          GError            **error);

/* l10n (of module) in lang, else in English */
const char *_smtpcodes_l10n_get (const SmtpcodesModule *module, SmtpcodesL10n l10n, const char *lang);

/* The first byte of s..end that is not well-formed UTF-8 (as g_utf8_validate() judges), or
 * end; fast on ASCII. */
const char *_smtpcodes_utf8_first_invalid (const char *s, const char *end);

/* Status keys (21 bits): class (2,4,5; 0xF for X) << 17 | subject (0..126; 127 = XXX) << 10
 * | detail (0..1022; 1023 = XXX).  Codes beyond that range are valid syntax but index nothing. */
#define STATUS_ANY_SUBJECT 127u
#define STATUS_ANY_DETAIL  1023u
#define STATUS_CLASS_X     0xFu
static inline guint32
status_key_make (guint c, guint s, guint d)
{
  return (c << 17) | (s << 10) | d;
}
/* Parses "5.1.1", "X.1.1", "X.1.XXX", "5.XXX.XXX", and with allow_wild "5.1.x".
 * Returns FALSE if not a status code. */
gboolean _smtpcodes_parse_status (const char *s, gsize len, gboolean allow_wild,
                                  guint *c, guint *sub, guint *det);

/* Aho-Corasick matcher over ASCII-lower-cased text. */
typedef struct _SmtpcodesMatcher SmtpcodesMatcher;
typedef struct {
  gconstpointer payload;
  guint         length;   /* marker length */
  guint         tag;      /* 0: pattern entry, 1: vendor detection module */
  const char   *marker;
} SmtpcodesMatch;
SmtpcodesMatcher *_smtpcodes_matcher_new (void);
void _smtpcodes_matcher_add (SmtpcodesMatcher *m, const char *marker, guint tag, gconstpointer payload);
void _smtpcodes_matcher_build (SmtpcodesMatcher *m);
void _smtpcodes_matcher_free (SmtpcodesMatcher *m);
/* end: offset of the last byte of the match */
typedef gboolean (*SmtpcodesMatchFunc) (const SmtpcodesMatch *match, gsize end, gpointer user_data);
void _smtpcodes_matcher_scan (const SmtpcodesMatcher *m, const char *text, gsize len,
                              SmtpcodesMatchFunc func, gpointer user_data);
/* whether the tables are the 16-bit ones (for tests) */
gboolean _smtpcodes_matcher_is_narrow (const SmtpcodesMatcher *m);
/* A precomputed automaton (gen-builtin's, over the built-in markers) that the matcher scans
 * too: its markers count as added at this point, between the markers added so far and the
 * ones added after, and scans report the matches of both in the order one automaton over
 * all the markers would. matches[i] is what its marker number i reports (the matcher frees
 * the array). */
struct _SmtpcodesBuiltinAutomaton;
void _smtpcodes_matcher_set_base (SmtpcodesMatcher *m, const struct _SmtpcodesBuiltinAutomaton *base,
                                  SmtpcodesMatch *matches);
/* m's tables as a SmtpcodesBuiltinAutomaton (gen-builtin; out_list is allocated): the
 * 16-bit ones, else the 32-bit ones */
gboolean _smtpcodes_matcher_export (const SmtpcodesMatcher *m, struct _SmtpcodesBuiltinAutomaton *out,
                                    guint32 *n_edges, guint32 *n_list);

/* The entries of one index key: entries[start .. start + n), in module order, so site
 * entries come first (n_site of them), then vendors', then standard ones from std_start. */
typedef struct {
  guint32 key;          /* 0: an empty slot */
  guint32 start, n, n_site, std_start;
} SmtpcodesIndexSlot;

struct _SmtpcodesRegistry {
  gint                ref_count;    /* atomic */
  SmtpcodesArena      arena;
  GPtrArray          *modules;      /* SmtpcodesModule*, sorted by rank then order */
  /* open addressing on the KEY_* keys below */
  SmtpcodesIndexSlot *index_slots;
  guint32             index_mask;
  guint               index_shift;  /* 32 - log2 (slots) */
  const SmtpcodesEntry **index_entries;
  /* KEY_REPLY (code) -> GPtrArray of that code's [Reply NNN] entries, in module order:
   * only these keys, for code outside this file that looks reply codes up there
   * (smtpcodes-report.c); everything else goes through index_slots */
  GHashTable         *index;
  /* [Reply 250 ETRN] entries, in module order */
  const SmtpcodesEntry **cmd_entries;
  guint               n_cmd_entries;
  GPtrArray          *patterns;
  /* the automaton over every pattern and vendor marker and the grammar cues: built on the
   * first scan of a text (g_once), through _smtpcodes_registry_get_matcher() */
  SmtpcodesMatcher   *matcher;
  /* the markers a bare code ("550", "5.7.1", "550 5.1.1", "5.1.x") can contain, which is
   * all a scan of one needs: usually none */
  SmtpcodesMatch     *code_markers;
  guint               n_code_markers;
  char              **rejected;
  GPtrArray          *commands;     /* SmtpcodesEntry* of kind COMMAND, first Id wins */
  /* every spelling of the commands (name, then aliases, command by command), grouped by
   * first letter lower-cased: spelling_at[b] .. spelling_at[b + 1] */
  struct { const SmtpcodesEntry *entry; const char *spelling; } *spellings;
  guint32            *spelling_at;  /* 257 */
};

const SmtpcodesMatcher *_smtpcodes_registry_get_matcher (SmtpcodesRegistry *reg);
static inline const SmtpcodesMatcher *
_smtpcodes_registry_matcher (SmtpcodesRegistry *reg)
{
  /* built already (an acquire load pairs with g_once_init_leave), else build it */
  SmtpcodesMatcher *m = g_atomic_pointer_get (&reg->matcher);
  return G_LIKELY (m != NULL) ? m : _smtpcodes_registry_get_matcher (reg);
}
/* The bytes a bare code and the blanks around it consist of */
gboolean _smtpcodes_is_code_byte (char c);

/* Parses a reply, naming the command with the registry's command vocabulary (or none). */
SmtpcodesReply *_smtpcodes_reply_parse (SmtpcodesRegistry *reg, const char *text, gssize length, GError **error);
/* ... with spare bytes of room at the end (8-aligned), for the verdict */
SmtpcodesReply *_smtpcodes_reply_parse_spare (SmtpcodesRegistry *reg, const char *text, gssize length,
                                              gsize spare, GError **error);
const SmtpcodesEntry *_smtpcodes_registry_match_command (SmtpcodesRegistry *reg, const char *s, gsize len, gsize *used);

/* index keys: two tag bits, then the code */
#define KEY_REPLY(code)    (0x80000000u | (guint32) (code))
#define KEY_STATUS(sk)     (0x40000000u | (guint32) (sk))
#define KEY_PAIR(code, sk) (0xC0000000u | ((guint32) ((code) - 100) << 21) | (guint32) (sk))

/* A reply and all its strings are one block: the strings follow the struct. */
struct _SmtpcodesReply {
  gint         ref_count;   /* atomic */
  int          code;
  const char  *enhanced;
  const char  *text;
  const char  *command;
  const char  *remote_host;
  const char  *context;
  const char  *input;
  guint        n_lines;
  gboolean     code_only;
  const char  *dotted;      /* "1.0.1" when a code-only input was a reply code written with dots */
  /* enhanced as _smtpcodes_parse_status (allow_wild) reads it: has_status FALSE if it does not */
  gboolean     has_status;
  guint        sc, ss, sd;
  /* what the parse's scan found of scan_reg's patterns and vendor markers (the first
   * SMTPCODES_REPLY_MAX_MATCHES, in text order), so that explaining the reply with that
   * registry needs no second scan; they point into scan_reg's matcher */
  SmtpcodesRegistry           *scan_reg;
  const SmtpcodesMatch *const *matches;
  guint                        n_matches;
  /* Room at the end of the block for the verdict smtpcodes_registry_explain_text() makes
   * of the reply, so that both are one allocation; the reply's references count for the
   * verdict living there too (see smtpcodes-verdict.c). */
  gpointer                     spare;
  gsize                        spare_size;
  gboolean                     has_verdict;
};
#define SMTPCODES_REPLY_MAX_MATCHES 256

/* The parser's grammar cues (tag 2 in a registry's matcher, payload = cue index). */
guint _smtpcodes_reply_n_cues (void);
const char *_smtpcodes_reply_cue (guint i);
#define SMTPCODES_TAG_PATTERN 0
#define SMTPCODES_TAG_VENDOR  1
#define SMTPCODES_TAG_CUE     2

/* lookups shared by registry.c and verdict.c */
typedef struct {
  int         reply;
  gboolean    has_status;
  guint       sc, ss, sd;       /* sd/ss may be ANY */
  char        status[24];
  const char *command;
  char        command_buf[16];
} SmtpcodesQuery;

/* A growing list of entries that starts on the stack. */
typedef struct {
  const SmtpcodesEntry **v;
  guint                  len, cap;
  const SmtpcodesEntry  *buf[24];
} SmtpcodesEntryVec;

static inline void
_smtpcodes_entry_vec_init (SmtpcodesEntryVec *ev)
{
  ev->v = ev->buf;
  ev->len = 0;
  ev->cap = G_N_ELEMENTS (ev->buf);
}

void _smtpcodes_entry_vec_grow (SmtpcodesEntryVec *ev);

static inline void
_smtpcodes_entry_vec_push (SmtpcodesEntryVec *ev, const SmtpcodesEntry *e)
{
  if (G_UNLIKELY (ev->len == ev->cap))
    _smtpcodes_entry_vec_grow (ev);
  ev->v[ev->len++] = e;
}

static inline void
_smtpcodes_entry_vec_clear (SmtpcodesEntryVec *ev)
{
  if (ev->v != ev->buf)
    g_free (ev->v);
  _smtpcodes_entry_vec_init (ev);
}

gboolean _smtpcodes_query_parse (SmtpcodesQuery *q, const char *code, GError **error);
void _smtpcodes_registry_collect (SmtpcodesRegistry *self, const SmtpcodesQuery *q,
                                  const SmtpcodesModule *vendor, gboolean fallback,
                                  SmtpcodesEntryVec *out);
const SmtpcodesModule *_smtpcodes_registry_find_vendor (SmtpcodesRegistry *self, const char *id);
/* the index slot of a key, or NULL */
const SmtpcodesIndexSlot *_smtpcodes_registry_find (const SmtpcodesRegistry *self, guint32 key);
const SmtpcodesEntry *const *_smtpcodes_registry_list_of (SmtpcodesRegistry *self, guint32 key, guint *n);

/* GObject, loaded when a program first asks for one of the library's GTypes. The library
 * does not link GObject: loading and initialising it (its type system, libffi) cost every
 * program about 0.25 ms of start-up, a tenth of a whole check_smtp_reply run, and only the
 * boxed types' _get_type() functions need it (a program that calls one has GObject loaded
 * anyway, and then it is only looked up). G_DEFINE_BOXED_TYPE below calls this instead of
 * g_boxed_type_register_static. The bounce analyser's other GObject calls go through the
 * table of GMime functions (smtpcodes-gmime.h): they only happen once GMime, which links
 * GObject, is loaded. Any other GObject function the library starts to call is a link error
 * (-Wl,-z,defs), not a silent dependency. */
G_GNUC_INTERNAL GType _smtpcodes_boxed_type_register_static (const gchar   *name,
                                                             GBoxedCopyFunc boxed_copy,
                                                             GBoxedFreeFunc boxed_free);
#define g_boxed_type_register_static _smtpcodes_boxed_type_register_static

G_END_DECLS
