/* smtpcodes-registry.c: loading modules into an immutable registry, and look-ups */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtpcodes-private.h"
#include "smtpcodes-builtin.h"
#include "smtpcodes-digest.h"

G_DEFINE_QUARK (smtpcodes-error-quark, smtpcodes_error)

/**
 * smtpcodes_error_quark:
 *
 * Returns: the error domain of libsmtpcodes, %SMTPCODES_ERROR
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (SmtpcodesEntry, smtpcodes_entry, smtpcodes_entry_ref, smtpcodes_entry_unref)

typedef GType (*BoxedRegisterFunc) (const gchar *, GBoxedCopyFunc, GBoxedFreeFunc);

/* GObject on first use (smtpcodes-private.h): found among the loaded libraries when the
 * program links it, else loaded, and never unloaded (it cannot be). */
static gpointer
gobject_load (gpointer data)
{
  void *h = dlopen (SMTPCODES_GOBJECT_SONAME, RTLD_NOW | RTLD_GLOBAL);
  void *sym = h ? dlsym (h, "g_boxed_type_register_static") : NULL;
  BoxedRegisterFunc f;
  if (sym == NULL)
    g_error ("libsmtpcodes: the GTypes need GObject (%s), which cannot be loaded: %s", SMTPCODES_GOBJECT_SONAME,
             dlerror ());
  /* object to function pointer: POSIX guarantees dlsym's result converts */
  memcpy (&f, &sym, sizeof f);
  return (gpointer) f;
}

GType
_smtpcodes_boxed_type_register_static (const gchar *name, GBoxedCopyFunc boxed_copy, GBoxedFreeFunc boxed_free)
{
  static GOnce once = G_ONCE_INIT;
  BoxedRegisterFunc f;
  gpointer p = g_once (&once, gobject_load, NULL);
  memcpy (&f, &p, sizeof f);
  return f (name, boxed_copy, boxed_free);
}

/* The built-in modules (smtpcodes-builtin.c, generated from data/modules) load in the order
 * Makefile.am lists them. */

static void
registry_free (gpointer data)
{
  SmtpcodesRegistry *self = data;
  g_clear_pointer (&self->modules, g_ptr_array_unref);
  g_clear_pointer (&self->index_slots, g_free);
  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->index_entries, g_free);
  g_clear_pointer (&self->cmd_entries, g_free);
  g_clear_pointer (&self->patterns, g_ptr_array_unref);
  g_clear_pointer (&self->commands, g_ptr_array_unref);
  g_clear_pointer (&self->spellings, g_free);
  g_clear_pointer (&self->spelling_at, g_free);
  g_clear_pointer (&self->matcher, _smtpcodes_matcher_free);
  g_clear_pointer (&self->code_markers, g_free);
  g_clear_pointer (&self->rejected, g_strfreev);
  _smtpcodes_arena_clear (&self->arena);
}

/**
 * smtpcodes_registry_ref:
 * @self: a #SmtpcodesRegistry
 *
 * Returns: (transfer full): @self, with one more reference
 * Since: 1.0
 */
SmtpcodesRegistry *
smtpcodes_registry_ref (SmtpcodesRegistry *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * smtpcodes_registry_unref:
 * @self: (transfer full): a #SmtpcodesRegistry
 *
 * Drops a reference; the last one frees the registry and its entries.
 *
 * Since: 1.0
 */
void
smtpcodes_registry_unref (SmtpcodesRegistry *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_int_dec_and_test (&self->ref_count))
    {
      registry_free (self);
      g_free (self);
    }
}

/**
 * smtpcodes_registry_get_default_search_path:
 *
 * The directories searched for modules when smtpcodes_registry_new() gets
 * %NULL: `$SMTPCODES_MODULE_PATH` (colon-separated), then
 * `$XDG_DATA_HOME/smtpcodes/modules`, then `smtpcodes/modules` below each
 * XDG system data directory, then the configured module directory (only when
 * `$XDG_DATA_DIRS` is unset: a set `$XDG_DATA_DIRS` names the system directories).
 *
 * Returns: (transfer full) (array zero-terminated=1): the directories
 * Since: 1.0
 */
char **
smtpcodes_registry_get_default_search_path (void)
{
  GPtrArray *dirs = g_ptr_array_new ();
  const char *env = g_getenv ("SMTPCODES_MODULE_PATH");
  const char *const *sys = g_get_system_data_dirs ();

  if (env && *env)
    {
      char **parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
      for (char **p = parts; *p; p++)
        if (**p)
          g_ptr_array_add (dirs, g_strdup (*p));
      g_strfreev (parts);
    }
  g_ptr_array_add (dirs, g_build_filename (g_get_user_data_dir (), "smtpcodes", "modules", NULL));
  for (; *sys; sys++)
    g_ptr_array_add (dirs, g_build_filename (*sys, "smtpcodes", "modules", NULL));
  /* the installed modules, unless the environment names the system data dirs itself */
  if (g_getenv ("XDG_DATA_DIRS") == NULL || *g_getenv ("XDG_DATA_DIRS") == '\0')
    g_ptr_array_add (dirs, g_strdup (SMTPCODES_MODULEDIR));
  /* drop repeats, keeping the first */
  for (guint i = 0; i < dirs->len; i++)
    for (guint j = i + 1; j < dirs->len;)
      if (g_str_equal (dirs->pdata[i], dirs->pdata[j]))
        g_free (g_ptr_array_steal_index (dirs, j));
      else
        j++;
  g_ptr_array_add (dirs, NULL);
  return (char **) g_ptr_array_free (dirs, FALSE);
}

typedef struct {
  SmtpcodesRegistry *self;
  SmtpcodesLoadFlags flags;
  GPtrArray         *rejected;
  GHashTable        *ids;     /* id -> module */
  guint              order;
  GError            *fatal;
  char              *buf;     /* for known_file, made on first use */
} Loader;

/* Adds a module that loaded, unless one with its Id came first. */
static gboolean
add_module (Loader *l, SmtpcodesModule *m, const char *filename, gboolean builtin)
{
  if (g_hash_table_contains (l->ids, m->id))
    {
      /* the first module with an Id wins: a file on the search path overrides the built-in one */
      if (!builtin)
        {
          const SmtpcodesModule *first = g_hash_table_lookup (l->ids, m->id);
          char *msg = g_strdup_printf ("%s: module '%s' is hidden by %s, found earlier on the search path",
                                       filename, m->id, first->filename);
          if (l->flags & SMTPCODES_LOAD_STRICT)
            {
              if (l->fatal == NULL)
                l->fatal = g_error_new_literal (SMTPCODES_ERROR, SMTPCODES_ERROR_DUPLICATE, msg);
              g_free (msg);
              return FALSE;
            }
          g_ptr_array_add (l->rejected, msg);
        }
      return FALSE;
    }
  m->order = l->order++;
  g_hash_table_insert (l->ids, (gpointer) m->id, m);
  g_ptr_array_add (l->self->modules, m);
  return TRUE;
}

/* data: from g_malloc, NUL at data[len]; the registry's arena takes it */
static gboolean
load_data (Loader *l, char *data, gsize len, const char *filename, gboolean builtin)
{
  GError *error = NULL;
  SmtpcodesModule *m;

  _smtpcodes_arena_adopt (&l->self->arena, data);
  m = _smtpcodes_module_parse (data, len, filename, builtin, l->flags, &l->self->arena, &error);
  if (m == NULL)
    {
      if (l->flags & SMTPCODES_LOAD_STRICT)
        {
          if (l->fatal == NULL)
            l->fatal = error;
          else
            g_error_free (error);
          return FALSE;
        }
      g_ptr_array_add (l->rejected, g_strdup (error->message));
      g_error_free (error);
      return FALSE;
    }
  return add_module (l, m, filename, builtin);
}

static SmtpcodesModule *precompiled_module (SmtpcodesArena *arena, const SmtpcodesBuiltin *b, const char *filename);

/* The precompiled form of a module file of a shipped one's length and digest
 * (smtpcodes-builtin.h), if its name would pass the parser's check (a NAME.codes file holds
 * module NAME): the parser would make the same of it. NULL: parse it. */
static const SmtpcodesBuiltin *
known_content (gsize len, guint64 digest, const char *path)
{
  for (const SmtpcodesKnown *k = _smtpcodes_known; k->module; k++)
    if (k->len == len && k->digest == digest)
      {
        const char *base = strrchr (path, '/');
        gsize n, id_len = strlen (k->module->id);
        base = base ? base + 1 : path;
        n = strlen (base);
        if (n >= 6 && memcmp (base + n - 6, ".codes", 6) == 0
            && (n - 6 != id_len || memcmp (base, k->module->id, id_len) != 0))
          return NULL;   /* the parser says which name it expects */
        return k->module;
      }
  return NULL;
}

#define KNOWN_BUF_SIZE 65536

/* The shipped module whose file path is (known content), or NULL: parse it (and a file that
 * cannot be opened or read is reported by the parse path's read). Only a regular file of a
 * shipped one's length is read, through one small buffer: a shipped file loads without a
 * copy of its bytes in memory. read(), not mmap(): a mapped file that is cut short while it
 * is hashed raises SIGBUS; read() only sees other bytes, or fewer, and those are what is
 * hashed and counted, so a file that changes under us is either the shipped one, byte for
 * byte as read, or parsed. */
static const SmtpcodesBuiltin *
known_file (Loader *l, const char *path)
{
  const SmtpcodesKnown *k;
  SmtpcodesDigest d;
  struct stat st;
  guint64 total = 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    goto no;
  for (k = _smtpcodes_known; k->module && (guint64) k->len != (guint64) st.st_size; k++)
    ;
  if (k->module == NULL)
    goto no;
  if (l->buf == NULL)
    l->buf = g_malloc (KNOWN_BUF_SIZE);
  _smtpcodes_digest_init (&d);
  for (;;)
    {
      /* one byte more than is left: a file that grew shows, and one that did not ends in a
       * short read, without a read() of nothing to say so */
      gsize want = (gsize) MIN ((guint64) KNOWN_BUF_SIZE, (guint64) st.st_size - total + 1);
      ssize_t n = read (fd, l->buf, want);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto no;
      total += (guint64) n;
      if (total > (guint64) st.st_size)
        goto no;   /* it grew: parse what is there then */
      _smtpcodes_digest_update (&d, l->buf, (gsize) n);
      if ((gsize) n < want)
        break;     /* the end (a regular file reads short only there) */
    }
  close (fd);
  if (total != (guint64) st.st_size)
    return NULL;
  return known_content ((gsize) total, _smtpcodes_digest_finish (&d), path);
no:
  close (fd);
  return NULL;
}

static void
load_file (Loader *l, const char *path)
{
  char *data = NULL;
  gsize len = 0;
  GError *error = NULL;
  const SmtpcodesBuiltin *b = known_file (l, path);

  if (b)
    {
      add_module (l, precompiled_module (&l->self->arena, b, path), path, FALSE);
      return;
    }
  if (!g_file_get_contents (path, &data, &len, &error))
    {
      char *msg = g_strdup_printf ("%s: cannot read: %s", path, error->message);
      if (l->flags & SMTPCODES_LOAD_STRICT)
        {
          if (l->fatal == NULL)
            l->fatal = g_error_new_literal (SMTPCODES_ERROR, SMTPCODES_ERROR_IO, msg);
        }
      else
        g_ptr_array_add (l->rejected, g_strdup (msg));
      g_free (msg);
      g_error_free (error);
      return;
    }
  load_data (l, data, len, path, FALSE);
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* opendir(), not g_dir_open(): most directories of the search path do not exist, and
 * g_dir_open() words an error message for each even when no one asks for it, which loads
 * iconv's configuration (g_strerror() converts to UTF-8) and reads charset.alias. */
static void
load_dir (Loader *l, const char *dir)
{
  DIR *d = opendir (dir);
  GPtrArray *names;
  struct dirent *de;

  if (d == NULL)
    return;   /* a directory on the search path that does not exist is normal */
  names = g_ptr_array_new_with_free_func (g_free);
  while ((de = readdir (d)))
    if (g_str_has_suffix (de->d_name, ".codes") && de->d_name[0] != '.')
      g_ptr_array_add (names, g_strdup (de->d_name));
  closedir (d);
  g_ptr_array_sort (names, cmp_str);
  for (guint i = 0; i < names->len && !l->fatal; i++)
    {
      char *path = g_build_filename (dir, names->pdata[i], NULL);
      load_file (l, path);
      g_free (path);
    }
  g_ptr_array_unref (names);
}

/* Room in the arena that the caller fills entirely: a large block is not zeroed first (as
 * _smtpcodes_arena_alloc's are), which was half the cost of making a module. */
static gpointer
arena_alloc_filled (SmtpcodesArena *arena, gsize size)
{
  gpointer p;
  if (size <= 4096)
    return _smtpcodes_arena_alloc (arena, size);
  p = g_malloc (size);
  _smtpcodes_arena_adopt (arena, p);
  return p;
}

/* A module from what gen-builtin made of it: pointers back from offsets; the text stays
 * where it is, in the library's read-only data. filename: the file it was read from
 * (known content), NULL for a built-in module. */
static SmtpcodesModule *
precompiled_module (SmtpcodesArena *arena, const SmtpcodesBuiltin *b, const char *filename)
{
  const char *blob = b->blob;
  const char **ptrs = arena_alloc_filled (arena, MAX (b->n_ptrs, 1) * sizeof (char *));
  SmtpcodesModule *m = _smtpcodes_arena_alloc (arena, sizeof *m);
  char label[64];

#define STR(off) ((off) == SMTPCODES_BUILTIN_NONE ? NULL : blob + (off))
#define ARR(off) ((off) == SMTPCODES_BUILTIN_NONE ? NULL : (const char *const *) &ptrs[off])
#define L10N(off) ((SmtpcodesL10n) { .offs = (off) == SMTPCODES_BUILTIN_NONE ? NULL : &b->l10n[off] })
  for (guint32 i = 0; i < b->n_ptrs; i++)
    ptrs[i] = STR (b->ptrs[i]);
  if (filename == NULL)
    g_snprintf (label, sizeof label, "builtin:%s.codes", b->id);
  m->id = STR (b->mod_id);
  m->kind = STR (b->kind);
  m->rank = (ModuleRank) b->rank;
  m->version = STR (b->version);
  m->filename = filename ? _smtpcodes_arena_strndup (arena, filename, strlen (filename))
                         : _smtpcodes_arena_strndup (arena, label, strlen (label));
  m->builtin = filename == NULL;
  m->precompiled = b;
  m->name = L10N (b->name);
  m->description = L10N (b->description);
  m->detect_text = ARR (b->detect_text);
  m->detect_host = ARR (b->detect_host);
  m->n_entries = b->n_entries;
  /* every field is set below (registry: by freeze) */
  m->entries = arena_alloc_filled (arena, MAX (b->n_entries, 1) * sizeof (SmtpcodesEntry));
  for (guint32 i = 0; i < b->n_entries; i++)
    {
      const SmtpcodesBuiltinEntry *be = &b->entries[i];
      SmtpcodesEntry *e = &m->entries[i];
      e->module = m;
      e->kind = (SmtpcodesEntryKind) be->kind;
      e->code = STR (be->code);
      e->reply = (int) be->reply;
      e->status = STR (be->status);
      e->status_key = be->status_key;
      e->command = STR (be->command);
      e->klass = (SmtpcodesClass) be->klass;
      e->reason = be->reason;
      e->generic = (gboolean) be->generic;
      e->retry = (gboolean) be->retry;
      e->retry_set = (gboolean) be->retry_set;
      e->priority = be->priority;
      e->classes = be->classes;
      e->source = STR (be->source);
      e->usage = STR (be->usage);
      e->related = ARR (be->related);
      e->commands = ARR (be->commands);
      e->markers = ARR (be->markers);
      e->aliases = ARR (be->aliases);
      e->obsoleted_by = STR (be->obsoleted_by);
      e->summary = L10N (be->summary);
      e->explanation = L10N (be->explanation);
      e->advice = L10N (be->advice);
      e->line = be->line;
    }
#undef STR
#undef ARR
#undef L10N
  return m;
}

static void
load_builtins (Loader *l)
{
  for (const SmtpcodesBuiltin *const *bp = _smtpcodes_builtin; *bp && !l->fatal; bp++)
    {
      const SmtpcodesBuiltin *b = *bp;
      SmtpcodesModule *m;
      /* the first module with an Id wins: a file on the search path overrides the built-in
       * one (gen-builtin checked that a built-in module's Id is its file name) */
      if (g_hash_table_contains (l->ids, b->id))
        continue;
      m = precompiled_module (&l->self->arena, b, NULL);
      m->order = l->order++;
      g_hash_table_insert (l->ids, (gpointer) m->id, m);
      g_ptr_array_add (l->self->modules, m);
    }
}

static int
cmp_module (gconstpointer a, gconstpointer b)
{
  const SmtpcodesModule *ma = *(const SmtpcodesModule *const *) a;
  const SmtpcodesModule *mb = *(const SmtpcodesModule *const *) b;
  if (ma->rank != mb->rank)
    return (int) ma->rank - (int) mb->rank;
  return (int) ma->order - (int) mb->order;
}

/* The slot of key, or the empty slot where it goes (Fibonacci hashing: the product's top
 * bits). */
static inline SmtpcodesIndexSlot *
index_slot (SmtpcodesIndexSlot *index, guint32 mask, guint shift, guint32 key)
{
  guint32 h = (key * 0x9E3779B1u) >> shift;
  for (;; h++)
    {
      SmtpcodesIndexSlot *slot = &index[h & mask];
      if (slot->key == key || slot->key == 0)
        return slot;
    }
}

const SmtpcodesIndexSlot *
_smtpcodes_registry_find (const SmtpcodesRegistry *self, guint32 key)
{
  const SmtpcodesIndexSlot *slot = index_slot (self->index_slots, self->index_mask, self->index_shift, key);
  return slot->key ? slot : NULL;
}

typedef struct {
  guint32               key;
  const SmtpcodesEntry *entry;
} IndexPair;

/* The index from (key, entry) pairs in module order. */
static void
index_build (SmtpcodesRegistry *self, const IndexPair *pairs, guint n)
{
  guint32 size = 16, start = 0;
  guint32 *fill;

  self->index_shift = 32 - 4;
  while (size < 2 * n)
    {
      size *= 2;
      self->index_shift--;
    }
  self->index_mask = size - 1;
  self->index_slots = g_new0 (SmtpcodesIndexSlot, size);
  self->index = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->index_entries = g_new (const SmtpcodesEntry *, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      SmtpcodesIndexSlot *slot = index_slot (self->index_slots, self->index_mask, self->index_shift, pairs[i].key);
      slot->key = pairs[i].key;
      slot->n++;
    }
  for (guint32 h = 0; h < size; h++)
    if (self->index_slots[h].key)
      {
        self->index_slots[h].start = start;
        start += self->index_slots[h].n;
      }
  fill = g_new0 (guint32, size);
  for (guint i = 0; i < n; i++)
    {
      SmtpcodesIndexSlot *slot = index_slot (self->index_slots, self->index_mask, self->index_shift, pairs[i].key);
      guint32 k = fill[slot - self->index_slots]++;
      ModuleRank rank = pairs[i].entry->module->rank;
      self->index_entries[slot->start + k] = pairs[i].entry;
      /* module order is rank order */
      if (rank == KIND_SITE)
        slot->n_site = k + 1;
      if (rank != KIND_STANDARD)
        slot->std_start = k + 1;
      if ((pairs[i].key & 0xC0000000u) == 0x80000000u)
        {
          /* a KEY_REPLY list, for the GHashTable too */
          GPtrArray *list = g_hash_table_lookup (self->index, GUINT_TO_POINTER (pairs[i].key));
          if (list == NULL)
            g_hash_table_insert (self->index, GUINT_TO_POINTER (pairs[i].key), list = g_ptr_array_new ());
          g_ptr_array_add (list, (gpointer) pairs[i].entry);
        }
    }
  g_free (fill);
}

gboolean
_smtpcodes_is_code_byte (char c)
{
  return (c >= '0' && c <= '9') || c == '.' || c == 'x' || c == 'X' || c == '-' || c == ' ' || c == '\t'
         || c == '\r' || c == '\n';
}

/* Can the marker occur in a bare code? */
static gboolean
is_code_marker (const char *marker)
{
  for (const char *q = marker; *q; q++)
    if (!_smtpcodes_is_code_byte (*q))
      return FALSE;
  return TRUE;
}

static void
code_marker_add (SmtpcodesRegistry *self, const char *marker, guint tag, gconstpointer payload)
{
  SmtpcodesMatch *m;
  if ((self->n_code_markers & (self->n_code_markers + 1)) == 0)
    self->code_markers = g_renew (SmtpcodesMatch, self->code_markers, 2 * self->n_code_markers + 1);
  m = &self->code_markers[self->n_code_markers++];
  m->payload = payload;
  m->length = (guint) strlen (marker);
  m->tag = tag;
  m->marker = marker;
}

/* The first precomputed automaton (smtpcodes-builtin.h) whose modules are the last ones of
 * the registry, each made from its precompiled form, in an order that keeps the report
 * order of their shared markers; pos[k] is then where its module k is. NULL if none. */
static const SmtpcodesPrecomputed *
precomputed_tail (SmtpcodesRegistry *self, guint **pos_out)
{
  guint len = self->modules->len;
  for (const SmtpcodesPrecomputed *pc = _smtpcodes_precomputed; pc->modules; pc++)
    {
      guint n = pc->n_modules, *pos;
      gboolean ok = TRUE;
      if (pc->automaton == NULL || n == 0 || n > len)
        continue;
      pos = g_new (guint, n);
      /* n modules each the one of a different k (the registry's Ids differ): all of them */
      for (guint i = len - n; i < len && ok; i++)
        {
          const SmtpcodesModule *m = self->modules->pdata[i];
          guint k = 0;
          while (k < n && (gconstpointer) pc->modules[k] != m->precompiled)
            k++;
          if (k == n)
            ok = FALSE;
          else
            pos[k] = i;
        }
      for (guint j = 0; ok && j < pc->n_before; j++)
        if (pos[pc->before[j][0]] > pos[pc->before[j][1]])
          ok = FALSE;
      if (ok)
        {
          *pos_out = pos;
          return pc;
        }
      g_free (pos);
    }
  return NULL;
}

/* What the precomputed automaton's markers report in this registry, in its numbering:
 * module by module (pc's order) as matcher_make adds them. NULL if the count does not
 * agree. */
static SmtpcodesMatch *
precomputed_matches (SmtpcodesRegistry *self, const SmtpcodesPrecomputed *pc, const guint *pos)
{
  guint32 n = pc->automaton->n_outs, k = 0;
  SmtpcodesMatch *v = g_new (SmtpcodesMatch, MAX (n, 1));
  for (guint i = 0; i < pc->n_modules; i++)
    {
      const SmtpcodesModule *m = self->modules->pdata[pos[i]];
      for (guint j = 0; j < m->n_entries; j++)
        {
          const SmtpcodesEntry *e = &m->entries[j];
          if (e->kind == SMTPCODES_ENTRY_PATTERN)
            for (guint q = 0; e->markers[q]; q++)
              {
                if (k == n)
                  goto mismatch;
                v[k++] = (SmtpcodesMatch) { e, (guint) strlen (e->markers[q]), SMTPCODES_TAG_PATTERN, e->markers[q] };
              }
        }
      for (guint q = 0; m->detect_text && m->detect_text[q]; q++)
        {
          if (k == n)
            goto mismatch;
          v[k++] = (SmtpcodesMatch) { m, (guint) strlen (m->detect_text[q]), SMTPCODES_TAG_VENDOR, m->detect_text[q] };
        }
    }
  if (k == n)
    return v;
mismatch:
  g_free (v);
  return NULL;
}

/* Every marker into the automaton, in the order of the registry: patterns and vendor
 * markers module by module, then the grammar cues (the order of outputs follows it). When
 * the modules end with shipped ones that gen-builtin made an automaton for (the built-in
 * ones; or all of them, as installed), their markers are in it already, and only the
 * others' and the cues go into the one built here. */
static SmtpcodesMatcher *
matcher_make (SmtpcodesRegistry *self)
{
  SmtpcodesMatcher *matcher = _smtpcodes_matcher_new ();
  guint *pos = NULL, n_own = self->modules->len;
  const SmtpcodesPrecomputed *pc = precomputed_tail (self, &pos);
  SmtpcodesMatch *base = pc ? precomputed_matches (self, pc, pos) : NULL;

  g_free (pos);
  if (base)
    n_own -= pc->n_modules;
  for (guint i = 0; i < n_own; i++)
    {
      const SmtpcodesModule *m = self->modules->pdata[i];
      for (guint j = 0; j < m->n_entries; j++)
        {
          const SmtpcodesEntry *e = &m->entries[j];
          if (e->kind == SMTPCODES_ENTRY_PATTERN)
            for (guint k = 0; e->markers[k]; k++)
              _smtpcodes_matcher_add (matcher, e->markers[k], SMTPCODES_TAG_PATTERN, e);
        }
      for (guint k = 0; m->detect_text && m->detect_text[k]; k++)
        _smtpcodes_matcher_add (matcher, m->detect_text[k], SMTPCODES_TAG_VENDOR, m);
    }
  if (base)
    _smtpcodes_matcher_set_base (matcher, pc->automaton, base);
  for (guint i = 0; i < _smtpcodes_reply_n_cues (); i++)
    _smtpcodes_matcher_add (matcher, _smtpcodes_reply_cue (i), SMTPCODES_TAG_CUE, GUINT_TO_POINTER (i));
  _smtpcodes_matcher_build (matcher);
  return matcher;
}

/* The automaton, built by the first caller; the registry stays safe to share: the
 * modules it reads are frozen, and g_once publishes it. */
const SmtpcodesMatcher *
_smtpcodes_registry_get_matcher (SmtpcodesRegistry *reg)
{
  if (g_once_init_enter (&reg->matcher))
    g_once_init_leave (&reg->matcher, matcher_make (reg));
  return reg->matcher;
}

static inline char
ascii_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
}

/* The commands' spellings by first letter (a counting sort, so each letter keeps the
 * order of the list). */
static void
spellings_build (SmtpcodesRegistry *self)
{
  guint32 n = 0, *at = g_new0 (guint32, 257), *fill;
  for (guint i = 0; i < self->commands->len; i++)
    {
      const SmtpcodesEntry *e = self->commands->pdata[i];
      at[(guint8) ascii_lower (e->code[0]) + 1]++;
      for (guint k = 0; e->aliases && e->aliases[k]; k++)
        at[(guint8) ascii_lower (e->aliases[k][0]) + 1]++;
    }
  for (guint b = 0; b < 256; b++)
    at[b + 1] += at[b];
  n = at[256];
  self->spellings = g_malloc (MAX (n, 1) * sizeof *self->spellings);
  fill = g_new (guint32, 256);
  memcpy (fill, at, 256 * sizeof (guint32));
  for (guint i = 0; i < self->commands->len; i++)
    {
      const SmtpcodesEntry *e = self->commands->pdata[i];
      guint32 k = fill[(guint8) ascii_lower (e->code[0])]++;
      self->spellings[k].entry = e;
      self->spellings[k].spelling = e->code;
      for (guint j = 0; e->aliases && e->aliases[j]; j++)
        {
          k = fill[(guint8) ascii_lower (e->aliases[j][0])]++;
          self->spellings[k].entry = e;
          self->spellings[k].spelling = e->aliases[j];
        }
    }
  g_free (fill);
  self->spelling_at = at;
}

static void
freeze (SmtpcodesRegistry *self)
{
  guint n_all = 0, n_pairs = 0;
  IndexPair *pairs;

  g_ptr_array_sort (self->modules, cmp_module);
  for (guint i = 0; i < self->modules->len; i++)
    n_all += ((SmtpcodesModule *) self->modules->pdata[i])->n_entries;
  pairs = g_new (IndexPair, MAX (n_all, 1));
  self->cmd_entries = g_new (const SmtpcodesEntry *, MAX (n_all, 1));
  self->patterns = g_ptr_array_new ();
  self->commands = g_ptr_array_new ();
  for (guint i = 0; i < self->modules->len; i++)
    {
      SmtpcodesModule *m = self->modules->pdata[i];
      m->order = i;   /* from now on: the position in the sorted list */
      for (guint j = 0; j < m->n_entries; j++)
        {
          SmtpcodesEntry *e = &m->entries[j];
          e->registry = self;
          switch (e->kind)
            {
            case SMTPCODES_ENTRY_REPLY:
              if (e->status)
                pairs[n_pairs++] = (IndexPair) { KEY_PAIR (e->reply, e->status_key), e };
              else if (e->command)
                self->cmd_entries[self->n_cmd_entries++] = e;
              else
                pairs[n_pairs++] = (IndexPair) { KEY_REPLY (e->reply), e };
              break;
            case SMTPCODES_ENTRY_STATUS:
              pairs[n_pairs++] = (IndexPair) { KEY_STATUS (e->status_key), e };
              break;
            case SMTPCODES_ENTRY_COMMAND:
              if (smtpcodes_registry_lookup_command (self, e->code) == NULL)
                g_ptr_array_add (self->commands, e);
              break;
            case SMTPCODES_ENTRY_PATTERN:
              g_ptr_array_add (self->patterns, e);
              for (guint k = 0; e->markers[k]; k++)
                if (is_code_marker (e->markers[k]))
                  code_marker_add (self, e->markers[k], SMTPCODES_TAG_PATTERN, e);
              break;
            default:
              g_assert_not_reached ();
            }
        }
      for (guint k = 0; m->detect_text && m->detect_text[k]; k++)
        if (is_code_marker (m->detect_text[k]))
          code_marker_add (self, m->detect_text[k], SMTPCODES_TAG_VENDOR, m);
    }
  index_build (self, pairs, n_pairs);
  g_free (pairs);
  spellings_build (self);
}

static SmtpcodesRegistry *
registry_build (const char * const *dirs, const char * const *files,
                SmtpcodesLoadFlags flags, GError **error)
{
  SmtpcodesRegistry *self = g_new0 (SmtpcodesRegistry, 1);
  Loader l = { self, flags, g_ptr_array_new (), g_hash_table_new (g_str_hash, g_str_equal), 0, NULL, NULL };

  self->ref_count = 1;
  _smtpcodes_arena_init (&self->arena);
  self->modules = g_ptr_array_new ();
  for (guint i = 0; files && files[i] && !l.fatal; i++)
    load_file (&l, files[i]);
  for (guint i = 0; dirs && dirs[i] && !l.fatal; i++)
    load_dir (&l, dirs[i]);
  if (!(flags & SMTPCODES_LOAD_NO_BUILTIN) && !l.fatal)
    load_builtins (&l);
  g_hash_table_unref (l.ids);
  g_free (l.buf);
  g_ptr_array_add (l.rejected, NULL);
  self->rejected = (char **) g_ptr_array_free (l.rejected, FALSE);
  if (l.fatal)
    {
      g_propagate_error (error, l.fatal);
      smtpcodes_registry_unref (self);
      return NULL;
    }
  freeze (self);
  return self;
}

/**
 * smtpcodes_registry_new:
 * @search_path: (nullable) (array zero-terminated=1): directories to load `*.codes` modules
 *   from, in order; %NULL for smtpcodes_registry_get_default_search_path()
 * @flags: how to load
 * @error: return location for a #GError
 *
 * Loads the built-in modules (unless %SMTPCODES_LOAD_NO_BUILTIN) and every module on the
 * search path into a new, immutable registry. The first module with a given Id wins, so a
 * module on the search path replaces a built-in one of the same Id. A module that fails to
 * load is skipped and listed by smtpcodes_registry_get_rejected(); with
 * %SMTPCODES_LOAD_STRICT it makes the whole call fail.
 *
 * Returns: (transfer full) (nullable): the registry, or %NULL with @error set
 * Since: 1.0
 */
SmtpcodesRegistry *
smtpcodes_registry_new (const char * const *search_path,
                        SmtpcodesLoadFlags   flags,
                        GError             **error)
{
  SmtpcodesRegistry *r;
  char **dflt = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (search_path == NULL)
    search_path = (const char * const *) (dflt = smtpcodes_registry_get_default_search_path ());
  r = registry_build (search_path, NULL, flags, error);
  g_strfreev (dflt);
  return r;
}

/**
 * smtpcodes_registry_new_from_files:
 * @files: (array zero-terminated=1): module files to load, in order
 * @flags: how to load
 * @error: return location for a #GError
 *
 * Like smtpcodes_registry_new(), but loads exactly the named module files (plus the
 * built-in modules unless %SMTPCODES_LOAD_NO_BUILTIN) and searches no directory.
 *
 * Returns: (transfer full) (nullable): the registry, or %NULL with @error set
 * Since: 1.0
 */
SmtpcodesRegistry *
smtpcodes_registry_new_from_files (const char * const *files,
                                   SmtpcodesLoadFlags   flags,
                                   GError             **error)
{
  g_return_val_if_fail (files != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return registry_build (NULL, files, flags, error);
}

/**
 * smtpcodes_registry_get_default:
 *
 * The process-wide registry: built-in modules plus the default search path, loaded
 * leniently on first use. It lives until the process ends.
 *
 * Returns: (transfer none): the default registry
 * Since: 1.0
 */
SmtpcodesRegistry *
smtpcodes_registry_get_default (void)
{
  static SmtpcodesRegistry *dflt;

  if (g_once_init_enter (&dflt))
    {
      SmtpcodesRegistry *r = smtpcodes_registry_new (NULL, SMTPCODES_LOAD_DEFAULT, NULL);
      g_once_init_leave (&dflt, r);
    }
  return dflt;
}

/**
 * smtpcodes_registry_validate_file:
 * @filename: a module file
 * @flags: %SMTPCODES_LOAD_STRICT to treat a missing German text as an error
 * @error: return location for a #GError
 *
 * Checks one module file without loading it into any registry.
 *
 * Returns: %TRUE if the module is valid
 * Since: 1.0
 */
gboolean
smtpcodes_registry_validate_file (const char         *filename,
                                  SmtpcodesLoadFlags  flags,
                                  GError            **error)
{
  SmtpcodesArena arena;
  char *data = NULL;
  gsize len = 0;
  GError *local = NULL;
  SmtpcodesModule *m;

  g_return_val_if_fail (filename != NULL, FALSE);
  if (!g_file_get_contents (filename, &data, &len, &local))
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO, "%s: cannot read: %s",
                   filename, local->message);
      g_error_free (local);
      return FALSE;
    }
  _smtpcodes_arena_init (&arena);
  _smtpcodes_arena_adopt (&arena, data);
  m = _smtpcodes_module_parse (data, len, filename, FALSE, flags, &arena, error);
  _smtpcodes_arena_clear (&arena);
  return m != NULL;
}

/**
 * smtpcodes_registry_get_modules:
 * @self: a #SmtpcodesRegistry
 *
 * The loaded modules, in look-up order: site modules, vendor modules, standard modules.
 *
 * Returns: (transfer container) (element-type SmtpcodesModule): the modules
 * Since: 1.0
 */
GPtrArray *
smtpcodes_registry_get_modules (SmtpcodesRegistry *self)
{
  GPtrArray *out;
  g_return_val_if_fail (self != NULL, NULL);
  out = g_ptr_array_sized_new (self->modules->len);
  for (guint i = 0; i < self->modules->len; i++)
    g_ptr_array_add (out, self->modules->pdata[i]);
  return out;
}

/**
 * smtpcodes_registry_get_module:
 * @self: a #SmtpcodesRegistry
 * @id: a module id such as "standard" or "exchange"
 *
 * Returns: (transfer none) (nullable): the module, or %NULL if none has that id
 * Since: 1.0
 */
const SmtpcodesModule *
smtpcodes_registry_get_module (SmtpcodesRegistry *self, const char *id)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  for (guint i = 0; i < self->modules->len; i++)
    if (g_str_equal (((SmtpcodesModule *) self->modules->pdata[i])->id, id))
      return self->modules->pdata[i];
  return NULL;
}

const SmtpcodesModule *
_smtpcodes_registry_find_vendor (SmtpcodesRegistry *self, const char *id)
{
  return id ? smtpcodes_registry_get_module (self, id) : NULL;
}

/**
 * smtpcodes_registry_get_rejected:
 * @self: a #SmtpcodesRegistry
 *
 * Why modules on the search path were skipped: one message per module, naming file,
 * line and key.
 *
 * Returns: (transfer none) (array zero-terminated=1): the messages; empty if none
 * Since: 1.0
 */
const char * const *
smtpcodes_registry_get_rejected (SmtpcodesRegistry *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->rejected;
}

/**
 * smtpcodes_registry_is_reason:
 * @reason: a string
 *
 * Returns: whether @reason is a name of the reason vocabulary (docs/module-format.md)
 * Since: 1.0
 */
gboolean
smtpcodes_registry_is_reason (const char *reason)
{
  return reason && _smtpcodes_reason_index (reason, -1) >= 0;
}

/**
 * smtpcodes_registry_list_reasons:
 *
 * Returns: (transfer none) (array zero-terminated=1): the reason vocabulary
 * Since: 1.0
 */
const char * const *
smtpcodes_registry_list_reasons (void)
{
  return (const char * const *) _smtpcodes_reasons;
}

/* ---- look-up ------------------------------------------------------------------------- */

static gboolean
parse_reply3 (const char *s, gsize len, int *code)
{
  if (len != 3 || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
    return FALSE;
  *code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  return *code >= 100 && *code <= 599;
}

gboolean
_smtpcodes_query_parse (SmtpcodesQuery *q, const char *code, GError **error)
{
  const char *s = code, *sp;
  gsize len;

  memset (q, 0, sizeof *q);
  while (*s == ' ' || *s == '\t')
    s++;
  len = strlen (s);
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
    len--;
  sp = memchr (s, ' ', len);
  if (sp == NULL)
    sp = memchr (s, '-', len) && len > 4 && s[3] == '-' ? s + 3 : NULL;
  if (sp)
    {
      const char *t = sp + 1;
      gsize tlen;
      while (*t == ' ')
        t++;
      tlen = len - (gsize) (t - s);
      if (!parse_reply3 (s, (gsize) (sp - s), &q->reply) || tlen == 0)
        goto bad;
      if (_smtpcodes_parse_status (t, tlen, TRUE, &q->sc, &q->ss, &q->sd))
        {
          q->has_status = TRUE;
          if (tlen >= sizeof q->status)
            goto bad;
          memcpy (q->status, t, tlen);
          q->status[tlen] = '\0';
          return TRUE;
        }
      /* "250 ETRN": the meaning of a reply code for one command */
      if (tlen < sizeof q->command_buf && g_ascii_isalpha (t[0]))
        {
          for (gsize k = 0; k < tlen; k++)
            {
              if (!g_ascii_isalnum (t[k]) && t[k] != '-')
                goto bad;
              q->command_buf[k] = g_ascii_toupper (t[k]);
            }
          q->command_buf[tlen] = '\0';
          q->command = q->command_buf;
          return TRUE;
        }
      goto bad;
    }
  if (parse_reply3 (s, len, &q->reply))
    return TRUE;
  if (len < sizeof q->status && _smtpcodes_parse_status (s, len, TRUE, &q->sc, &q->ss, &q->sd))
    {
      q->has_status = TRUE;
      memcpy (q->status, s, len);
      q->status[len] = '\0';
      return TRUE;
    }
bad:
  g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE,
               "'%s' is not a code: expected a reply code such as 550, a status code such as 5.7.1 or 5.1.x, both (550 5.7.1), or a reply code and a command (250 ETRN)",
               code);
  return FALSE;
}

void
_smtpcodes_entry_vec_grow (SmtpcodesEntryVec *ev)
{
  guint cap = ev->cap * 2;
  const SmtpcodesEntry **v = g_new (const SmtpcodesEntry *, cap);
  memcpy (v, ev->v, ev->len * sizeof *v);
  if (ev->v != ev->buf)
    g_free (ev->v);
  ev->v = v;
  ev->cap = cap;
}

/* A list of entries in module order: site entries first (n_site), then vendors', then
 * standard ones from std_start. */
typedef struct {
  const SmtpcodesEntry *const *v;
  guint n, n_site, std_start;
} List;

/* Adds the list of key to lists (an empty one if the key has none). */
static inline void
find (SmtpcodesRegistry *self, guint32 key, List *lists, guint *n)
{
  const SmtpcodesIndexSlot *slot = _smtpcodes_registry_find (self, key);
  List *l = &lists[(*n)++];
  if (slot)
    {
      l->v = self->index_entries + slot->start;
      l->n = slot->n;
      l->n_site = slot->n_site;
      l->std_start = slot->std_start;
    }
  else
    l->n = l->n_site = l->std_start = 0;
}

/* Appends the entries of the lists, module by module in the order site, requested vendor,
 * standard, other vendors (only when no vendor was requested), each in list order. */
static void
append_ordered (SmtpcodesEntryVec *out, const List *lists, guint n, const SmtpcodesModule *vendor)
{
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < lists[i].n_site; j++)
      _smtpcodes_entry_vec_push (out, lists[i].v[j]);
  if (vendor)
    for (guint i = 0; i < n; i++)
      for (guint j = 0; j < lists[i].n; j++)
        if (lists[i].v[j]->module == vendor)
          _smtpcodes_entry_vec_push (out, lists[i].v[j]);
  for (guint i = 0; i < n; i++)
    for (guint j = lists[i].std_start; j < lists[i].n; j++)
      _smtpcodes_entry_vec_push (out, lists[i].v[j]);
  if (vendor == NULL)
    for (guint i = 0; i < n; i++)
      for (guint j = lists[i].n_site; j < lists[i].std_start; j++)
        _smtpcodes_entry_vec_push (out, lists[i].v[j]);
}

void
_smtpcodes_registry_collect (SmtpcodesRegistry *self, const SmtpcodesQuery *q,
                             const SmtpcodesModule *vendor, gboolean fallback,
                             SmtpcodesEntryVec *out)
{
  List lists[8];
  guint n = 0;
  gboolean concrete = q->has_status && q->sc != STATUS_CLASS_X && q->ss != STATUS_ANY_SUBJECT
                      && q->sd != STATUS_ANY_DETAIL;
  gboolean have_status = FALSE;
  SmtpcodesEntryVec cmd;

  _smtpcodes_entry_vec_init (&cmd);
  if (q->reply && concrete)
    find (self, KEY_PAIR (q->reply, status_key_make (q->sc, q->ss, q->sd)), lists, &n);
  if (q->reply && q->command)
    {
      /* [Reply 250 ETRN] entries are few: a scan, in module order */
      List *l = &lists[n++];
      l->n_site = l->std_start = 0;
      for (guint i = 0; i < self->n_cmd_entries; i++)
        {
          const SmtpcodesEntry *e = self->cmd_entries[i];
          if (e->reply == q->reply && strcmp (e->command, q->command) == 0)
            {
              _smtpcodes_entry_vec_push (&cmd, e);
              if (e->module->rank == KIND_SITE)
                l->n_site = cmd.len;
              if (e->module->rank != KIND_STANDARD)
                l->std_start = cmd.len;
            }
        }
      l->v = cmd.v;
      l->n = cmd.len;
    }
  if (q->has_status)
    {
      find (self, KEY_STATUS (status_key_make (q->sc, q->ss, q->sd)), lists, &n);
      if (q->sc != STATUS_CLASS_X)
        find (self, KEY_STATUS (status_key_make (STATUS_CLASS_X, q->ss, q->sd)), lists, &n);
      have_status = lists[n - 1].n || (q->sc != STATUS_CLASS_X && lists[n - 2].n);
    }
  if (q->reply)
    find (self, KEY_REPLY (q->reply), lists, &n);
  append_ordered (out, lists, n, vendor);
  _smtpcodes_entry_vec_clear (&cmd);

  /* RFC 3463 fallback: an unknown X.S.D is explained by its subject, then its class. */
  if (q->has_status && !have_status && fallback)
    {
      n = 0;
      if (q->ss != STATUS_ANY_SUBJECT)
        {
          if (q->sc != STATUS_CLASS_X)
            find (self, KEY_STATUS (status_key_make (q->sc, q->ss, STATUS_ANY_DETAIL)), lists, &n);
          find (self, KEY_STATUS (status_key_make (STATUS_CLASS_X, q->ss, STATUS_ANY_DETAIL)), lists, &n);
        }
      if (q->sc != STATUS_CLASS_X)
        find (self, KEY_STATUS (status_key_make (q->sc, STATUS_ANY_SUBJECT, STATUS_ANY_DETAIL)), lists, &n);
      append_ordered (out, lists, n, vendor);
    }
}

/* The entries of one index key (none: n = 0). */
const SmtpcodesEntry *const *
_smtpcodes_registry_list_of (SmtpcodesRegistry *self, guint32 key, guint *n)
{
  const SmtpcodesIndexSlot *slot = _smtpcodes_registry_find (self, key);
  *n = slot ? slot->n : 0;
  return slot ? self->index_entries + slot->start : NULL;
}

/**
 * smtpcodes_registry_lookup:
 * @self: a #SmtpcodesRegistry
 * @vendor: (nullable): a vendor module id such as "exchange", or %NULL for any
 * @code: "550", "5.7.1", "550 5.7.1", a wildcard such as "5.1.x", or a reply code with the
 *   command it answered ("250 ETRN")
 * @error: return location for a #GError
 *
 * Collects every meaning of @code, most specific first: the pair, then the status code
 * (concrete class, then the X. registry entry), then the reply code. Within each, site
 * modules come first, then @vendor, then the standard modules; with no @vendor, the
 * meanings vendors give follow the standard ones. A status code the registry does not
 * enumerate falls back to its subject (X.S.XXX), then its class (C.XXX.XXX).
 *
 * A code nobody knows gives an empty array, not an error.
 *
 * Returns: (transfer container) (element-type SmtpcodesEntry) (nullable): the entries,
 *   owned by @self; %NULL with @error set when @code is not a code at all
 * Since: 1.0
 */
GPtrArray *
smtpcodes_registry_lookup (SmtpcodesRegistry *self,
                           const char        *vendor,
                           const char        *code,
                           GError           **error)
{
  SmtpcodesQuery q;
  GPtrArray *out;
  const SmtpcodesModule *vm = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);
  if (!_smtpcodes_query_parse (&q, code, error))
    return NULL;
  if (vendor)
    {
      vm = smtpcodes_registry_get_module (self, vendor);
      if (vm == NULL)
        {
          g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE,
                       "no module '%s' is loaded (see 'smtpcodes modules')", vendor);
          return NULL;
        }
    }
  {
    SmtpcodesEntryVec ev;
    _smtpcodes_entry_vec_init (&ev);
    _smtpcodes_registry_collect (self, &q, vm, TRUE, &ev);
    out = g_ptr_array_sized_new (ev.len);
    for (guint i = 0; i < ev.len; i++)
      g_ptr_array_add (out, (gpointer) ev.v[i]);
    _smtpcodes_entry_vec_clear (&ev);
  }
  return out;
}

/* Does s (len bytes) start with spelling, case-insensitively, as a whole word? */
static inline gboolean
spelled (const char *s, gsize len, const char *spelling, gsize *used)
{
  gsize n;
  /* most spellings differ in the first letter */
  if (len == 0 || ascii_lower (s[0]) != ascii_lower (spelling[0]))
    return FALSE;
  n = strlen (spelling);
  if (n > len || g_ascii_strncasecmp (s, spelling, n) != 0)
    return FALSE;
  if (n < len && (g_ascii_isalnum (s[n]) || s[n] == '-'))
    return FALSE;
  *used = n;
  return TRUE;
}

const SmtpcodesEntry *
_smtpcodes_registry_match_command (SmtpcodesRegistry *reg, const char *s, gsize len, gsize *used)
{
  const SmtpcodesEntry *best = NULL;
  gsize best_len = 0;

  if (reg && reg->spelling_at)
    {
      /* only spellings with the first letter can match */
      guint8 b = len ? (guint8) ascii_lower (s[0]) : 0;
      for (guint32 i = len ? reg->spelling_at[b] : 0, end = len ? reg->spelling_at[b + 1] : 0; i < end; i++)
        {
          gsize n;
          if (spelled (s, len, reg->spellings[i].spelling, &n) && n > best_len)
            best = reg->spellings[i].entry, best_len = n;
        }
      if (used)
        *used = best_len;
      return best;
    }
  /* while the registry is made (the spellings come last) */
  for (guint i = 0; reg && i < reg->commands->len; i++)
    {
      const SmtpcodesEntry *e = reg->commands->pdata[i];
      gsize n;
      if (spelled (s, len, e->code, &n) && n > best_len)
        best = e, best_len = n;
      for (guint k = 0; e->aliases && e->aliases[k]; k++)
        if (spelled (s, len, e->aliases[k], &n) && n > best_len)
          best = e, best_len = n;
    }
  if (used)
    *used = best_len;
  return best;
}

/**
 * smtpcodes_registry_lookup_command:
 * @self: a #SmtpcodesRegistry
 * @name: an SMTP command ("EHLO") or a spelling MTAs use for it ("RCPT TO", "end of data"),
 *   in any case
 *
 * Returns: (transfer none) (nullable): the command's entry, or %NULL if no module knows it
 * Since: 1.0
 */
const SmtpcodesEntry *
smtpcodes_registry_lookup_command (SmtpcodesRegistry *self, const char *name)
{
  const SmtpcodesEntry *e;
  gsize used = 0, len;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  while (*name == ' ')
    name++;
  len = strlen (name);
  while (len && name[len - 1] == ' ')
    len--;
  e = _smtpcodes_registry_match_command (self, name, len, &used);
  return e && used == len ? e : NULL;
}

/**
 * smtpcodes_registry_parse_reply:
 * @self: a #SmtpcodesRegistry
 * @text: (array length=length) (element-type guint8): the reply, log line or bounce text
 * @length: length of @text in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * Like smtpcodes_reply_parse(), but names the command the reply answered with the command
 * registry of @self.
 *
 * Returns: (transfer full) (nullable): the reply, or %NULL with @error set
 * Since: 1.0
 */
SmtpcodesReply *
smtpcodes_registry_parse_reply (SmtpcodesRegistry *self, const char *text, gssize length, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return _smtpcodes_reply_parse (self, text, length, error);
}

/**
 * smtpcodes_registry_list:
 * @self: a #SmtpcodesRegistry
 * @module_id: (nullable): only this module's entries, or %NULL for all
 *
 * Returns: (transfer container) (element-type SmtpcodesEntry): the entries, in module
 *   order and file order; empty if no module has @module_id
 * Since: 1.0
 */
GPtrArray *
smtpcodes_registry_list (SmtpcodesRegistry *self, const char *module_id)
{
  GPtrArray *out;
  g_return_val_if_fail (self != NULL, NULL);
  out = g_ptr_array_new ();
  for (guint i = 0; i < self->modules->len; i++)
    {
      SmtpcodesModule *m = self->modules->pdata[i];
      if (module_id && !g_str_equal (m->id, module_id))
        continue;
      for (guint j = 0; j < m->n_entries; j++)
        g_ptr_array_add (out, &m->entries[j]);
    }
  return out;
}

/* ---- modules --------------------------------------------------------------------------- */

/**
 * smtpcodes_module_get_id:
 * @module: a #SmtpcodesModule
 * Returns: (transfer none): the module's Id
 * Since: 1.0
 */
const char *
smtpcodes_module_get_id (const SmtpcodesModule *module)
{
  g_return_val_if_fail (module != NULL, NULL);
  return module->id;
}

/**
 * smtpcodes_module_get_name:
 * @module: a #SmtpcodesModule
 * @lang: (nullable): a language such as "de" or "de_AT.UTF-8"; %NULL for the process locale
 * Returns: (transfer none): the module's name in @lang, else in English
 * Since: 1.0
 */
const char *
smtpcodes_module_get_name (const SmtpcodesModule *module, const char *lang)
{
  g_return_val_if_fail (module != NULL, NULL);
  return _smtpcodes_l10n_get (module, module->name, lang ? lang : g_get_language_names ()[0]);
}

/**
 * smtpcodes_module_get_description:
 * @module: a #SmtpcodesModule
 * @lang: (nullable): a language, or %NULL for the process locale
 * Returns: (transfer none) (nullable): the description, if the module has one
 * Since: 1.0
 */
const char *
smtpcodes_module_get_description (const SmtpcodesModule *module, const char *lang)
{
  g_return_val_if_fail (module != NULL, NULL);
  return _smtpcodes_l10n_get (module, module->description, lang ? lang : g_get_language_names ()[0]);
}

/**
 * smtpcodes_module_get_kind:
 * @module: a #SmtpcodesModule
 * Returns: (transfer none): "standard", "vendor" or "site"
 * Since: 1.0
 */
const char *
smtpcodes_module_get_kind (const SmtpcodesModule *module)
{
  g_return_val_if_fail (module != NULL, NULL);
  return module->kind;
}

/**
 * smtpcodes_module_get_version:
 * @module: a #SmtpcodesModule
 * Returns: (transfer none): the module's data version
 * Since: 1.0
 */
const char *
smtpcodes_module_get_version (const SmtpcodesModule *module)
{
  g_return_val_if_fail (module != NULL, NULL);
  return module->version;
}

/**
 * smtpcodes_module_get_filename:
 * @module: a #SmtpcodesModule
 * Returns: (transfer none): where the module was loaded from (`builtin:ID.codes` for
 *   built-in modules)
 * Since: 1.0
 */
const char *
smtpcodes_module_get_filename (const SmtpcodesModule *module)
{
  g_return_val_if_fail (module != NULL, NULL);
  return module->filename;
}

/**
 * smtpcodes_module_is_builtin:
 * @module: a #SmtpcodesModule
 * Returns: whether the module is compiled into the library
 * Since: 1.0
 */
gboolean
smtpcodes_module_is_builtin (const SmtpcodesModule *module)
{
  g_return_val_if_fail (module != NULL, FALSE);
  return module->builtin;
}

/**
 * smtpcodes_module_get_n_entries:
 * @module: a #SmtpcodesModule
 * Returns: the number of code and pattern entries
 * Since: 1.0
 */
guint
smtpcodes_module_get_n_entries (const SmtpcodesModule *module)
{
  g_return_val_if_fail (module != NULL, 0);
  return module->n_entries;
}

/* ---- entries --------------------------------------------------------------------------- */

/**
 * smtpcodes_entry_ref:
 * @entry: a #SmtpcodesEntry
 *
 * Takes a reference on the registry that owns @entry.
 *
 * Returns: (transfer full): @entry
 * Since: 1.0
 */
SmtpcodesEntry *
smtpcodes_entry_ref (SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  smtpcodes_registry_ref (entry->registry);
  return entry;
}

/**
 * smtpcodes_entry_unref:
 * @entry: (transfer full): a #SmtpcodesEntry
 *
 * Drops the reference smtpcodes_entry_ref() took on the owning registry.
 *
 * Since: 1.0
 */
void
smtpcodes_entry_unref (SmtpcodesEntry *entry)
{
  g_return_if_fail (entry != NULL);
  smtpcodes_registry_unref (entry->registry);
}

/**
 * smtpcodes_entry_get_kind:
 * @entry: a #SmtpcodesEntry
 * Returns: what the entry describes
 * Since: 1.0
 */
SmtpcodesEntryKind
smtpcodes_entry_get_kind (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, SMTPCODES_ENTRY_REPLY);
  return entry->kind;
}

/**
 * smtpcodes_entry_get_code:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none): the code as the module writes it ("550", "X.1.1", "454 4.7.0",
 *   "250 ETRN"), or the pattern's name
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_code (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->code;
}

/**
 * smtpcodes_entry_get_reply_code:
 * @entry: a #SmtpcodesEntry
 * Returns: the basic reply code, or 0 if the entry has none
 * Since: 1.0
 */
int
smtpcodes_entry_get_reply_code (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, 0);
  return entry->reply;
}

/**
 * smtpcodes_entry_get_status:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none) (nullable): the status code ("5.1.1", "X.1.1", "X.1.XXX"), or for
 *   a pattern the status its wording implies
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_status (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->status;
}

/**
 * smtpcodes_entry_get_command:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none) (nullable): the SMTP command of a `[Reply NNN COMMAND]` entry
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_command (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->command;
}

/**
 * smtpcodes_entry_get_module:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none): the module the entry comes from
 * Since: 1.0
 */
const SmtpcodesModule *
smtpcodes_entry_get_module (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->module;
}

/**
 * smtpcodes_entry_get_module_id:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none): the Id of the module the entry comes from
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_module_id (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->module->id;
}

/**
 * smtpcodes_entry_get_class:
 * @entry: a #SmtpcodesEntry
 * Returns: the class the entry states; %SMTPCODES_CLASS_UNKNOWN for X. entries and patterns,
 *   whose class is that of the code they explain
 * Since: 1.0
 */
SmtpcodesClass
smtpcodes_entry_get_class (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, SMTPCODES_CLASS_UNKNOWN);
  return entry->klass;
}

/**
 * smtpcodes_entry_get_reason:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none): the reason the entry implies, from the reason vocabulary
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_reason (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return _smtpcodes_reasons[entry->reason];
}

/**
 * smtpcodes_entry_is_generic:
 * @entry: a #SmtpcodesEntry
 * Returns: whether the entry's reason is only a weak default that wording may refine
 * Since: 1.0
 */
gboolean
smtpcodes_entry_is_generic (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, FALSE);
  return entry->generic;
}

/**
 * smtpcodes_entry_get_retry:
 * @entry: a #SmtpcodesEntry
 * Returns: whether retrying later can succeed, as the entry states it; the default follows
 *   the class (%TRUE for transient)
 * Since: 1.0
 */
gboolean
smtpcodes_entry_get_retry (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, FALSE);
  if (entry->retry_set)
    return entry->retry;
  return entry->klass == SMTPCODES_CLASS_TRANSIENT;
}

/**
 * smtpcodes_entry_get_source:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none): where the meaning comes from (RFC or vendor document)
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_source (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->source;
}

/**
 * smtpcodes_entry_get_usage:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none): "standard", "registry", "field", "draft" or "obsolete"
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_usage (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->usage;
}

/**
 * smtpcodes_entry_get_summary:
 * @entry: a #SmtpcodesEntry
 * @lang: (nullable): a language such as "de"; %NULL for the process locale
 * Returns: (transfer none): the one-line summary in @lang, else in English
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_summary (const SmtpcodesEntry *entry, const char *lang)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return _smtpcodes_l10n_get (entry->module, entry->summary, lang ? lang : g_get_language_names ()[0]);
}

/**
 * smtpcodes_entry_get_explanation:
 * @entry: a #SmtpcodesEntry
 * @lang: (nullable): a language such as "de"; %NULL for the process locale
 * Returns: (transfer none): the explanation in @lang, else in English
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_explanation (const SmtpcodesEntry *entry, const char *lang)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return _smtpcodes_l10n_get (entry->module, entry->explanation, lang ? lang : g_get_language_names ()[0]);
}

/**
 * smtpcodes_entry_get_advice:
 * @entry: a #SmtpcodesEntry
 * @lang: (nullable): a language such as "de"; %NULL for the process locale
 * Returns: (transfer none): the advice in @lang, else in English
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_advice (const SmtpcodesEntry *entry, const char *lang)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return _smtpcodes_l10n_get (entry->module, entry->advice, lang ? lang : g_get_language_names ()[0]);
}

/**
 * smtpcodes_entry_get_line:
 * @entry: a #SmtpcodesEntry
 * Returns: the line of the entry's group header in its module file
 * Since: 1.0
 */
guint
smtpcodes_entry_get_line (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, 0);
  return entry->line;
}

/**
 * smtpcodes_entry_get_related:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none) (array zero-terminated=1) (nullable): for a reply entry the
 *   status codes that usually accompany it, for a status entry the usual reply codes
 * Since: 1.0
 */
const char * const *
smtpcodes_entry_get_related (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->related;
}

/**
 * smtpcodes_entry_get_markers:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none) (array zero-terminated=1) (nullable): a pattern's markers, or a
 *   command's aliases
 * Since: 1.0
 */
const char * const *
smtpcodes_entry_get_markers (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->kind == SMTPCODES_ENTRY_COMMAND ? entry->aliases : entry->markers;
}

/**
 * smtpcodes_entry_get_obsoleted_by:
 * @entry: a #SmtpcodesEntry
 * Returns: (transfer none) (nullable): for a command, the RFC that obsoletes the one that
 *   defined it
 * Since: 1.0
 */
const char *
smtpcodes_entry_get_obsoleted_by (const SmtpcodesEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->obsoleted_by;
}

/**
 * smtpcodes_class_to_string:
 * @klass: a #SmtpcodesClass
 * Returns: (transfer none): "success", "intermediate", "transient", "permanent" or "unknown"
 * Since: 1.0
 */
const char *
smtpcodes_class_to_string (SmtpcodesClass klass)
{
  switch (klass)
    {
    case SMTPCODES_CLASS_SUCCESS: return "success";
    case SMTPCODES_CLASS_INTERMEDIATE: return "intermediate";
    case SMTPCODES_CLASS_TRANSIENT: return "transient";
    case SMTPCODES_CLASS_PERMANENT: return "permanent";
    case SMTPCODES_CLASS_UNKNOWN:
    default: return "unknown";
    }
}
