/* test-known: a module file whose bytes are those of a shipped one loads from the form
 * compiled into the library (known content); any other file is parsed, as ever. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libsmtpcodes/smtpcodes.h>
#include "test-common.h"
/* the digest that known content compares (internal, but header-only) */
#include "smtpcodes-digest.h"

static const char *const shipped[] = { "exchange", "groupwise", "domino", "mailenable", "google", "yahoo",
                                       "apple", "providers", "bounces", "standard", "enhanced", "wording",
                                       "commands" };
#define N_VENDORS 9   /* the first ones: the installed files; the others are built in */

static char *tmpdir;

static char *
shipped_path (const char *id)
{
  char *name = g_strconcat (id, ".codes", NULL);
  char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "modules", name, NULL);
  g_free (name);
  return path;
}

static char *
shipped_text (const char *id, gsize *len)
{
  char *path = shipped_path (id), *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, len, NULL));
  g_free (path);
  return text;
}

/* writes text as DIR/NAME (DIR below tmpdir, made if need be) and returns the path */
static char *
write_copy (const char *dir, const char *name, const char *text, gsize len)
{
  char *d = g_build_filename (tmpdir, dir, NULL), *path = g_build_filename (d, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (d, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, (gssize) len, NULL));
  g_free (d);
  return path;
}

static SmtpcodesRegistry *
load_one (const char *path, SmtpcodesLoadFlags flags, GError **error)
{
  const char *files[] = { path, NULL };
  return smtpcodes_registry_new_from_files (files, flags, error);
}

/* Everything a registry says about one module's entries and some look-ups, as a string. */
static char *
describe (SmtpcodesRegistry *reg, const char *id)
{
  static const char *const codes[] = { "550", "5.7.1", "550 5.1.1", "421", "4.4.7", "554 5.7.1", "452",
                                       "5.1.x", "4.7.0", "451 4.7.1", "535", "250 ETRN", "5.7.99" };
  GString *s = g_string_new (NULL);
  const SmtpcodesModule *m = smtpcodes_registry_get_module (reg, id);
  GPtrArray *list = smtpcodes_registry_list (reg, id);

  g_assert_nonnull (m);
  g_string_append_printf (s, "%s %s %s %u %s|%s\n", smtpcodes_module_get_id (m), smtpcodes_module_get_kind (m),
                          smtpcodes_module_get_version (m), smtpcodes_module_get_n_entries (m),
                          smtpcodes_module_get_name (m, "en"), smtpcodes_module_get_name (m, "de"));
  for (guint i = 0; i < list->len; i++)
    {
      const SmtpcodesEntry *e = list->pdata[i];
      const char *const *rel = smtpcodes_entry_get_related (e), *const *mk = smtpcodes_entry_get_markers (e);
      g_string_append_printf (s, "%d %s %d %s %s %s %d %d %s %s %u [%s|%s|%s|%s|%s|%s]", smtpcodes_entry_get_kind (e),
                              smtpcodes_entry_get_code (e), smtpcodes_entry_get_reply_code (e),
                              smtpcodes_entry_get_status (e) ? smtpcodes_entry_get_status (e) : "-",
                              smtpcodes_class_to_string (smtpcodes_entry_get_class (e)), smtpcodes_entry_get_reason (e),
                              smtpcodes_entry_is_generic (e), smtpcodes_entry_get_retry (e),
                              smtpcodes_entry_get_source (e), smtpcodes_entry_get_usage (e), smtpcodes_entry_get_line (e),
                              smtpcodes_entry_get_summary (e, "en"), smtpcodes_entry_get_summary (e, "de"),
                              smtpcodes_entry_get_explanation (e, "en"), smtpcodes_entry_get_explanation (e, "de"),
                              smtpcodes_entry_get_advice (e, "en"), smtpcodes_entry_get_advice (e, "de"));
      for (guint k = 0; rel && rel[k]; k++)
        g_string_append_printf (s, " r:%s", rel[k]);
      for (guint k = 0; mk && mk[k]; k++)
        g_string_append_printf (s, " m:%s", mk[k]);
      g_string_append_c (s, '\n');
    }
  g_ptr_array_unref (list);
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      GPtrArray *l = smtpcodes_registry_lookup (reg, NULL, codes[i], NULL);
      g_string_append_printf (s, "%s:", codes[i]);
      for (guint k = 0; k < l->len; k++)
        g_string_append_printf (s, " %s/%s", smtpcodes_entry_get_module_id (l->pdata[k]),
                                smtpcodes_entry_get_code (l->pdata[k]));
      g_string_append_c (s, '\n');
      g_ptr_array_unref (l);
    }
  return g_string_free (s, FALSE);
}

/* Precompiled modules of two registries share their text (it is in the library); parsed
 * ones each have their own. */
static gboolean
shares_text (SmtpcodesRegistry *a, SmtpcodesRegistry *b, const char *id)
{
  return smtpcodes_module_get_name (smtpcodes_registry_get_module (a, id), "en")
         == smtpcodes_module_get_name (smtpcodes_registry_get_module (b, id), "en");
}

/* An identical copy anywhere (another directory, another path) is the shipped module:
 * the same answers, the file's own name, not built in. */
static void
test_identical (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (shipped); i++)
    {
      gsize len;
      char *text = shipped_text (shipped[i], &len), *name = g_strconcat (shipped[i], ".codes", NULL);
      char *copy = write_copy ("identical", name, text, len), *orig = shipped_path (shipped[i]);
      char *mod = g_strconcat (text, "# a comment: other bytes, the same module\n", NULL);
      char *parsed_path = write_copy ("commented", name, mod, len + strlen ("# a comment: other bytes, the same module\n"));
      GError *error = NULL;
      SmtpcodesRegistry *a = load_one (copy, SMTPCODES_LOAD_STRICT | SMTPCODES_LOAD_NO_BUILTIN, &error);
      SmtpcodesRegistry *b, *p;
      char *da, *db, *dp;

      g_assert_no_error (error);
      b = load_one (orig, SMTPCODES_LOAD_NO_BUILTIN, &error);
      g_assert_no_error (error);
      p = load_one (parsed_path, SMTPCODES_LOAD_STRICT | SMTPCODES_LOAD_NO_BUILTIN, &error);
      g_assert_no_error (error);
      g_assert_true (shares_text (a, b, shipped[i]));
      g_assert_false (shares_text (a, p, shipped[i]));
      g_assert_cmpstr (smtpcodes_module_get_filename (smtpcodes_registry_get_module (a, shipped[i])), ==, copy);
      g_assert_false (smtpcodes_module_is_builtin (smtpcodes_registry_get_module (a, shipped[i])));
      da = describe (a, shipped[i]);
      db = describe (b, shipped[i]);
      dp = describe (p, shipped[i]);
      g_assert_cmpstr (da, ==, db);
      g_assert_cmpstr (da, ==, dp);
      g_free (da);
      g_free (db);
      g_free (dp);
      smtpcodes_registry_unref (a);
      smtpcodes_registry_unref (b);
      smtpcodes_registry_unref (p);
      g_free (text);
      g_free (mod);
      g_free (name);
      g_free (copy);
      g_free (orig);
      g_free (parsed_path);
    }
}

/* An edited copy is parsed: the edit shows. */
static void
test_modified (void)
{
  gsize len;
  char *text = shipped_text ("exchange", &len);
  char *at = strstr (text, "\nName=Microsoft Exchange\n"), *path;
  GString *edited = g_string_new (NULL);
  GError *error = NULL;
  SmtpcodesRegistry *reg, *ref;

  g_assert_nonnull (at);
  g_string_append_len (edited, text, at - text);
  g_string_append (edited, "\nName=Microsoft Exchange (our copy)\n");
  g_string_append (edited, at + strlen ("\nName=Microsoft Exchange\n"));
  path = write_copy ("modified", "exchange.codes", edited->str, edited->len);
  reg = load_one (path, SMTPCODES_LOAD_STRICT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_module_get_name (smtpcodes_registry_get_module (reg, "exchange"), "en"), ==,
                   "Microsoft Exchange (our copy)");
  g_free (path);

  /* the same length, one byte else: a value that changes */
  at = strstr (text, "\nName=Microsoft Exchange\n");
  at[strlen ("\nName=Microsoft ")] = 'e';
  path = write_copy ("modified", "exchange.codes", text, len);
  ref = load_one (path, SMTPCODES_LOAD_STRICT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_module_get_name (smtpcodes_registry_get_module (ref, "exchange"), "en"), ==,
                   "Microsoft exchange");
  smtpcodes_registry_unref (reg);
  smtpcodes_registry_unref (ref);
  g_string_free (edited, TRUE);
  g_free (path);
  g_free (text);
}

/* The digest is XXH64 (seed 0): the reference implementation's values (xxhsum -H1), in one
 * piece and in pieces of every size, across the 32-byte stripes and the 8/4/1-byte tail. */
static void
test_digest (void)
{
  static const struct { const char *text; guint64 want; } ref[] = {
    { "", G_GUINT64_CONSTANT (0xef46db3751d8e999) },
    { "a", G_GUINT64_CONSTANT (0xd24ec4f1a98c6e5b) },
    { "abc", G_GUINT64_CONSTANT (0x44bc2cf5ad770999) },
  };
  GString *s = g_string_new (NULL);
  gsize len;
  char *text = shipped_text ("exchange", &len);

  for (guint i = 0; i < G_N_ELEMENTS (ref); i++)
    g_assert_cmphex (_smtpcodes_digest (ref[i].text, strlen (ref[i].text)), ==, ref[i].want);
  /* the shipped files' own digests (those gen-builtin stored) */
  g_assert_cmphex (_smtpcodes_digest (text, len), ==, G_GUINT64_CONSTANT (0xc23fa278e1c9a7d9));
  for (guint n = 0; n < 100; n++)
    {
      guint64 whole;
      g_string_append_c (s, (char) ('a' + n % 26));
      whole = _smtpcodes_digest (s->str, s->len);
      for (gsize piece = 1; piece <= s->len; piece++)
        {
          SmtpcodesDigest d;
          _smtpcodes_digest_init (&d);
          for (gsize at = 0; at < s->len; at += piece)
            _smtpcodes_digest_update (&d, s->str + at, MIN (piece, s->len - at));
          g_assert_cmphex (_smtpcodes_digest_finish (&d), ==, whole);
        }
    }
  /* 64 'a'..'z' cycles: two whole stripes; 70: and a tail of 8 + 4 + 2 */
  g_assert_cmphex (_smtpcodes_digest (s->str, 64), ==, G_GUINT64_CONSTANT (0x14696b774542d718));
  g_assert_cmphex (_smtpcodes_digest (s->str, 70), ==, G_GUINT64_CONSTANT (0x8275c9755f712f39));
  g_string_free (s, TRUE);
  g_free (text);
}

/* A copy of a shipped file's length with other bytes is parsed, wherever the bytes differ:
 * the first stripe, the middle, the tail that the digest takes last, two bytes swapped. */
static void
test_same_length (void)
{
  gsize len;
  char *text = shipped_text ("exchange", &len), *orig = shipped_path ("exchange");
  SmtpcodesRegistry *ref = load_one (orig, SMTPCODES_LOAD_NO_BUILTIN, NULL);
  char *want = describe (ref, "exchange");
  char *comment = strstr (text, "\n# Priority 30 for exact Exchange identifiers");
  struct { gsize at; char to; gboolean same_module; } edits[] = {
    { 2, 'E', TRUE },                      /* "# exchange.codes" -> "# Exchange.codes" */
    { comment - text + 3, 'p', TRUE },     /* "# Priority" -> "# priority" */
    { len - 2, '!', FALSE },               /* the last Advice[de] ends with "!" */
    { 0, 0, TRUE },                        /* two letters of the comment swapped */
  };

  g_assert_nonnull (comment);
  g_assert_cmpint (text[len - 2], ==, '.');
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      char *copy = g_strndup (text, len), *path, *got;
      SmtpcodesRegistry *reg;
      GError *error = NULL;
      if (edits[i].to)
        {
          g_assert_cmpint (copy[edits[i].at], !=, edits[i].to);
          copy[edits[i].at] = edits[i].to;
        }
      else
        {
          gsize at = comment - text + 3;   /* "Pr" -> "rP" */
          copy[at] = text[at + 1];
          copy[at + 1] = text[at];
        }
      path = write_copy ("same-length", "exchange.codes", copy, len);
      reg = load_one (path, SMTPCODES_LOAD_STRICT | SMTPCODES_LOAD_NO_BUILTIN, &error);
      g_assert_no_error (error);
      g_assert_false (shares_text (reg, ref, "exchange"));
      got = describe (reg, "exchange");
      if (edits[i].same_module)
        g_assert_cmpstr (got, ==, want);
      else
        g_assert_cmpstr (got, !=, want);
      g_free (got);
      smtpcodes_registry_unref (reg);
      g_free (path);
      g_free (copy);
    }
  smtpcodes_registry_unref (ref);
  g_free (want);
  g_free (text);
  g_free (orig);
}

/* A file that is rewritten in place (cut to nothing, written back in pieces, some of them
 * edited) while registries load it: each load gets the shipped module, a parsed one or a
 * rejection, never a crash. */
typedef struct {
  const char *path, *text;
  gsize       len;
  gint        stop;
} Rewriter;

static gpointer
rewrite_main (gpointer data)
{
  Rewriter *w = data;
  char *edited = g_strndup (w->text, w->len);
  edited[2] = 'E';
  for (guint round = 0; !g_atomic_int_get (&w->stop) && round < 100000; round++)
    {
      const char *src = round % 3 == 1 ? edited : w->text;
      int fd = open (w->path, O_WRONLY);
      gsize at = 0;
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (ftruncate (fd, 0), ==, 0);
      while (at < w->len)
        {
          gsize n = MIN (w->len - at, 4096 * (1 + round % 7));
          g_assert_cmpint (write (fd, src + at, n), ==, (gssize) n);
          at += n;
        }
      if (round % 5 == 4)
        g_assert_cmpint (ftruncate (fd, (off_t) (w->len / 2)), ==, 0);
      close (fd);
    }
  g_free (edited);
  return NULL;
}

static void
test_rewritten (void)
{
  gsize len;
  char *text = shipped_text ("google", &len), *orig = shipped_path ("google");
  SmtpcodesRegistry *ref = load_one (orig, SMTPCODES_LOAD_NO_BUILTIN, NULL);
  char *want = describe (ref, "google");
  Rewriter w = { NULL, text, len, 0 };
  guint known = 0, parsed = 0, rejected = 0;
  GThread *t;

  w.path = write_copy ("rewritten", "google.codes", text, len);
  t = g_thread_new ("rewrite", rewrite_main, &w);
  for (guint i = 0; i < 300; i++)
    {
      SmtpcodesRegistry *reg = load_one (w.path, SMTPCODES_LOAD_NO_BUILTIN, NULL);
      if (smtpcodes_registry_get_module (reg, "google") == NULL)
        rejected++;
      else if (shares_text (reg, ref, "google"))
        {
          /* taken as the shipped file: then it is the shipped module */
          char *got = describe (reg, "google");
          g_assert_cmpstr (got, ==, want);
          g_free (got);
          known++;
        }
      else
        parsed++;
      smtpcodes_registry_unref (reg);
    }
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (t);
  g_test_message ("%u known, %u parsed, %u rejected", known, parsed, rejected);
  g_assert_cmpuint (known + parsed + rejected, ==, 300);
  smtpcodes_registry_unref (ref);
  g_free (want);
  g_free ((char *) w.path);
  g_free (text);
  g_free (orig);
}

/* A copy cut short or with more at the end is not taken for the shipped one. */
static void
test_truncated_extended (void)
{
  gsize len;
  char *text = shipped_text ("google", &len), *orig = shipped_path ("google");
  SmtpcodesRegistry *ref = load_one (orig, SMTPCODES_LOAD_NO_BUILTIN, NULL);
  char *want = describe (ref, "google");
  const gsize cuts[] = { len - 1, len / 2 };
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      char *path = write_copy ("truncated", "google.codes", text, cuts[i]);
      SmtpcodesRegistry *reg = load_one (path, SMTPCODES_LOAD_NO_BUILTIN, &error);
      const SmtpcodesModule *m;
      g_assert_no_error (error);
      m = smtpcodes_registry_get_module (reg, "google");
      if (m)
        {
          /* parsed: its own text, and only what the bytes say */
          char *got = describe (reg, "google");
          g_assert_false (shares_text (reg, ref, "google"));
          if (cuts[i] == len - 1)
            g_assert_cmpstr (got, ==, want);   /* only the last newline is gone */
          else
            g_assert_cmpuint (smtpcodes_module_get_n_entries (m), <, smtpcodes_module_get_n_entries (smtpcodes_registry_get_module (ref, "google")));
          g_free (got);
        }
      else
        g_assert_nonnull (smtpcodes_registry_get_rejected (reg)[0]);
      smtpcodes_registry_unref (reg);
      g_free (path);
    }
  {
    char *more = g_strconcat (text, "\n[Reply 599]\nSummary=x\n", NULL);
    char *path = write_copy ("extended", "google.codes", more, strlen (more));
    SmtpcodesRegistry *reg = load_one (path, SMTPCODES_LOAD_NO_BUILTIN, &error);
    g_assert_no_error (error);
    /* whatever the parser makes of it (here: a rejection, the group lacks keys), not the
     * shipped module */
    if (smtpcodes_registry_get_module (reg, "google"))
      g_assert_false (shares_text (reg, ref, "google"));
    else
      g_assert_nonnull (strstr (smtpcodes_registry_get_rejected (reg)[0], "[Reply 599]"));
    smtpcodes_registry_unref (reg);
    g_free (path);
    g_free (more);
  }
  smtpcodes_registry_unref (ref);
  g_free (want);
  g_free (text);
  g_free (orig);
}

/* Identical bytes under another name fail as the parser says; two identical copies on the
 * path: the second is hidden (and fatal when strict). */
static void
test_name_and_duplicates (void)
{
  gsize len;
  char *text = shipped_text ("yahoo", &len);
  char *other = write_copy ("renamed", "other.codes", text, len);
  char *first = write_copy ("dup1", "yahoo.codes", text, len), *second = write_copy ("dup2", "yahoo.codes", text, len);
  char *d1 = g_build_filename (tmpdir, "dup1", NULL), *d2 = g_build_filename (tmpdir, "dup2", NULL);
  const char *path[] = { d1, d2, NULL };
  GError *error = NULL;
  SmtpcodesRegistry *reg = load_one (other, SMTPCODES_LOAD_DEFAULT, &error);
  const char *const *rej;
  char *want;

  g_assert_no_error (error);
  rej = smtpcodes_registry_get_rejected (reg);
  g_assert_null (smtpcodes_registry_get_module (reg, "yahoo"));
  g_assert_nonnull (rej[0]);
  g_assert_nonnull (strstr (rej[0], "other.codes:"));
  g_assert_nonnull (strstr (rej[0], ": Id: 'yahoo' does not match the file name (expected 'other')"));
  smtpcodes_registry_unref (reg);
  g_assert_null (load_one (other, SMTPCODES_LOAD_STRICT, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_module_get_filename (smtpcodes_registry_get_module (reg, "yahoo")), ==, first);
  rej = smtpcodes_registry_get_rejected (reg);
  want = g_strdup_printf ("%s: module 'yahoo' is hidden by %s, found earlier on the search path", second, first);
  g_assert_cmpstr (rej[0], ==, want);
  g_assert_null (rej[1]);
  smtpcodes_registry_unref (reg);
  g_assert_null (smtpcodes_registry_new (path, SMTPCODES_LOAD_STRICT, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_free (want);
  g_free (text);
  g_free (other);
  g_free (first);
  g_free (second);
  g_free (d1);
  g_free (d2);
}


/* The automata made when the library was built (over all shipped modules, as installed;
 * over the built-in ones) must explain every text as one built at run time over parsed
 * modules: shipped files as installed (vendor files + built-in modules), all shipped files
 * from one directory (another order), the vendor files parsed + built-in modules, and
 * everything parsed (copies with a comment added) with no built-in module. */
static void
test_automata (void)
{
  char *installed = g_build_filename (tmpdir, "installed", NULL), *all = g_build_filename (tmpdir, "all", NULL);
  char *commented = g_build_filename (tmpdir, "commented", NULL), *vcommented = g_build_filename (tmpdir, "vcommented", NULL);
  SmtpcodesRegistry *regs[4];
  char **lines[3] = { test_data_lines ("seed-codes.tsv"), test_data_lines ("reference-codes.txt"), NULL };
  GError *error = NULL;
  guint compared = 0;

  for (guint i = 0; i < G_N_ELEMENTS (shipped); i++)
    {
      gsize len;
      char *text = shipped_text (shipped[i], &len), *name = g_strconcat (shipped[i], ".codes", NULL);
      char *mod = g_strconcat (text, "# a comment\n", NULL);
      g_free (write_copy ("all", name, text, len));
      if (i < N_VENDORS)
        {
          g_free (write_copy ("installed", name, text, len));
          g_free (write_copy ("vcommented", name, mod, strlen (mod)));
        }
      g_free (write_copy ("commented", name, mod, strlen (mod)));
      g_free (text);
      g_free (mod);
      g_free (name);
    }
  {
    const char *p0[] = { installed, NULL }, *p1[] = { all, NULL }, *p2[] = { vcommented, NULL }, *p3[] = { commented, NULL };
    regs[0] = smtpcodes_registry_new (p0, SMTPCODES_LOAD_STRICT, &error);
    g_assert_no_error (error);
    regs[1] = smtpcodes_registry_new (p1, SMTPCODES_LOAD_STRICT, &error);
    g_assert_no_error (error);
    regs[2] = smtpcodes_registry_new (p2, SMTPCODES_LOAD_STRICT, &error);
    g_assert_no_error (error);
    regs[3] = smtpcodes_registry_new (p3, SMTPCODES_LOAD_STRICT | SMTPCODES_LOAD_NO_BUILTIN, &error);
    g_assert_no_error (error);
  }
  g_assert_true (shares_text (regs[0], regs[1], "exchange"));
  g_assert_false (shares_text (regs[0], regs[2], "exchange"));
  g_assert_true (shares_text (regs[0], regs[2], "standard"));
  g_assert_false (shares_text (regs[0], regs[3], "standard"));
  for (guint f = 0; f < 3; f++)
    for (guint i = 0; f == 2 ? test_vendor_texts[i] != NULL : lines[f][i] != NULL; i++)
      {
        const char *text = f == 2 ? test_vendor_texts[i] : lines[f][i];
        char *want = NULL;
        for (guint r = 0; r < G_N_ELEMENTS (regs); r++)
          {
            SmtpcodesVerdict *v = smtpcodes_registry_explain_text (regs[r], text, -1, NULL, NULL);
            char *got = v ? test_verdict_print (v) : g_strdup ("(none)");
            if (r == 0)
              want = got;
            else
              {
                g_assert_cmpstr (got, ==, want);
                g_free (got);
              }
            if (v)
              smtpcodes_verdict_unref (v);
          }
        g_free (want);
        compared++;
      }
  g_assert_cmpuint (compared, >, 100);
  for (guint r = 0; r < G_N_ELEMENTS (regs); r++)
    smtpcodes_registry_unref (regs[r]);
  g_strfreev (lines[0]);
  g_strfreev (lines[1]);
  g_free (installed);
  g_free (all);
  g_free (commented);
  g_free (vcommented);
}

static void
rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;
  if (d)
    {
      while ((name = g_dir_read_name (d)))
        {
          char *p = g_build_filename (path, name, NULL);
          rm_rf (p);
          g_free (p);
        }
      g_dir_close (d);
    }
  g_remove (path);
}

int
main (int argc, char **argv)
{
  int rc;
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("test-known-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_test_add_func ("/known/identical", test_identical);
  g_test_add_func ("/known/modified", test_modified);
  g_test_add_func ("/known/digest", test_digest);
  g_test_add_func ("/known/same-length", test_same_length);
  g_test_add_func ("/known/rewritten", test_rewritten);
  g_test_add_func ("/known/truncated-extended", test_truncated_extended);
  g_test_add_func ("/known/name-and-duplicates", test_name_and_duplicates);
  g_test_add_func ("/known/automata", test_automata);
  rc = g_test_run ();
  rm_rf (tmpdir);
  g_free (tmpdir);
  return rc;
}
