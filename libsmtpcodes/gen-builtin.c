/* gen-builtin: parses the built-in modules when the library is built and writes them as C
 * data (smtpcodes-builtin.h says how), so that the library needs no GIO (GResource), parses
 * nothing at start-up and programs start faster. It runs the library's own parser
 * (smtpcodes-module.c is compiled in), strictly: a built-in module that does not load
 * fails the build.  Usage: gen-builtin OUT.c FILE.codes...  */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpcodes-private.h"
#include "smtpcodes-builtin.h"
#include "smtpcodes-digest.h"

/* the library's error domain (smtpcodes-registry.c defines it there) */
GQuark
smtpcodes_error_quark (void)
{
  return g_quark_from_static_string ("smtpcodes-error-quark");
}

typedef struct {
  const char *text;      /* the parsed text */
  gsize       len;
  GString    *extra;     /* strings outside the text, after it in the blob */
  GHashTable *extra_at;  /* string -> offset + 1 */
  GArray     *ptrs;      /* guint32 */
  GArray     *l10n;      /* guint32: the translation arrays */
} Out;

static guint32
off_of (Out *o, const char *p)
{
  gpointer at;
  if (p == NULL)
    return SMTPCODES_BUILTIN_NONE;
  if (p >= o->text && p <= o->text + o->len)
    return (guint32) (p - o->text);
  /* a string the parser did not cut out of the text ("" for a plain key's language,
   * "standard" for a default usage) */
  if ((at = g_hash_table_lookup (o->extra_at, p)))
    return GPOINTER_TO_UINT (at) - 1;
  {
    guint32 off = (guint32) (o->len + 1 + o->extra->len);
    g_string_append_len (o->extra, p, (gssize) strlen (p) + 1);
    g_hash_table_insert (o->extra_at, g_strdup (p), GUINT_TO_POINTER (off + 1));
    return off;
  }
}

static guint32
run_of (Out *o, GArray *table, const char *const *arr)
{
  guint32 start, none = SMTPCODES_BUILTIN_NONE;
  if (arr == NULL)
    return SMTPCODES_BUILTIN_NONE;
  start = table->len;
  for (; *arr; arr++)
    {
      guint32 off = off_of (o, *arr);
      g_array_append_val (table, off);
    }
  g_array_append_val (table, none);
  return start;
}

static guint32
array_of (Out *o, const char *const *arr)
{
  return run_of (o, o->ptrs, arr);
}

/* (a parsed module's translations are pointer arrays) */
static guint32
l10n_of (Out *o, SmtpcodesL10n l)
{
  return run_of (o, o->l10n, l.ptrs);
}

static void
emit_table (FILE *out, const char *name, int index, GArray *t)
{
  fprintf (out, "static const uint32_t %s_%d[] = {", name, index);
  for (guint i = 0; i < t->len; i++)
    fprintf (out, "%s%u,", i % 12 ? " " : "\n  ", g_array_index (t, guint32, i));
  if (t->len == 0)
    fputs (" 0", out);
  fputs ("\n};\n\n", out);
}

static void
emit_bytes (FILE *out, const char *s, gsize n)
{
  int col = 0;
  fputc ('"', out);
  for (gsize i = 0; i < n; i++)
    {
      guint8 c = (guint8) s[i];
      /* octal escapes of three digits cannot run into the next character */
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?')
        {
          fputc (c, out);
          col++;
        }
      else
        {
          fprintf (out, "\\%03o", (unsigned) c);
          col += 4;
        }
      if (col >= 96)
        {
          fputs ("\"\n\"", out);
          col = 0;
        }
    }
  fputc ('"', out);
}

/* A module gen-builtin parsed: kept to the end, for the automata */
typedef struct {
  char            *id;
  gsize            len;       /* the file's length and digest (known content) */
  guint64          digest;
  SmtpcodesModule *m;
  int              index;     /* its MODULE_n */
  gboolean         builtin;
} Parsed;

/* the markers of the modules, in the order matcher_make (smtpcodes-registry.c) adds them */
static void
add_markers (SmtpcodesMatcher *markers, const SmtpcodesModule *m)
{
  for (guint i = 0; i < m->n_entries; i++)
    if (m->entries[i].kind == SMTPCODES_ENTRY_PATTERN)
      for (guint k = 0; m->entries[i].markers[k]; k++)
        _smtpcodes_matcher_add (markers, m->entries[i].markers[k], SMTPCODES_TAG_PATTERN, NULL);
  for (guint k = 0; m->detect_text && m->detect_text[k]; k++)
    _smtpcodes_matcher_add (markers, m->detect_text[k], SMTPCODES_TAG_VENDOR, NULL);
}

static gboolean
emit (FILE *out, const char *path, int index, Parsed *parsed)
{
  char *data = NULL, *base, *label;
  gsize len = 0;
  GError *error = NULL;
  SmtpcodesArena *arena = g_new (SmtpcodesArena, 1);
  SmtpcodesModule *m;
  Out o;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      fprintf (stderr, "gen-builtin: %s\n", error->message);
      return FALSE;
    }
  if (!g_utf8_validate (data, (gssize) len, NULL))
    {
      fprintf (stderr, "gen-builtin: %s is not valid UTF-8\n", path);
      return FALSE;
    }
  base = g_path_get_basename (path);
  if (!g_str_has_suffix (base, ".codes"))
    {
      fprintf (stderr, "gen-builtin: %s is not a .codes file\n", path);
      return FALSE;
    }
  base[strlen (base) - strlen (".codes")] = '\0';
  label = g_strdup_printf ("builtin:%s.codes", base);
  _smtpcodes_arena_init (arena);
  parsed->len = len;
  parsed->digest = _smtpcodes_digest (data, len);
  /* as the library loaded it at start-up (built-in: no file-name check), but strictly, so
   * that a lenient and a strict load get the same module */
  m = _smtpcodes_module_parse (data, len, label, TRUE, SMTPCODES_LOAD_STRICT, arena, &error);
  if (m == NULL)
    {
      fprintf (stderr, "gen-builtin: %s: %s\n", path, error->message);
      return FALSE;
    }
  if (strcmp (m->id, base) != 0)
    {
      fprintf (stderr, "gen-builtin: %s: Id '%s' does not match the file name\n", path, m->id);
      return FALSE;
    }

  o.text = data;
  o.len = len;
  o.extra = g_string_new (NULL);
  o.extra_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  o.ptrs = g_array_new (FALSE, FALSE, sizeof (guint32));
  o.l10n = g_array_new (FALSE, FALSE, sizeof (guint32));

  fprintf (out, "static const SmtpcodesBuiltinEntry entries_%d[] = {\n", index);
  for (guint i = 0; i < m->n_entries; i++)
    {
      const SmtpcodesEntry *e = &m->entries[i];
      /* one field at a time: the order of the blob's extra strings and of the arrays does
       * not depend on how a compiler orders the arguments of a call */
      guint32 f[24], k = 0;
      f[k++] = e->kind;
      f[k++] = off_of (&o, e->code);
      f[k++] = (guint32) e->reply;
      f[k++] = off_of (&o, e->status);
      f[k++] = e->status_key;
      f[k++] = off_of (&o, e->command);
      f[k++] = e->klass;
      f[k++] = (guint32) e->reason;
      f[k++] = (guint32) e->priority;
      f[k++] = (guint32) e->generic;
      f[k++] = (guint32) e->retry;
      f[k++] = (guint32) e->retry_set;
      f[k++] = e->classes;
      f[k++] = off_of (&o, e->source);
      f[k++] = off_of (&o, e->usage);
      f[k++] = array_of (&o, e->related);
      f[k++] = array_of (&o, e->commands);
      f[k++] = array_of (&o, e->markers);
      f[k++] = array_of (&o, e->aliases);
      f[k++] = off_of (&o, e->obsoleted_by);
      f[k++] = l10n_of (&o, e->summary);
      f[k++] = l10n_of (&o, e->explanation);
      f[k++] = l10n_of (&o, e->advice);
      f[k++] = e->line;
      g_assert (k == G_N_ELEMENTS (f));
      fputs ("  {", out);
      for (guint j = 0; j < k; j++)
        if (j == 7 || j == 8)   /* reason and priority are signed */
          fprintf (out, " %d,", (int) (gint32) f[j]);
        else
          fprintf (out, " %uu,", (unsigned) f[j]);
      fputs (" },\n", out);
    }
  if (m->n_entries == 0)
    fputs ("  { 0 }\n", out);
  fputs ("};\n\n", out);
  {
    guint32 mid = off_of (&o, m->id), kind = off_of (&o, m->kind), version = off_of (&o, m->version);
    guint32 name = l10n_of (&o, m->name), desc = l10n_of (&o, m->description);
    guint32 dt = array_of (&o, m->detect_text), dh = array_of (&o, m->detect_host);

    emit_table (out, "ptrs", index, o.ptrs);
    emit_table (out, "l10n", index, o.l10n);
    fprintf (out, "static const char blob_%d[] =\n", index);
    emit_bytes (out, data, len + 1);
    fputs ("\n", out);
    emit_bytes (out, o.extra->str, o.extra->len);
    fputs (";\n\n", out);
    fprintf (out, "#define MODULE_%d { \"%s\", blob_%d, ptrs_%d, %u, l10n_%d, entries_%d, %u, %u, %u, %u, %u, %u, %u, %u, %u }\n\n",
             index, base, index, index, o.ptrs->len, index, index, m->n_entries, mid, kind, (unsigned) m->rank, version,
             name, desc, dt, dh);
  }
  parsed->id = base;
  parsed->m = m;
  parsed->index = index;
  g_string_free (o.extra, TRUE);
  g_hash_table_unref (o.extra_at);
  g_array_unref (o.ptrs);
  g_array_unref (o.l10n);
  /* the module (in the arena and data) lives on, for the automata */
  _smtpcodes_arena_adopt (arena, data);
  g_free (label);
  return TRUE;
}

static void
emit_u32s (FILE *out, const char *type, const char *name, const guint32 *v, guint32 n)
{
  fprintf (out, "static const %s %s[] = {", type, name);
  for (guint32 i = 0; i < n; i++)
    fprintf (out, "%s%u,", i % 16 ? " " : "\n  ", (unsigned) v[i]);
  if (n == 0)
    fputs (" 0", out);
  fputs ("\n};\n\n", out);
}

/* An automaton over the markers of mods (in that order) as "static const ... NAME" and its
 * tables NAME_*; FALSE (and none) if its tables are not the 16-bit ones. */
static gboolean
emit_automaton (FILE *out, const char *name, Parsed *const *mods, guint n_mods)
{
  SmtpcodesMatcher *markers = _smtpcodes_matcher_new ();
  SmtpcodesBuiltinAutomaton a;
  guint32 n_edges, n_list, n_cells, n_sparse, *v;
  gboolean wide;
  char *tn;

  for (guint i = 0; i < n_mods; i++)
    add_markers (markers, mods[i]->m);
  _smtpcodes_matcher_build (markers);
  if (!_smtpcodes_matcher_export (markers, &a, &n_edges, &n_list))
    {
      fprintf (stderr, "gen-builtin: %s: no automaton\n", name);
      _smtpcodes_matcher_free (markers);
      return FALSE;
    }
  wide = a.dense == NULL;
  n_cells = a.n_dense << a.shift;
  n_sparse = a.n_nodes - a.n_dense;
  v = g_new (guint32, MAX (MAX (n_cells, n_edges), 1));
  for (guint32 i = 0; i < n_cells; i++)
    v[i] = wide ? a.dense32[i] : a.dense[i];
  emit_u32s (out, wide ? "uint32_t" : "uint16_t", tn = g_strdup_printf ("%s_dense", name), v, n_cells);
  g_free (tn);
  for (guint32 i = 0; i < n_edges; i++)
    v[i] = wide ? a.edge_code32[i] : a.edge_code[i];
  emit_u32s (out, wide ? "uint32_t" : "uint16_t", tn = g_strdup_printf ("%s_edge_code", name), v, n_edges);
  g_free (tn);
  for (guint32 i = 0; i < n_edges; i++)
    v[i] = a.edge_cls[i];
  emit_u32s (out, "uint8_t", tn = g_strdup_printf ("%s_edge_cls", name), v, n_edges);
  g_free (tn);
  g_free (v);
  emit_u32s (out, "uint32_t", tn = g_strdup_printf ("%s_out_at", name), a.out_at, a.n_nodes);
  g_free (tn);
  emit_u32s (out, "uint32_t", tn = g_strdup_printf ("%s_out_list", name), a.out_list, n_list);
  g_free (tn);
  fprintf (out, "static const SmtpcodesSparse%s %s_sparse[] = {\n", wide ? "32" : "16", name);
  for (guint32 i = 0; i < n_sparse; i++)
    if (wide)
      fprintf (out, "  { %uu, %uu, %u, %u, %u, 0 },\n", a.sparse32[i].first_code, a.sparse32[i].fail_code,
               a.sparse32[i].edge, a.sparse32[i].first_cls, a.sparse32[i].n_edges);
    else
      fprintf (out, "  { %u, %u, %u, %u, %u },\n", a.sparse[i].first_code, a.sparse[i].fail_code,
               a.sparse[i].edge, a.sparse[i].first_cls, a.sparse[i].n_edges);
  if (n_sparse == 0)
    fputs ("  { 0 }\n", out);
  fputs ("};\n\n", out);
  fprintf (out, "static const SmtpcodesBuiltinAutomaton %s = {\n"
           "  %u, %u, %u, %u, %u,\n  {", name, a.n_nodes, a.n_dense, a.shift, a.limit, a.n_outs);
  for (guint i = 0; i < 256; i++)
    fprintf (out, "%s%u,", i % 32 ? " " : "\n    ", a.cls[i]);
  if (wide)
    fprintf (out, "\n  },\n  NULL, NULL, %s_edge_cls, NULL,\n  %s_out_at, %s_out_list,\n"
             "  %s_dense, %s_sparse, %s_edge_code\n};\n\n", name, name, name, name, name, name);
  else
    fprintf (out, "\n  },\n  %s_dense, %s_sparse, %s_edge_cls, %s_edge_code,\n"
             "  %s_out_at, %s_out_list, NULL, NULL, NULL\n};\n\n", name, name, name, name, name, name);
  fprintf (stderr, "gen-builtin: %s: %u markers, %u states (%u with full rows), %u KiB\n", name, a.n_outs,
           a.n_nodes, a.n_dense,
           (unsigned) ((n_cells * (wide ? 4 : 2) + n_edges * (wide ? 5 : 3) + a.n_nodes * 4 + n_list * 4
                        + n_sparse * (wide ? 16 : 8)) / 1024));
  g_free ((gpointer) a.out_list);
  _smtpcodes_matcher_free (markers);
  return TRUE;
}

/* Which modules of mods share a marker (ASCII case aside): pairs (a, b), a < b, whose
 * order a registry must keep for the automaton's report order to be its own (the
 * matcher reports one text's identical markers last added first). */
static void
emit_before (FILE *out, const char *name, Parsed *const *mods, guint n_mods)
{
  GHashTable *first = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *pairs = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint n = 0;

  fprintf (out, "static const uint8_t %s_before[][2] = {\n", name);
  for (guint i = 0; i < n_mods; i++)
    {
      const SmtpcodesModule *m = mods[i]->m;
      GPtrArray *mk = g_ptr_array_new ();
      for (guint j = 0; j < m->n_entries; j++)
        if (m->entries[j].kind == SMTPCODES_ENTRY_PATTERN)
          for (guint k = 0; m->entries[j].markers[k]; k++)
            g_ptr_array_add (mk, (gpointer) m->entries[j].markers[k]);
      for (guint k = 0; m->detect_text && m->detect_text[k]; k++)
        g_ptr_array_add (mk, (gpointer) m->detect_text[k]);
      for (guint k = 0; k < mk->len; k++)
        {
          char *low = g_ascii_strdown (mk->pdata[k], -1);
          GSList *seen = g_hash_table_lookup (first, low);
          /* every earlier module with this marker */
          for (GSList *l = seen; l; l = l->next)
            {
              guint a = GPOINTER_TO_UINT (l->data);
              if (a != i && !g_hash_table_contains (pairs, GUINT_TO_POINTER (a << 8 | i)))
                {
                  g_hash_table_add (pairs, GUINT_TO_POINTER (a << 8 | i));
                  fprintf (out, "  { %u, %u },\n", a, i);
                  n++;
                }
            }
          if (seen == NULL || GPOINTER_TO_UINT (seen->data) != i)
            {
              /* the list stays owned by the table: prepend keeps its head the latest */
              seen = g_slist_prepend (seen, GUINT_TO_POINTER (i));
              g_hash_table_replace (first, low, seen);
            }
          else
            g_free (low);
        }
      g_ptr_array_unref (mk);
    }
  if (n == 0)
    fputs ("  { 0, 0 }\n", out);
  fputs ("};\n\n", out);
  fprintf (stderr, "gen-builtin: %s: %u pairs of modules share markers\n", name, n);
  /* (the lists are leaked with the table: a build tool that ends here) */
  g_hash_table_unref (pairs);
  fprintf (out, "#define %s_N_BEFORE %uu\n\n", name, n);
}

static void
emit_precomputed (FILE *out, const char *name, Parsed *const *mods, guint n_mods)
{
  gboolean ok = emit_automaton (out, name, mods, n_mods);
  emit_before (out, name, mods, n_mods);
  fprintf (out, "static const SmtpcodesBuiltin *const %s_modules[] = {\n", name);
  for (guint i = 0; i < n_mods; i++)
    fprintf (out, "  &module_%d, /* %s */\n", mods[i]->index, mods[i]->id);
  fputs ("  NULL\n};\n\n", out);
  fprintf (out, "#define %s_PRECOMPUTED { %s%s, %s_modules, %uu, %s_before, %s_N_BEFORE }\n\n", name,
           ok ? "&" : "", ok ? name : "NULL", name, n_mods, name, name);
}

static Parsed *
find_parsed (Parsed *all, guint n, const char *id)
{
  for (guint i = 0; i < n; i++)
    if (strcmp (all[i].id, id) == 0)
      return &all[i];
  return NULL;
}

static int
cmp_parsed_name (gconstpointer a, gconstpointer b)
{
  const Parsed *pa = *(Parsed *const *) a, *pb = *(Parsed *const *) b;
  char *na = g_strconcat (pa->id, ".codes", NULL), *nb = g_strconcat (pb->id, ".codes", NULL);
  int r = strcmp (na, nb);
  g_free (na);
  g_free (nb);
  return r;
}

int
main (int argc, char **argv)
{
  FILE *out;
  Parsed *all;
  guint n_all = 0, n_builtin = 0;
  gboolean known = FALSE;
  GPtrArray *order;

  if (argc < 3)
    {
      fprintf (stderr, "usage: gen-builtin OUT.c BUILTIN.codes... [-- SHIPPED.codes...]\n");
      return 2;
    }
  out = fopen (argv[1], "w");
  if (out == NULL)
    {
      perror (argv[1]);
      return 1;
    }
  fputs ("/* generated by gen-builtin from data/modules; do not edit */\n"
         "#include \"smtpcodes-builtin.h\"\n\n", out);
  all = g_new0 (Parsed, argc);
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        {
          known = TRUE;
          continue;
        }
      if (!emit (out, argv[i], (int) n_all, &all[n_all]))
        {
          fclose (out);
          remove (argv[1]);
          return 1;
        }
      all[n_all].builtin = !known;
      if (find_parsed (all, n_all, all[n_all].id))
        {
          fprintf (stderr, "gen-builtin: %s: module '%s' given twice\n", argv[i], all[n_all].id);
          fclose (out);
          remove (argv[1]);
          return 1;
        }
      fprintf (out, "static const SmtpcodesBuiltin module_%u = MODULE_%u;\n\n", n_all, n_all);
      if (!known)
        n_builtin++;
      n_all++;
    }
  /* the built-in modules, in load order */
  fputs ("const SmtpcodesBuiltin *const _smtpcodes_builtin[] = {\n", out);
  for (guint i = 0; i < n_builtin; i++)
    fprintf (out, "  &module_%u,\n", i);
  fputs ("  NULL\n};\n\n", out);
  /* the length and digest of every module file shipped (the built-in ones' too, as in
   * data/modules) */
  fputs ("const SmtpcodesKnown _smtpcodes_known[] = {\n", out);
  for (guint i = 0; i < n_all; i++)
    {
      /* two files with one digest would make the second unreachable */
      for (guint j = 0; j < i; j++)
        if (all[j].len == all[i].len && all[j].digest == all[i].digest)
          {
            fprintf (stderr, "gen-builtin: %s.codes and %s.codes have the same length and digest\n",
                     all[j].id, all[i].id);
            fclose (out);
            remove (argv[1]);
            return 1;
          }
      fprintf (out, "  { &module_%u, %zuu, UINT64_C (0x%016" G_GINT64_MODIFIER "x) }, /* %s */\n", i,
               (size_t) all[i].len, all[i].digest, all[i].id);
    }
  fputs ("  { NULL, 0, 0 }\n};\n\n", out);

  /* The automata, each over the markers of modules in the order a registry has them: the
   * built-in ones alone; and as installed: the shipped files (from one directory, by file
   * name), then the built-in modules, by rank (site, vendor, standard) */
  {
    Parsed **b = g_new (Parsed *, n_builtin);
    for (guint i = 0; i < n_builtin; i++)
      b[i] = &all[i];
    emit_precomputed (out, "builtin", b, n_builtin);
    g_free (b);
  }
  order = g_ptr_array_new ();
  for (guint i = n_builtin; i < n_all; i++)
    g_ptr_array_add (order, &all[i]);
  g_ptr_array_sort (order, cmp_parsed_name);
  for (guint i = 0; i < n_builtin; i++)
    g_ptr_array_add (order, &all[i]);
  {
    /* a stable sort by rank */
    GPtrArray *by_rank = g_ptr_array_new ();
    for (int r = KIND_SITE; r <= KIND_STANDARD; r++)
      for (guint i = 0; i < order->len; i++)
        if ((int) ((Parsed *) order->pdata[i])->m->rank == r)
          g_ptr_array_add (by_rank, order->pdata[i]);
    emit_precomputed (out, "installed", (Parsed **) by_rank->pdata, by_rank->len);
    g_ptr_array_unref (by_rank);
  }
  g_ptr_array_unref (order);
  /* the larger first: a registry takes the first that fits */
  fputs ("const SmtpcodesPrecomputed _smtpcodes_precomputed[] = {\n"
         "  installed_PRECOMPUTED,\n  builtin_PRECOMPUTED,\n  { NULL, NULL, 0, NULL, 0 }\n};\n", out);
  return fclose (out) == 0 ? 0 : 1;
}
