/* test-modules: the module loader, one malformed fixture per defect */
#include <string.h>
#include <glib/gstdio.h>
#include <libsmtpcodes/smtpcodes.h>

typedef struct {
  const char *name;      /* tests/data/invalid/<name>.codes */
  int         code;      /* SmtpcodesError */
  guint       line;
  const char *key;       /* must appear as ": key:" in the message, or NULL */
  gboolean    strict_only;
} Defect;

static const Defect defects[] = {
  { "duplicate-group", SMTPCODES_ERROR_DUPLICATE, 19, NULL, FALSE },
  { "duplicate-key", SMTPCODES_ERROR_DUPLICATE, 11, "Reason", FALSE },
  { "unknown-key", SMTPCODES_ERROR_UNKNOWN_KEY, 11, "Sauce", FALSE },
  { "missing-translation", SMTPCODES_ERROR_MISSING_TRANSLATION, 16, "Advice", TRUE },
  { "format-version", SMTPCODES_ERROR_FORMAT_VERSION, 7, "FormatVersion", FALSE },
  { "unknown-reason", SMTPCODES_ERROR_INVALID_VALUE, 10, "Reason", FALSE },
  { "bad-reply-code", SMTPCODES_ERROR_INVALID_CODE, 9, NULL, FALSE },
  { "bad-status-code", SMTPCODES_ERROR_INVALID_CODE, 9, NULL, FALSE },
  { "missing-summary", SMTPCODES_ERROR_MISSING_KEY, 9, "Summary", FALSE },
  { "no-module-group", SMTPCODES_ERROR_SYNTAX, 1, NULL, FALSE },
  { "key-outside-group", SMTPCODES_ERROR_SYNTAX, 1, NULL, FALSE },
  { "not-key-value", SMTPCODES_ERROR_SYNTAX, 11, NULL, FALSE },
  { "id-mismatch", SMTPCODES_ERROR_INVALID_VALUE, 2, "Id", FALSE },
  { "invalid-utf8", SMTPCODES_ERROR_SYNTAX, 13, NULL, FALSE },
  { "nul-byte", SMTPCODES_ERROR_SYNTAX, 11, NULL, FALSE },
  { "bad-escape", SMTPCODES_ERROR_SYNTAX, 11, "Source", FALSE },
  { "bad-class", SMTPCODES_ERROR_INVALID_VALUE, 10, "Class", FALSE },
  { "bad-boolean", SMTPCODES_ERROR_INVALID_VALUE, 11, "Generic", FALSE },
  { "class-on-x-group", SMTPCODES_ERROR_INVALID_VALUE, 10, "Class", FALSE },
  { "unknown-group-kind", SMTPCODES_ERROR_SYNTAX, 9, NULL, FALSE },
  { "bad-kind", SMTPCODES_ERROR_INVALID_VALUE, 5, "Kind", FALSE },
  { "translation-without-english", SMTPCODES_ERROR_MISSING_KEY, 16, "Advice", FALSE },
  { "bad-priority", SMTPCODES_ERROR_INVALID_VALUE, 12, "Priority", FALSE },
  { "empty-list-item", SMTPCODES_ERROR_INVALID_VALUE, 11, "ReplyCodes", FALSE },
  { "locale-on-plain-key", SMTPCODES_ERROR_SYNTAX, 11, "Source[de]", FALSE },
  { "missing-class-1xx", SMTPCODES_ERROR_MISSING_KEY, 9, "Class", FALSE },
  { "bad-group-header", SMTPCODES_ERROR_SYNTAX, 9, NULL, FALSE },
  { "empty", SMTPCODES_ERROR_SYNTAX, 1, NULL, FALSE },
};

static void
test_defect (gconstpointer data)
{
  const Defect *d = data;
  char *base = g_strdup_printf ("%s.codes", d->name);
  char *path = g_test_build_filename (G_TEST_DIST, "data", "invalid", base, NULL);
  char *where = g_strdup_printf ("%s:%u:", base, d->line);
  GError *error = NULL;

  g_assert_false (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_STRICT, &error));
  g_assert_error (error, SMTPCODES_ERROR, d->code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, where));
  if (d->key)
    {
      char *k = g_strdup_printf (": %s: ", d->key);
      g_assert_nonnull (strstr (error->message, k));
      g_free (k);
    }
  g_clear_error (&error);

  /* lenient: strict-only defects pass; others still fail */
  if (d->strict_only)
    g_assert_true (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_DEFAULT, &error));
  else
    {
      g_assert_false (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_DEFAULT, &error));
      g_assert_error (error, SMTPCODES_ERROR, d->code);
      g_clear_error (&error);
    }
  g_free (where);
  g_free (path);
  g_free (base);
}

/* Every fixture in data/invalid/ must be covered by the table above. */
static void
test_all_fixtures_listed (void)
{
  char *dir = g_test_build_filename (G_TEST_DIST, "data", "invalid", NULL);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)))
    {
      gboolean found = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (defects); i++)
        {
          char *base = g_strdup_printf ("%s.codes", defects[i].name);
          found |= g_str_equal (base, name);
          g_free (base);
        }
      if (!found)
        g_test_message ("fixture %s has no expectation", name);
      g_assert_true (found);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (defects));
  g_dir_close (d);
  g_free (dir);
}

/* A bad module on the search path is skipped and reported; the others still load. */
static void
test_bad_module_skipped (void)
{
  char *valid = g_test_build_filename (G_TEST_DIST, "data", "valid", NULL);
  char *invalid = g_test_build_filename (G_TEST_DIST, "data", "invalid", NULL);
  const char *path[] = { invalid, valid, NULL };
  GError *error = NULL;
  SmtpcodesRegistry *reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_DEFAULT, &error);
  const char *const *rejected;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_nonnull (reg);
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "acme"));
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "site-local"));
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "english-only"));
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "standard"));
  /* missing-translation.codes loads leniently */
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "missing-translation"));
  rejected = smtpcodes_registry_get_rejected (reg);
  for (; rejected[n]; n++)
    g_assert_nonnull (strstr (rejected[n], ".codes:"));
  /* every defect but the strict-only one is rejected */
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (defects) - 1);
  smtpcodes_registry_unref (reg);

  /* strict mode makes the first defect fatal */
  reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_STRICT, &error);
  g_assert_null (reg);
  g_assert_nonnull (error);
  g_assert_true (error->domain == SMTPCODES_ERROR);
  g_clear_error (&error);
  g_free (valid);
  g_free (invalid);
}

static void
test_valid_modules (void)
{
  const char *names[] = { "acme.codes", "site-local.codes", NULL };
  for (guint i = 0; names[i]; i++)
    {
      char *path = g_test_build_filename (G_TEST_DIST, "data", "valid", names[i], NULL);
      GError *error = NULL;
      g_assert_true (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_STRICT, &error));
      g_assert_no_error (error);
      g_free (path);
    }
  {
    char *path = g_test_build_filename (G_TEST_DIST, "data", "valid", "english-only.codes", NULL);
    GError *error = NULL;
    g_assert_false (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_STRICT, &error));
    g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_MISSING_TRANSLATION);
    g_clear_error (&error);
    g_assert_true (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_DEFAULT, &error));
    g_assert_no_error (error);
    g_free (path);
  }
}

/* Malformed UTF-8 the loader must name by line: overlong forms, surrogates, truncated and
 * out-of-range sequences, stray continuation bytes; and well-formed text that must pass. */
static void
test_utf8_forms (void)
{
  const char *bad[] = { "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC3",
                        "\x80", "\xFF", "\xE2\x82", NULL };
  const char *good[] = { "\xC3\xA4\xC3\xB6\xC3\xBC\xC3\x9F", "\xE2\x82\xAC", "\xF0\x9F\x93\xA7", "plain", NULL };
  char *dir = g_dir_make_tmp ("smtpcodes-utf8-XXXXXX", NULL);
  char *path = g_build_filename (dir, "utf.codes", NULL);

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; (pass ? good : bad)[i]; i++)
      {
        GError *error = NULL;
        char *text = g_strdup_printf ("[Module]\nId=utf\nName=U\nName[de]=U\nKind=site\nVersion=1\nFormatVersion=1\n"
                                      "# padding so the bytes do not start a word: abcdefgh\nDescription=x%sx\n",
                                      (pass ? good : bad)[i]);
        g_assert_true (g_file_set_contents (path, text, -1, NULL));
        if (pass == 0)
          {
            g_assert_false (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_DEFAULT, &error));
            g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX);
            g_assert_nonnull (strstr (error->message, "utf.codes:9:"));
            g_clear_error (&error);
          }
        else
          {
            g_assert_true (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_DEFAULT, &error));
            g_assert_no_error (error);
          }
        g_free (text);
      }
  g_remove (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* Many groups (the loader's set of group names grows several times), lists with and
 * without escaped ';', and a repeated group far down. */
static void
test_many_groups_and_lists (void)
{
  char *dir = g_dir_make_tmp ("smtpcodes-groups-XXXXXX", NULL);
  char *path = g_build_filename (dir, "many.codes", NULL);
  const char *files[] = { path, NULL };
  GString *text = g_string_new ("[Module]\nId=many\nName=M\nKind=site\nVersion=1\nFormatVersion=1\n");
  GError *error = NULL;
  SmtpcodesRegistry *reg;
  guint dup_line = 0, lines;

  for (int i = 0; i < 600; i++)
    {
      g_string_append_printf (text, "\n[Pattern p-%d]\n", i);
      g_string_append_printf (text, "Match=%s\nReason=filtered\nSummary=S\nExplanation=E\nAdvice=A\nSource=test\n",
                              i == 1 ? " one ;two words;  three  " : i == 2 ? " a\\;b ; cc;dd\\;\\;e " : "marker%d");
    }
  /* the line of [Pattern p-7]: count */
  lines = 1;
  for (const char *q = text->str; *q; q++)
    {
      if (g_str_has_prefix (q, "[Pattern p-7]\n"))
        dup_line = lines;
      lines += *q == '\n';
    }
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  reg = smtpcodes_registry_new_from_files (files, SMTPCODES_LOAD_NO_BUILTIN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_registry_get_rejected (reg)[0], ==, NULL);
  {
    GPtrArray *all = smtpcodes_registry_list (reg, "many");
    const char *const *m1 = NULL, *const *m2 = NULL;
    g_assert_cmpuint (all->len, ==, 600);
    for (guint i = 0; i < all->len; i++)
      {
        const char *code = smtpcodes_entry_get_code (all->pdata[i]);
        if (g_str_equal (code, "p-1"))
          m1 = smtpcodes_entry_get_markers (all->pdata[i]);
        if (g_str_equal (code, "p-2"))
          m2 = smtpcodes_entry_get_markers (all->pdata[i]);
      }
    g_assert_nonnull (m1);
    g_assert_nonnull (m2);
    g_assert_cmpuint (g_strv_length ((char **) m1), ==, 3);
    g_assert_cmpstr (m1[0], ==, "one");
    g_assert_cmpstr (m1[1], ==, "two words");
    g_assert_cmpstr (m1[2], ==, "three");
    g_assert_cmpuint (g_strv_length ((char **) m2), ==, 3);
    g_assert_cmpstr (m2[0], ==, "a;b");
    g_assert_cmpstr (m2[1], ==, "cc");
    g_assert_cmpstr (m2[2], ==, "dd;;e");
    g_ptr_array_unref (all);
  }
  smtpcodes_registry_unref (reg);

  /* an empty item, without and with escapes */
  for (int esc = 0; esc < 2; esc++)
    {
      GString *bad = g_string_new (text->str);
      g_string_append_printf (bad, "\n[Pattern last]\nMatch=%s\nReason=filtered\nSummary=S\nExplanation=E\nAdvice=A\nSource=t\n",
                              esc ? "x\\;y;;z" : "x;;z");
      g_assert_true (g_file_set_contents (path, bad->str, (gssize) bad->len, NULL));
      g_assert_false (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_DEFAULT, &error));
      g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "empty list item"));
      g_clear_error (&error);
      g_string_free (bad, TRUE);
    }

  /* the repeat names the first */
  g_string_append (text, "\n[Pattern p-7]\nMatch=again\n");
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  g_assert_false (smtpcodes_registry_validate_file (path, SMTPCODES_LOAD_DEFAULT, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_DUPLICATE);
  {
    char *want = g_strdup_printf ("group appears twice (first at line %u)", dup_line);
    g_assert_nonnull (strstr (error->message, want));
    g_free (want);
  }
  g_clear_error (&error);
  g_string_free (text, TRUE);
  g_remove (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

static void
test_missing_file (void)
{
  GError *error = NULL;
  g_assert_false (smtpcodes_registry_validate_file ("/nonexistent/x.codes", SMTPCODES_LOAD_STRICT, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.codes"));
  g_clear_error (&error);
}

/* The shipped modules are plain key files: GKeyFile reads them too (so editors, translators
 * and `msgfmt --desktop` can handle them), and our duplicate check is stricter than
 * GKeyFile's, which silently keeps the last of two equal keys (pinned here). */
static void
test_gkeyfile_compatible (void)
{
  const char *mods[] = { "standard", "enhanced", "wording", "commands", NULL };
  char *dup = g_test_build_filename (G_TEST_DIST, "data", "invalid", "duplicate-key.codes", NULL);
  GKeyFile *kf = g_key_file_new ();
  GError *error = NULL;
  char *v;

  for (guint i = 0; mods[i]; i++)
    {
      char *base = g_strdup_printf ("%s.codes", mods[i]);
      char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "modules", base, NULL);
      GKeyFile *k = g_key_file_new ();
      g_assert_true (g_key_file_load_from_file (k, path, G_KEY_FILE_NONE, &error));
      g_assert_no_error (error);
      v = g_key_file_get_value (k, "Module", "Id", NULL);
      g_assert_cmpstr (v, ==, mods[i]);
      g_free (v);
      g_key_file_unref (k);
      g_free (path);
      g_free (base);
    }
  g_assert_true (g_key_file_load_from_file (kf, dup, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  v = g_key_file_get_value (kf, "Status 5.7.1", "Reason", NULL);
  g_assert_cmpstr (v, ==, "spamdetected");
  g_free (v);
  g_key_file_unref (kf);
  g_free (dup);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (defects); i++)
    {
      char *p = g_strdup_printf ("/modules/invalid/%s", defects[i].name);
      g_test_add_data_func (p, &defects[i], test_defect);
      g_free (p);
    }
  g_test_add_func ("/modules/invalid/all-listed", test_all_fixtures_listed);
  g_test_add_func ("/modules/valid", test_valid_modules);
  g_test_add_func ("/modules/missing-file", test_missing_file);
  g_test_add_func ("/modules/many-groups-and-lists", test_many_groups_and_lists);
  g_test_add_func ("/modules/utf8-forms", test_utf8_forms);
  g_test_add_func ("/modules/search-path/bad-skipped", test_bad_module_skipped);
  g_test_add_func ("/modules/gkeyfile-compatible", test_gkeyfile_compatible);
  return g_test_run ();
}
