/* test-vendors: the vendor modules, every seed code, the command registry */
#include <string.h>
#include <libsmtpcodes/smtpcodes.h>
#include "test-common.h"

static SmtpcodesRegistry *reg;

static void
check_texts (const SmtpcodesEntry *e, const char *what)
{
  const char *pairs[3][2] = {
    { smtpcodes_entry_get_summary (e, "en"), smtpcodes_entry_get_summary (e, "de") },
    { smtpcodes_entry_get_explanation (e, "en"), smtpcodes_entry_get_explanation (e, "de") },
    { smtpcodes_entry_get_advice (e, "en"), smtpcodes_entry_get_advice (e, "de") },
  };
  for (int i = 0; i < 3; i++)
    {
      if (pairs[i][0] == NULL || pairs[i][1] == NULL || pairs[i][0] == pairs[i][1])
        g_test_message ("%s: %s lacks English or German text", what, smtpcodes_entry_get_code (e));
      g_assert_nonnull (pairs[i][0]);
      g_assert_nonnull (pairs[i][1]);
      g_assert_true (pairs[i][0] != pairs[i][1]);
    }
}


static const SmtpcodesEntry *
find_module (GPtrArray *entries, const char *module)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (smtpcodes_entry_get_module_id (entries->pdata[i]), module))
      return entries->pdata[i];
  return NULL;
}

static void
test_seed_codes (void)
{
  char **lines = test_data_lines ("seed-codes.tsv");
  guint n = 0;

  for (guint i = 0; lines[i]; i++)
    {
      char **f = g_strsplit (lines[i], "\t", -1);
      GError *error = NULL;
      SmtpcodesVerdict *v;
      GPtrArray *all;
      const SmtpcodesEntry *e;

      g_assert_cmpuint (g_strv_length (f), ==, 3);
      v = smtpcodes_registry_explain_text (reg, f[0], -1, NULL, &error);
      g_assert_no_error (error);
      all = test_verdict_offered (v);
      e = find_module (all, f[2]);
      if (e == NULL)
        g_test_message ("%s (%s): no meaning from module %s", f[0], f[1], f[2]);
      g_assert_nonnull (e);
      check_texts (e, f[0]);
      g_ptr_array_unref (all);
      smtpcodes_verdict_unref (v);
      g_strfreev (f);
      n++;
    }
  g_assert_cmpuint (n, ==, 172);
  g_strfreev (lines);
}

/* 530, 534, 535 and 555 mean one thing in the RFCs and another in the old Exchange /
 * MailEnable table: both meanings are offered. */
static void
test_ambiguous (void)
{
  const char *codes[] = { "530", "534", "535", "555", NULL };
  for (guint i = 0; codes[i]; i++)
    {
      SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg, codes[i], -1, NULL, NULL);
      GPtrArray *all = test_verdict_offered (v);
      const SmtpcodesEntry *std = find_module (all, "standard");
      g_test_message ("%s", codes[i]);
      g_assert_nonnull (std);
      g_assert_true (smtpcodes_verdict_get_entry (v) == std);    /* the RFC meaning leads */
      g_assert_true (find_module (all, "exchange") || find_module (all, "mailenable"));
      g_assert_cmpuint (smtpcodes_verdict_get_n_alternatives (v), >=, 1);
      g_ptr_array_unref (all);
      smtpcodes_verdict_unref (v);
    }
}

static void
test_vendor_reuse (void)
{
  SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg, "550 5.7.29 This mail was not sent over TLS", -1, "google", NULL);
  SmtpcodesAlternativeKind kind;
  const SmtpcodesEntry *alt;
  char **notes;
  gboolean noted = FALSE;

  g_assert_cmpstr (smtpcodes_entry_get_module_id (smtpcodes_verdict_get_entry (v)), ==, "google");
  alt = smtpcodes_verdict_get_alternative (v, 0, &kind);
  g_assert_nonnull (alt);
  g_assert_cmpint (kind, ==, SMTPCODES_ALTERNATIVE_REGISTRY);
  g_assert_cmpstr (smtpcodes_entry_get_module_id (alt), ==, "enhanced");
  notes = smtpcodes_verdict_get_notes (v, "en");
  for (guint i = 0; notes[i]; i++)
    noted |= strstr (notes[i], "registry") != NULL;
  g_assert_true (noted);
  g_strfreev (notes);
  smtpcodes_verdict_unref (v);
}

static void
test_detection (void)
{
  struct { const char *text; const char *vendor; const char *reason; } cases[] = {
    { "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", "exchange", "userunknown" },
    { "550-5.1.1 The email account that you tried to reach does not exist. x12si gsmtp", "google", "userunknown" },
    { "<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 no (in reply to RCPT TO command)", NULL, "userunknown" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg, cases[i].text, -1, NULL, NULL);
      g_test_message ("%s", cases[i].text);
      g_assert_cmpstr (smtpcodes_verdict_get_vendor (v), ==, cases[i].vendor);
      g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, cases[i].reason);
      smtpcodes_verdict_unref (v);
    }
}

static void
test_commands (void)
{
  char **lines = test_data_lines ("seed-commands.txt");
  guint n = 0;
  const SmtpcodesEntry *e;
  SmtpcodesReply *r;

  for (guint i = 0; lines[i]; i++)
    {
      e = smtpcodes_registry_lookup_command (reg, lines[i]);
      g_test_message ("command %s", lines[i]);
      g_assert_nonnull (e);
      g_assert_cmpint (smtpcodes_entry_get_kind (e), ==, SMTPCODES_ENTRY_COMMAND);
      g_assert_cmpstr (smtpcodes_entry_get_code (e), ==, lines[i]);
      g_assert_nonnull (smtpcodes_entry_get_source (e));
      g_assert_nonnull (smtpcodes_entry_get_summary (e, "de"));
      g_assert_true (smtpcodes_entry_get_summary (e, "de") != smtpcodes_entry_get_summary (e, "en"));
      n++;
    }
  g_assert_cmpuint (n, ==, 24);
  /* spellings from logs, any case */
  g_assert_cmpstr (smtpcodes_entry_get_code (smtpcodes_registry_lookup_command (reg, "rcpt to")), ==, "RCPT");
  g_assert_cmpstr (smtpcodes_entry_get_code (smtpcodes_registry_lookup_command (reg, "end of DATA")), ==, "DATA");
  g_assert_cmpstr (smtpcodes_entry_get_obsoleted_by (smtpcodes_registry_lookup_command (reg, "HELO")), ==, "RFC 5321");
  g_assert_null (smtpcodes_registry_lookup_command (reg, "FROBNICATE"));
  g_assert_null (smtpcodes_registry_lookup_command (reg, "RCPT TOO"));
  /* the parser names commands with the registry */
  r = smtpcodes_registry_parse_reply (reg, "host x[192.0.2.1] said: 554 5.7.1 no (in reply to end of DATA command)", -1, NULL);
  g_assert_cmpstr (smtpcodes_reply_get_command (r), ==, "DATA");
  smtpcodes_reply_unref (r);
  r = smtpcodes_registry_parse_reply (reg, "SMTP error from remote mail server after pipelined MAIL FROM:<a@example.org> SIZE=10: 550 5.7.1 no", -1, NULL);
  g_assert_cmpstr (smtpcodes_reply_get_command (r), ==, "MAIL");
  smtpcodes_reply_unref (r);
  g_strfreev (lines);
}


/* The built-in modules' markers are in an automaton made when the library was built, and a
 * registry scans it besides the one of its other markers; a registry that loads the same
 * modules from files (in another order) must explain every text alike. (Both load the
 * shipped files' precompiled form: test-known compares with parsed copies.) */
static void
test_builtin_automaton (void)
{
  static const char *const vendors[] = { "exchange", "groupwise", "domino", "mailenable", "google", "yahoo",
                                         "apple", "providers", "bounces" };
  static const char *const builtins[] = { "standard", "enhanced", "wording", "commands" };
  char *paths[G_N_ELEMENTS (vendors) + G_N_ELEMENTS (builtins) + 1];
  GError *error = NULL;
  SmtpcodesRegistry *with_base, *whole;
  char **lines[2] = { test_data_lines ("seed-codes.tsv"), test_data_lines ("reference-codes.txt") };
  guint n = 0, compared = 0;

  for (guint i = 0; i < G_N_ELEMENTS (vendors); i++, n++)
    {
      char *name = g_strconcat (vendors[i], ".codes", NULL);
      paths[n] = g_test_build_filename (G_TEST_DIST, "..", "data", "modules", name, NULL);
      g_free (name);
    }
  paths[n] = NULL;
  with_base = smtpcodes_registry_new_from_files ((const char *const *) paths, SMTPCODES_LOAD_STRICT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++, n++)
    {
      char *name = g_strconcat (builtins[i], ".codes", NULL);
      paths[n] = g_test_build_filename (G_TEST_DIST, "..", "data", "modules", name, NULL);
      g_free (name);
    }
  paths[n] = NULL;
  whole = smtpcodes_registry_new_from_files ((const char *const *) paths,
                                             SMTPCODES_LOAD_STRICT | SMTPCODES_LOAD_NO_BUILTIN, &error);
  g_assert_no_error (error);
  for (guint f = 0; f < 3; f++)
    for (guint i = 0; f == 2 ? test_vendor_texts[i] != NULL : lines[f][i] != NULL; i++)
      {
        const char *text = f == 2 ? test_vendor_texts[i] : lines[f][i];
        SmtpcodesVerdict *a = smtpcodes_registry_explain_text (with_base, text, -1, NULL, NULL);
        SmtpcodesVerdict *b = smtpcodes_registry_explain_text (whole, text, -1, NULL, NULL);
        g_assert_true ((a == NULL) == (b == NULL));
        if (a)
          {
            char *pa = test_verdict_print (a), *pb = test_verdict_print (b);
            g_assert_cmpstr (pa, ==, pb);
            compared++;
            g_free (pa);
            g_free (pb);
            smtpcodes_verdict_unref (a);
            smtpcodes_verdict_unref (b);
          }
      }
  g_assert_cmpuint (compared, >, 100);
  for (guint i = 0; paths[i]; i++)
    g_free (paths[i]);
  g_strfreev (lines[0]);
  g_strfreev (lines[1]);
  smtpcodes_registry_unref (with_base);
  smtpcodes_registry_unref (whole);
}

int
main (int argc, char **argv)
{
  char *dir;
  const char *path[2];
  GError *error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_test_build_filename (G_TEST_DIST, "..", "data", "modules", NULL);
  path[0] = dir;
  path[1] = NULL;
  reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_STRICT, &error);
  g_assert_no_error (error);
  g_test_add_func ("/vendors/seed-codes", test_seed_codes);
  g_test_add_func ("/vendors/ambiguous", test_ambiguous);
  g_test_add_func ("/vendors/reuse", test_vendor_reuse);
  g_test_add_func ("/vendors/detection", test_detection);
  g_test_add_func ("/vendors/commands", test_commands);
  g_test_add_func ("/vendors/builtin-automaton", test_builtin_automaton);
  rc = g_test_run ();
  smtpcodes_registry_unref (reg);
  g_free (dir);
  return rc;
}
