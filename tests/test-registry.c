/* test-registry: loading, search path, look-up order, fall-back, reference counting */
#include <string.h>
#include <glib/gstdio.h>
#include <libsmtpcodes/smtpcodes.h>

static SmtpcodesRegistry *
fixture_registry (void)
{
  char *valid = g_test_build_filename (G_TEST_DIST, "data", "valid", NULL);
  const char *path[] = { valid, NULL };
  GError *error = NULL;
  SmtpcodesRegistry *reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reg);
  g_free (valid);
  return reg;
}

static void
test_builtin (void)
{
  const char *empty[] = { NULL };
  GError *error = NULL;
  SmtpcodesRegistry *reg = smtpcodes_registry_new (empty, SMTPCODES_LOAD_STRICT, &error);
  GPtrArray *mods;

  g_assert_no_error (error);
  mods = smtpcodes_registry_get_modules (reg);
  g_assert_cmpuint (mods->len, ==, 4);
  for (guint i = 0; i < mods->len; i++)
    {
      g_assert_true (smtpcodes_module_is_builtin (mods->pdata[i]));
      g_assert_cmpstr (smtpcodes_module_get_kind (mods->pdata[i]), ==, "standard");
      g_assert_true (g_str_has_prefix (smtpcodes_module_get_filename (mods->pdata[i]), "builtin:"));
      g_assert_cmpuint (smtpcodes_module_get_n_entries (mods->pdata[i]), >, 10);
    }
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "standard"));
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "enhanced"));
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "wording"));
  g_assert_nonnull (smtpcodes_registry_get_module (reg, "commands"));
  g_assert_null (smtpcodes_registry_get_module (reg, "nope"));
  g_assert_null (smtpcodes_registry_get_rejected (reg)[0]);
  g_ptr_array_unref (mods);
  smtpcodes_registry_unref (reg);
}

static void
test_no_builtin (void)
{
  const char *empty[] = { NULL };
  GError *error = NULL;
  SmtpcodesRegistry *reg = smtpcodes_registry_new (empty, SMTPCODES_LOAD_NO_BUILTIN, &error);
  GPtrArray *list;
  g_assert_no_error (error);
  list = smtpcodes_registry_lookup (reg, NULL, "550", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);   /* a missing code is not an error */
  g_ptr_array_unref (list);
  smtpcodes_registry_unref (reg);
}

static void
test_lookup_order (void)
{
  SmtpcodesRegistry *reg = smtpcodes_registry_get_default ();
  GError *error = NULL;
  GPtrArray *list = smtpcodes_registry_lookup (reg, NULL, "550 5.1.1", &error);
  const SmtpcodesEntry *last;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, 2);
  /* status before reply: the more specific meaning first */
  g_assert_cmpint (smtpcodes_entry_get_kind (list->pdata[0]), ==, SMTPCODES_ENTRY_STATUS);
  g_assert_cmpstr (smtpcodes_entry_get_status (list->pdata[0]), ==, "X.1.1");
  last = list->pdata[list->len - 1];
  g_assert_cmpint (smtpcodes_entry_get_kind (last), ==, SMTPCODES_ENTRY_REPLY);
  g_assert_cmpint (smtpcodes_entry_get_reply_code (last), ==, 550);
  g_ptr_array_unref (list);

  /* a pair entry comes first */
  list = smtpcodes_registry_lookup (reg, NULL, "535 5.7.8", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, 3);
  g_assert_cmpstr (smtpcodes_entry_get_code (list->pdata[0]), ==, "535 5.7.8");
  g_ptr_array_unref (list);
}

static void
test_lookup_forms (void)
{
  SmtpcodesRegistry *reg = smtpcodes_registry_get_default ();
  const char *good[] = { "550", "5.7.1", "550 5.7.1", " 421 ", "5.1.x", "5.1.X", "X.7.1", "4.XXX.XXX", "X.1.XXX", NULL };
  const char *bad[] = { "", "abc", "55", "5500", "650", "5.7", "5.7.1.2", "9.1.1", "550 a.c", "5.XXX.1", "550 5.7.1 x",
                        "550 TOOLONGCOMMANDNAME", "5.7.1 ETRN", NULL };

  for (guint i = 0; good[i]; i++)
    {
      GError *error = NULL;
      GPtrArray *list = smtpcodes_registry_lookup (reg, NULL, good[i], &error);
      g_test_message ("lookup '%s'", good[i]);
      g_assert_no_error (error);
      g_assert_cmpuint (list->len, >, 0);
      g_ptr_array_unref (list);
    }
  for (guint i = 0; bad[i]; i++)
    {
      GError *error = NULL;
      GPtrArray *list = smtpcodes_registry_lookup (reg, NULL, bad[i], &error);
      g_test_message ("lookup '%s'", bad[i]);
      g_assert_null (list);
      g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_clear_error (&error);
    }
}

static void
test_fallback (void)
{
  SmtpcodesRegistry *reg = smtpcodes_registry_get_default ();
  GError *error = NULL;
  GPtrArray *list = smtpcodes_registry_lookup (reg, NULL, "5.7.99", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (smtpcodes_entry_get_code (list->pdata[0]), ==, "X.7.XXX");
  g_assert_cmpstr (smtpcodes_entry_get_code (list->pdata[1]), ==, "5.XXX.XXX");
  g_ptr_array_unref (list);

  /* an unknown subject falls back to the class alone */
  list = smtpcodes_registry_lookup (reg, NULL, "4.9.1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (smtpcodes_entry_get_code (list->pdata[0]), ==, "4.XXX.XXX");
  g_ptr_array_unref (list);
}

static void
test_vendor_and_site (void)
{
  SmtpcodesRegistry *reg = fixture_registry ();
  GError *error = NULL;
  GPtrArray *list;

  /* site module: adds a code, and its X.1.1 comes before the standard one */
  list = smtpcodes_registry_lookup (reg, NULL, "599", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (smtpcodes_entry_get_module_id (list->pdata[0]), ==, "site-local");
  g_ptr_array_unref (list);
  list = smtpcodes_registry_lookup (reg, NULL, "5.1.1", &error);
  g_assert_cmpstr (smtpcodes_entry_get_module_id (list->pdata[0]), ==, "site-local");
  g_assert_cmpstr (smtpcodes_entry_get_module_id (list->pdata[1]), ==, "enhanced");
  g_ptr_array_unref (list);

  /* vendor requested: its meaning before the standard one */
  list = smtpcodes_registry_lookup (reg, "acme", "5.7.1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_entry_get_module_id (list->pdata[0]), ==, "acme");
  g_assert_cmpstr (smtpcodes_entry_get_module_id (list->pdata[1]), ==, "enhanced");
  g_ptr_array_unref (list);
  /* no vendor: standard first, vendor meaning after */
  list = smtpcodes_registry_lookup (reg, NULL, "5.7.1", &error);
  g_assert_cmpstr (smtpcodes_entry_get_module_id (list->pdata[0]), ==, "enhanced");
  g_assert_cmpstr (smtpcodes_entry_get_module_id (list->pdata[list->len - 1]), ==, "acme");
  g_ptr_array_unref (list);
  /* unknown vendor is an error that names it */
  list = smtpcodes_registry_lookup (reg, "nosuch", "5.7.1", &error);
  g_assert_null (list);
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "nosuch"));
  g_clear_error (&error);
  smtpcodes_registry_unref (reg);
}

/* The first module with an Id wins: a file on the search path overrides a built-in one. */
static void
test_override_builtin (void)
{
  char *dir = g_dir_make_tmp ("smtpcodes-XXXXXX", NULL);
  char *file = g_build_filename (dir, "wording.codes", NULL);
  const char *path[] = { dir, NULL };
  const char *text =
    "[Module]\nId=wording\nName=Local wording\nName[de]=Lokale Formulierungen\nKind=standard\nVersion=9\nFormatVersion=1\n";
  GError *error = NULL;
  SmtpcodesRegistry *reg;

  g_assert_true (g_file_set_contents (file, text, -1, NULL));
  reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_STRICT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_module_get_version (smtpcodes_registry_get_module (reg, "wording")), ==, "9");
  g_assert_false (smtpcodes_module_is_builtin (smtpcodes_registry_get_module (reg, "wording")));
  g_assert_cmpuint (smtpcodes_module_get_n_entries (smtpcodes_registry_get_module (reg, "wording")), ==, 0);
  smtpcodes_registry_unref (reg);
  g_remove (file);
  g_rmdir (dir);
  g_free (file);
  g_free (dir);
}

static void
test_search_path_env (void)
{
  if (g_test_subprocess ())
    {
      char **dirs;
      char *valid = g_test_build_filename (G_TEST_DIST, "data", "valid", NULL);
      SmtpcodesRegistry *reg;
      g_setenv ("SMTPCODES_MODULE_PATH", valid, TRUE);
      dirs = smtpcodes_registry_get_default_search_path ();
      g_assert_cmpstr (dirs[0], ==, valid);
      g_strfreev (dirs);
      reg = smtpcodes_registry_get_default ();
      g_assert_nonnull (smtpcodes_registry_get_module (reg, "acme"));
      g_assert_true (smtpcodes_registry_get_default () == reg);
      g_free (valid);
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
}

/* A set XDG_DATA_DIRS names the system dirs: the installed module directory is searched only
 * when it is unset (else installed modules leak into hermetic runs such as the test suite). */
static void
test_search_path_installed (void)
{
  if (g_test_subprocess ())
    {
      char **dirs;
      g_setenv ("XDG_DATA_DIRS", "/nonexistent-a:/nonexistent-b", TRUE);
      dirs = smtpcodes_registry_get_default_search_path ();
      g_assert_false (g_strv_contains ((const char *const *) dirs, SMTPCODES_MODULEDIR));
      g_assert_true (g_strv_contains ((const char *const *) dirs, "/nonexistent-b/smtpcodes/modules"));
      g_strfreev (dirs);
      g_unsetenv ("XDG_DATA_DIRS");
      dirs = smtpcodes_registry_get_default_search_path ();
      g_assert_true (g_strv_contains ((const char *const *) dirs, SMTPCODES_MODULEDIR));
      g_strfreev (dirs);
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
}

static void
test_entry_keeps_registry (void)
{
  SmtpcodesRegistry *reg = fixture_registry ();
  GError *error = NULL;
  GPtrArray *list = smtpcodes_registry_lookup (reg, NULL, "599", &error);
  SmtpcodesEntry *e = smtpcodes_entry_ref (list->pdata[0]);

  g_ptr_array_unref (list);
  smtpcodes_registry_unref (reg);
  /* the registry is still alive through the entry */
  g_assert_cmpstr (smtpcodes_entry_get_summary (e, "de"), ==, "Unser lokaler Code 599");
  g_assert_cmpstr (smtpcodes_entry_get_summary (e, "de_AT.UTF-8"), ==, "Unser lokaler Code 599");
  g_assert_cmpstr (smtpcodes_entry_get_summary (e, "en"), ==, "Our local code 599");
  g_assert_cmpstr (smtpcodes_entry_get_summary (e, "fr"), ==, "Our local code 599");
  g_assert_cmpstr (smtpcodes_entry_get_summary (e, "C"), ==, "Our local code 599");
  g_assert_cmpint (smtpcodes_entry_get_class (e), ==, SMTPCODES_CLASS_PERMANENT);
  g_assert_cmpstr (smtpcodes_entry_get_reason (e), ==, "policyviolation");
  g_assert_false (smtpcodes_entry_get_retry (e));
  g_assert_cmpstr (smtpcodes_entry_get_source (e), ==, "Local policy");
  g_assert_cmpuint (smtpcodes_entry_get_line (e), ==, 9);
  smtpcodes_entry_unref (e);
}

static void
test_list_and_reasons (void)
{
  SmtpcodesRegistry *reg = smtpcodes_registry_get_default ();
  GPtrArray *all = smtpcodes_registry_list (reg, NULL);
  GPtrArray *std = smtpcodes_registry_list (reg, "standard");
  GPtrArray *none = smtpcodes_registry_list (reg, "nope");
  const char *const *reasons = smtpcodes_registry_list_reasons ();

  g_assert_cmpuint (all->len, >, std->len);
  g_assert_cmpuint (std->len, >=, 66);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) reasons), ==, 34);
  g_assert_true (smtpcodes_registry_is_reason ("userunknown"));
  g_assert_false (smtpcodes_registry_is_reason ("user-unknown"));
  g_assert_false (smtpcodes_registry_is_reason (NULL));
  /* the vocabulary is in alphabetical order (the library looks names up by bisection), and
   * every name, every prefix and every extension of one is told apart */
  for (guint i = 0; reasons[i]; i++)
    {
      char *longer = g_strconcat (reasons[i], "x", NULL);
      char *shorter = g_strndup (reasons[i], strlen (reasons[i]) - 1);
      if (i > 0)
        g_assert_cmpint (strcmp (reasons[i - 1], reasons[i]), <, 0);
      g_assert_true (smtpcodes_registry_is_reason (reasons[i]));
      g_assert_false (smtpcodes_registry_is_reason (longer));
      g_assert_false (smtpcodes_registry_is_reason (shorter));
      g_free (longer);
      g_free (shorter);
    }
  g_assert_false (smtpcodes_registry_is_reason (""));
  g_assert_false (smtpcodes_registry_is_reason ("a"));
  g_assert_false (smtpcodes_registry_is_reason ("zzz"));
  for (guint i = 0; i < all->len; i++)
    g_assert_true (smtpcodes_registry_is_reason (smtpcodes_entry_get_reason (all->pdata[i])));
  g_ptr_array_unref (all);
  g_ptr_array_unref (std);
  g_ptr_array_unref (none);
}

/* The accessors not exercised elsewhere, on entries with known content. */
static void
test_accessors (void)
{
  char *acme = g_test_build_filename (G_TEST_DIST, "data", "valid", "acme.codes", NULL);
  const char *files[] = { acme, NULL };
  GError *error = NULL;
  SmtpcodesRegistry *reg = smtpcodes_registry_new_from_files (files, SMTPCODES_LOAD_STRICT, &error);
  const SmtpcodesModule *m;
  GPtrArray *list;
  const SmtpcodesEntry *e;
  SmtpcodesVerdict *v, *v2;

  g_assert_no_error (error);
  g_assert_true (smtpcodes_registry_ref (reg) == reg);
  smtpcodes_registry_unref (reg);
  m = smtpcodes_registry_get_module (reg, "acme");
  g_assert_cmpstr (smtpcodes_module_get_id (m), ==, "acme");
  g_assert_cmpstr (smtpcodes_module_get_name (m, "de"), ==, "Testmodul");
  g_assert_cmpstr (smtpcodes_module_get_name (m, "en"), ==, "Test module");
  g_assert_null (smtpcodes_module_get_description (m, "en"));
  g_assert_cmpstr (smtpcodes_module_get_description (smtpcodes_registry_get_module (reg, "standard"), "en"), !=, NULL);

  /* a pattern's markers; a reply's related codes and usage */
  list = smtpcodes_registry_list (reg, "acme");
  g_assert_cmpuint (list->len, ==, 3);
  e = list->pdata[2];
  g_assert_cmpint (smtpcodes_entry_get_kind (e), ==, SMTPCODES_ENTRY_PATTERN);
  g_assert_cmpstr (smtpcodes_entry_get_markers (e)[0], ==, "acme quota exceeded");
  g_assert_null (smtpcodes_entry_get_markers (e)[1]);
  e = list->pdata[1];
  g_assert_cmpstr (smtpcodes_entry_get_usage (e), ==, "field");
  g_assert_false (smtpcodes_entry_is_generic (e));
  g_assert_null (smtpcodes_entry_get_command (e));
  g_assert_null (smtpcodes_entry_get_related (e));
  g_ptr_array_unref (list);
  list = smtpcodes_registry_lookup (reg, NULL, "250 etrn", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_entry_get_command (list->pdata[0]), ==, "ETRN");   /* the command's meaning first */
  g_assert_cmpint (smtpcodes_entry_get_reply_code (list->pdata[list->len - 1]), ==, 250);
  g_ptr_array_unref (list);
  list = smtpcodes_registry_lookup (reg, NULL, "550", &error);
  e = list->pdata[0];
  g_assert_true (smtpcodes_entry_is_generic (e));
  g_assert_nonnull (smtpcodes_entry_get_related (e));      /* Status=... of [Reply 550] */
  g_ptr_array_unref (list);
  {
    const SmtpcodesEntry *cmd = smtpcodes_registry_lookup_command (reg, "ETRN");
    g_assert_cmpstr (smtpcodes_entry_get_command (cmd), ==, "ETRN");
  }

  /* boxed types and the error domain */
  g_assert_true (G_TYPE_IS_BOXED (smtpcodes_entry_get_type ()));
  g_assert_true (G_TYPE_IS_BOXED (smtpcodes_reply_get_type ()));
  g_assert_true (G_TYPE_IS_BOXED (smtpcodes_verdict_get_type ()));
  g_assert_cmpstr (g_quark_to_string (smtpcodes_error_quark ()), ==, "smtpcodes-error-quark");

  v = smtpcodes_registry_explain_text (reg, "550 5.7.1 acme-gw says no", -1, NULL, &error);
  g_assert_no_error (error);
  v2 = smtpcodes_verdict_ref (v);
  g_assert_true (v2 == v);
  smtpcodes_verdict_unref (v2);
  g_assert_cmpint (smtpcodes_reply_get_code (smtpcodes_verdict_get_reply (v)), ==, 550);
  smtpcodes_verdict_unref (v);
  smtpcodes_registry_unref (reg);
  g_free (acme);
}

static void
test_preconditions (void)
{
  if (g_test_subprocess ())
    {
      g_assert_null (smtpcodes_registry_lookup (NULL, NULL, "550", NULL));
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*self != NULL*");
}

static void
assert_same_strv (const char *const *a, const char *const *b)
{
  if (a == NULL || b == NULL)
    {
      g_assert_true (a == b);
      return;
    }
  g_assert_cmpuint (g_strv_length ((char **) a), ==, g_strv_length ((char **) b));
  for (guint i = 0; a[i]; i++)
    g_assert_cmpstr (a[i], ==, b[i]);
}

/* The built-in modules are parsed when the library is built (gen-builtin); what the library
 * makes of that must be what parsing the same files at run time gives, field by field.
 * (The files get a comment at the end: a file whose bytes are the shipped ones would load
 * from the same precompiled form.) */
static void
test_builtin_as_parsed (void)
{
  const char *empty[] = { NULL };
  char *tmp = g_dir_make_tmp ("test-registry-XXXXXX", NULL);
  const char *langs[] = { "en", "de", "de_AT.UTF-8", "C", "fr", NULL };
  SmtpcodesRegistry *a = smtpcodes_registry_new (empty, SMTPCODES_LOAD_STRICT, NULL);
  GPtrArray *mods = smtpcodes_registry_get_modules (a);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  SmtpcodesRegistry *b;
  GError *error = NULL;

  g_assert_cmpuint (mods->len, >=, 4);
  for (guint i = 0; i < mods->len; i++)
    {
      char *base = g_strdup_printf ("%s.codes", smtpcodes_module_get_id (mods->pdata[i]));
      char *orig = g_test_build_filename (G_TEST_DIST, "..", "data", "modules", base, NULL), *text = NULL, *more;
      g_assert_true (g_file_get_contents (orig, &text, NULL, NULL));
      more = g_strconcat (text, "# parsed at run time\n", NULL);
      g_ptr_array_add (paths, g_build_filename (tmp, base, NULL));
      g_assert_true (g_file_set_contents (paths->pdata[i], more, -1, NULL));
      g_free (more);
      g_free (text);
      g_free (orig);
      g_free (base);
    }
  g_ptr_array_add (paths, NULL);
  b = smtpcodes_registry_new_from_files ((const char *const *) paths->pdata, SMTPCODES_LOAD_STRICT | SMTPCODES_LOAD_NO_BUILTIN, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < mods->len; i++)
    {
      const SmtpcodesModule *ma = mods->pdata[i];
      const SmtpcodesModule *mb = smtpcodes_registry_get_module (b, smtpcodes_module_get_id (ma));
      GPtrArray *ea = smtpcodes_registry_list (a, smtpcodes_module_get_id (ma));
      GPtrArray *eb = smtpcodes_registry_list (b, smtpcodes_module_get_id (ma));
      char *label = g_strdup_printf ("builtin:%s.codes", smtpcodes_module_get_id (ma));

      g_assert_nonnull (mb);
      g_assert_true (smtpcodes_module_is_builtin (ma));
      g_assert_false (smtpcodes_module_is_builtin (mb));
      g_assert_cmpstr (smtpcodes_module_get_filename (ma), ==, label);
      g_assert_cmpstr (smtpcodes_module_get_kind (ma), ==, smtpcodes_module_get_kind (mb));
      g_assert_cmpstr (smtpcodes_module_get_version (ma), ==, smtpcodes_module_get_version (mb));
      g_assert_cmpuint (smtpcodes_module_get_n_entries (ma), ==, smtpcodes_module_get_n_entries (mb));
      for (guint l = 0; langs[l]; l++)
        {
          g_assert_cmpstr (smtpcodes_module_get_name (ma, langs[l]), ==, smtpcodes_module_get_name (mb, langs[l]));
          g_assert_cmpstr (smtpcodes_module_get_description (ma, langs[l]), ==, smtpcodes_module_get_description (mb, langs[l]));
        }
      g_assert_cmpuint (ea->len, ==, eb->len);
      for (guint k = 0; k < ea->len; k++)
        {
          const SmtpcodesEntry *x = ea->pdata[k], *y = eb->pdata[k];
          g_assert_cmpint (smtpcodes_entry_get_kind (x), ==, smtpcodes_entry_get_kind (y));
          g_assert_cmpstr (smtpcodes_entry_get_code (x), ==, smtpcodes_entry_get_code (y));
          g_assert_cmpint (smtpcodes_entry_get_reply_code (x), ==, smtpcodes_entry_get_reply_code (y));
          g_assert_cmpstr (smtpcodes_entry_get_status (x), ==, smtpcodes_entry_get_status (y));
          g_assert_cmpstr (smtpcodes_entry_get_command (x), ==, smtpcodes_entry_get_command (y));
          g_assert_cmpint (smtpcodes_entry_get_class (x), ==, smtpcodes_entry_get_class (y));
          g_assert_cmpstr (smtpcodes_entry_get_reason (x), ==, smtpcodes_entry_get_reason (y));
          g_assert_cmpint (smtpcodes_entry_is_generic (x), ==, smtpcodes_entry_is_generic (y));
          g_assert_cmpint (smtpcodes_entry_get_retry (x), ==, smtpcodes_entry_get_retry (y));
          g_assert_cmpstr (smtpcodes_entry_get_source (x), ==, smtpcodes_entry_get_source (y));
          g_assert_cmpstr (smtpcodes_entry_get_usage (x), ==, smtpcodes_entry_get_usage (y));
          g_assert_cmpuint (smtpcodes_entry_get_line (x), ==, smtpcodes_entry_get_line (y));
          g_assert_cmpstr (smtpcodes_entry_get_obsoleted_by (x), ==, smtpcodes_entry_get_obsoleted_by (y));
          g_assert_true (smtpcodes_entry_get_module (x) == ma);
          assert_same_strv (smtpcodes_entry_get_related (x), smtpcodes_entry_get_related (y));
          assert_same_strv (smtpcodes_entry_get_markers (x), smtpcodes_entry_get_markers (y));
          for (guint l = 0; langs[l]; l++)
            {
              g_assert_cmpstr (smtpcodes_entry_get_summary (x, langs[l]), ==, smtpcodes_entry_get_summary (y, langs[l]));
              g_assert_cmpstr (smtpcodes_entry_get_explanation (x, langs[l]), ==, smtpcodes_entry_get_explanation (y, langs[l]));
              g_assert_cmpstr (smtpcodes_entry_get_advice (x, langs[l]), ==, smtpcodes_entry_get_advice (y, langs[l]));
            }
        }
      g_free (label);
      g_ptr_array_unref (ea);
      g_ptr_array_unref (eb);
    }
  /* and they explain alike */
  {
    const char *texts[] = { "550 5.1.1 User unknown", "452 4.2.2 mailbox full", "571", "5.7.26",
                            "554 5.7.1 blocked using zen.spamhaus.org", "250 ETRN", "421 greylisted, try later", NULL };
    for (guint i = 0; texts[i]; i++)
      {
        SmtpcodesVerdict *va = smtpcodes_registry_explain_text (a, texts[i], -1, NULL, NULL);
        SmtpcodesVerdict *vb = smtpcodes_registry_explain_text (b, texts[i], -1, NULL, NULL);
        char **na = smtpcodes_verdict_get_evidence (va), **nb = smtpcodes_verdict_get_evidence (vb);
        g_assert_cmpstr (smtpcodes_verdict_get_reason (va), ==, smtpcodes_verdict_get_reason (vb));
        g_assert_cmpuint (g_strv_length (na), ==, g_strv_length (nb));
        g_strfreev (na);
        g_strfreev (nb);
        smtpcodes_verdict_unref (va);
        smtpcodes_verdict_unref (vb);
      }
  }
  g_ptr_array_unref (mods);
  for (guint i = 0; i + 1 < paths->len; i++)
    g_remove (paths->pdata[i]);
  g_rmdir (tmp);
  g_free (tmp);
  g_ptr_array_unref (paths);
  smtpcodes_registry_unref (a);
  smtpcodes_registry_unref (b);
}

/* Where a status code stops being one: three digits at most, subject up to 126, detail
 * up to 999 (and 1022 in principle), leading zeros read as numbers, nothing glued on. */
static void
test_status_limits (void)
{
  static const struct { const char *code; gboolean ok; } cases[] = {
    { "5.1.1", TRUE }, { "5.126.1", TRUE }, { "5.127.1", FALSE }, { "5.1.999", TRUE }, { "5.1.1022", FALSE },
    { "5.01.1", TRUE }, { "5.1.001", TRUE }, { "5.1234.1", FALSE }, { "5.1.", FALSE }, { "5..1", FALSE },
    { "4.7.26", TRUE }, { "2.0.0", TRUE }, { "3.1.1", FALSE }, { "5.1.1x", FALSE }, { "5.1.1.", FALSE },
    { "550 5.127.1", FALSE }, { "550 5.126.999", TRUE }, { "X.1.1", TRUE }, { "5.1.x", TRUE }, { "5.XXX.XXX", TRUE },
    { "5.XXX.1", FALSE }, { "X.XXX.XXX", FALSE }, { "5.1.xxxx", FALSE }, { "5.1", FALSE }, { "5", FALSE },
  };
  SmtpcodesRegistry *reg = smtpcodes_registry_get_default ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GPtrArray *l = smtpcodes_registry_lookup (reg, NULL, cases[i].code, &error);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (l);
          g_ptr_array_unref (l);
        }
      else
        {
          g_assert_null (l);
          g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE);
          g_clear_error (&error);
        }
    }
  {
    /* the numbers index: 5.01.1 is 5.1.1 */
    GPtrArray *a = smtpcodes_registry_lookup (reg, NULL, "5.01.001", NULL);
    GPtrArray *b = smtpcodes_registry_lookup (reg, NULL, "5.1.1", NULL);
    g_assert_cmpuint (a->len, ==, b->len);
    g_assert_cmpuint (a->len, >, 0);
    for (guint i = 0; i < a->len; i++)
      g_assert_true (a->pdata[i] == b->pdata[i]);
    g_ptr_array_unref (a);
    g_ptr_array_unref (b);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/registry/builtin", test_builtin);
  g_test_add_func ("/registry/no-builtin", test_no_builtin);
  g_test_add_func ("/registry/builtin-as-parsed", test_builtin_as_parsed);
  g_test_add_func ("/registry/status-limits", test_status_limits);
  g_test_add_func ("/registry/lookup/order", test_lookup_order);
  g_test_add_func ("/registry/lookup/forms", test_lookup_forms);
  g_test_add_func ("/registry/lookup/fallback", test_fallback);
  g_test_add_func ("/registry/lookup/vendor-and-site", test_vendor_and_site);
  g_test_add_func ("/registry/override-builtin", test_override_builtin);
  g_test_add_func ("/registry/search-path-env", test_search_path_env);
  g_test_add_func ("/registry/search-path-installed", test_search_path_installed);
  g_test_add_func ("/registry/entry-keeps-registry", test_entry_keeps_registry);
  g_test_add_func ("/registry/list-and-reasons", test_list_and_reasons);
  g_test_add_func ("/registry/accessors", test_accessors);
  g_test_add_func ("/registry/preconditions", test_preconditions);
  return g_test_run ();
}
