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
array_of (Out *o, const char *const *arr)
{
  guint32 start, none = SMTPCODES_BUILTIN_NONE;
  if (arr == NULL)
    return SMTPCODES_BUILTIN_NONE;
  start = o->ptrs->len;
  for (; *arr; arr++)
    {
      guint32 off = off_of (o, *arr);
      g_array_append_val (o->ptrs, off);
    }
  g_array_append_val (o->ptrs, none);
  return start;
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

/* the automaton over every built-in marker, in the order the registry adds them */
static SmtpcodesMatcher *markers;

static gboolean
emit (FILE *out, const char *path, int index, char **id_out)
{
  char *data = NULL, *base, *label;
  gsize len = 0;
  GError *error = NULL;
  SmtpcodesArena arena;
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
  _smtpcodes_arena_init (&arena);
  /* as the library loaded it at start-up (built-in: no file-name check), but strictly, so
   * that a lenient and a strict load get the same module */
  m = _smtpcodes_module_parse (data, len, label, TRUE, SMTPCODES_LOAD_STRICT, &arena, &error);
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

  /* as matcher_make (smtpcodes-registry.c) adds a module's markers */
  for (guint i = 0; i < m->n_entries; i++)
    if (m->entries[i].kind == SMTPCODES_ENTRY_PATTERN)
      for (guint k = 0; m->entries[i].markers[k]; k++)
        _smtpcodes_matcher_add (markers, m->entries[i].markers[k], SMTPCODES_TAG_PATTERN, NULL);
  for (guint k = 0; m->detect_text && m->detect_text[k]; k++)
    _smtpcodes_matcher_add (markers, m->detect_text[k], SMTPCODES_TAG_VENDOR, NULL);

  o.text = data;
  o.len = len;
  o.extra = g_string_new (NULL);
  o.extra_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  o.ptrs = g_array_new (FALSE, FALSE, sizeof (guint32));

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
      f[k++] = array_of (&o, e->summary);
      f[k++] = array_of (&o, e->explanation);
      f[k++] = array_of (&o, e->advice);
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
    guint32 name = array_of (&o, m->name), desc = array_of (&o, m->description);
    guint32 dt = array_of (&o, m->detect_text), dh = array_of (&o, m->detect_host);

    fprintf (out, "static const uint32_t ptrs_%d[] = {", index);
    for (guint i = 0; i < o.ptrs->len; i++)
      fprintf (out, "%s%u,", i % 12 ? " " : "\n  ", g_array_index (o.ptrs, guint32, i));
    if (o.ptrs->len == 0)
      fputs (" 0", out);
    fputs ("\n};\n\n", out);
    fprintf (out, "static const char blob_%d[] =\n", index);
    emit_bytes (out, data, len + 1);
    fputs ("\n", out);
    emit_bytes (out, o.extra->str, o.extra->len);
    fputs (";\n\n", out);
    fprintf (out, "#define MODULE_%d { \"%s\", blob_%d, ptrs_%d, %u, entries_%d, %u, %u, %u, %u, %u, %u, %u, %u, %u }\n\n",
             index, base, index, index, o.ptrs->len, index, m->n_entries, mid, kind, (unsigned) m->rank, version,
             name, desc, dt, dh);
  }
  *id_out = base;
  g_string_free (o.extra, TRUE);
  g_hash_table_unref (o.extra_at);
  g_array_unref (o.ptrs);
  _smtpcodes_arena_clear (&arena);
  g_free (data);
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

static void
emit_automaton (FILE *out)
{
  SmtpcodesBuiltinAutomaton a;
  guint32 n_edges, n_list, n_cells, n_sparse, *v;

  _smtpcodes_matcher_build (markers);
  if (!_smtpcodes_matcher_export (markers, &a, &n_edges, &n_list))
    {
      /* codes wider than 16 bits: the registry builds the whole automaton at run time */
      fputs ("const SmtpcodesBuiltinAutomaton _smtpcodes_builtin_automaton = { 0 };\n", out);
      return;
    }
  n_cells = a.n_dense << a.shift;
  n_sparse = a.n_nodes - a.n_dense;
  v = g_new (guint32, MAX (MAX (n_cells, n_edges), 1));
  for (guint32 i = 0; i < n_cells; i++)
    v[i] = a.dense[i];
  emit_u32s (out, "uint16_t", "automaton_dense", v, n_cells);
  for (guint32 i = 0; i < n_edges; i++)
    v[i] = a.edge_code[i];
  emit_u32s (out, "uint16_t", "automaton_edge_code", v, n_edges);
  for (guint32 i = 0; i < n_edges; i++)
    v[i] = a.edge_cls[i];
  emit_u32s (out, "uint8_t", "automaton_edge_cls", v, n_edges);
  g_free (v);
  emit_u32s (out, "uint32_t", "automaton_out_at", a.out_at, a.n_nodes);
  emit_u32s (out, "uint32_t", "automaton_out_list", a.out_list, n_list);
  fputs ("static const SmtpcodesSparse16 automaton_sparse[] = {\n", out);
  for (guint32 i = 0; i < n_sparse; i++)
    fprintf (out, "  { %u, %u, %u, %u, %u },\n", a.sparse[i].first_code, a.sparse[i].fail_code,
             a.sparse[i].edge, a.sparse[i].first_cls, a.sparse[i].n_edges);
  if (n_sparse == 0)
    fputs ("  { 0 }\n", out);
  fputs ("};\n\n", out);
  fprintf (out, "const SmtpcodesBuiltinAutomaton _smtpcodes_builtin_automaton = {\n"
           "  %u, %u, %u, %u, %u,\n  {", a.n_nodes, a.n_dense, a.shift, a.limit, a.n_outs);
  for (guint i = 0; i < 256; i++)
    fprintf (out, "%s%u,", i % 32 ? " " : "\n    ", a.cls[i]);
  fputs ("\n  },\n  automaton_dense, automaton_sparse, automaton_edge_cls, automaton_edge_code,\n"
         "  automaton_out_at, automaton_out_list\n};\n", out);
  g_free ((gpointer) a.out_list);
}

int
main (int argc, char **argv)
{
  FILE *out;
  if (argc < 3)
    {
      fprintf (stderr, "usage: gen-builtin OUT.c FILE.codes...\n");
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
  markers = _smtpcodes_matcher_new ();
  for (int i = 2; i < argc; i++)
    {
      char *id = NULL;
      if (!emit (out, argv[i], i - 2, &id))
        {
          fclose (out);
          remove (argv[1]);
          return 1;
        }
      g_free (id);
    }
  fputs ("const SmtpcodesBuiltin _smtpcodes_builtin[] = {\n", out);
  for (int i = 2; i < argc; i++)
    fprintf (out, "  MODULE_%d,\n", i - 2);
  fputs ("  { 0 }\n};\n\n", out);
  emit_automaton (out);
  _smtpcodes_matcher_free (markers);
  return fclose (out) == 0 ? 0 : 1;
}
