/* test-common.h: small helpers shared by the C tests */
#pragma once
#include <glib.h>
#include <libsmtpcodes/smtpcodes.h>

/* The lines of tests/data/NAME that are neither empty nor comments; g_strfreev() them. */
static inline char **
test_data_lines (const char *name)
{
  char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  char *text = NULL;
  char **all;
  GPtrArray *keep = g_ptr_array_new ();

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  all = g_strsplit (text, "\n", -1);
  for (guint i = 0; all[i]; i++)
    {
      const char *l = g_strstrip (all[i]);
      if (*l && *l != '#')
        g_ptr_array_add (keep, g_strdup (l));
    }
  g_ptr_array_add (keep, NULL);
  g_strfreev (all);
  g_free (text);
  g_free (path);
  return (char **) g_ptr_array_free (keep, FALSE);
}

/* Every entry a verdict offers: its meanings, then its alternatives; unref the array. */
static inline GPtrArray *
test_verdict_offered (SmtpcodesVerdict *v)
{
  GPtrArray *all = smtpcodes_verdict_get_entries (v);
  for (guint i = 0; i < smtpcodes_verdict_get_n_alternatives (v); i++)
    g_ptr_array_add (all, (gpointer) smtpcodes_verdict_get_alternative (v, i, NULL));
  return all;
}

/* What a verdict says, as one string, to compare the verdicts of two registries. */
static inline char *
test_verdict_print (SmtpcodesVerdict *v)
{
  GString *s = g_string_new (NULL);
  GPtrArray *all = test_verdict_offered (v);
  char **ev = smtpcodes_verdict_get_evidence (v);
  const SmtpcodesEntry *pat = smtpcodes_verdict_get_pattern (v);
  char *sum = smtpcodes_verdict_get_summary (v, "en");
  g_string_append_printf (s, "%s %s %s %s [%s]", smtpcodes_class_to_string (smtpcodes_verdict_get_class (v)),
                          smtpcodes_verdict_get_reason (v), smtpcodes_verdict_get_vendor (v) ? smtpcodes_verdict_get_vendor (v) : "-",
                          pat ? smtpcodes_entry_get_code (pat) : "-", sum);
  for (guint i = 0; i < all->len; i++)
    g_string_append_printf (s, " %s:%s", smtpcodes_entry_get_module_id (all->pdata[i]),
                            smtpcodes_entry_get_code (all->pdata[i]));
  for (guint i = 0; ev && ev[i]; i++)
    g_string_append_printf (s, " | %s", ev[i]);
  g_strfreev (ev);
  g_free (sum);
  g_ptr_array_unref (all);
  return g_string_free (s, FALSE);
}

/* Replies whose vendor markers and wording the tests that compare two registries use
 * besides the seed and reference codes. */
static const char *const test_vendor_texts[] = {
    "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to user complaints - 4.16.55.1",
    "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ## mailbox unavailable (in reply to RCPT TO command)",
    "host mx.example.org[192.0.2.7] said: 552 5.2.2 Mailbox full, quota exceeded (in reply to end of DATA command)",
    NULL
};
