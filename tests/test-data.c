/* test-data: every code of the reference tables is explained, in English and in German */
#include <string.h>
#include <libsmtpcodes/smtpcodes.h>
#include "test-common.h"

static void
check_entry_texts (const SmtpcodesEntry *e, const char *code)
{
  const char *getters[3][2];
  getters[0][0] = smtpcodes_entry_get_summary (e, "en");
  getters[0][1] = smtpcodes_entry_get_summary (e, "de");
  getters[1][0] = smtpcodes_entry_get_explanation (e, "en");
  getters[1][1] = smtpcodes_entry_get_explanation (e, "de");
  getters[2][0] = smtpcodes_entry_get_advice (e, "en");
  getters[2][1] = smtpcodes_entry_get_advice (e, "de");
  for (int i = 0; i < 3; i++)
    {
      if (getters[i][0] == NULL || getters[i][1] == NULL || getters[i][0] == getters[i][1]
          || strlen (getters[i][0]) < 4 || strlen (getters[i][1]) < 4)
        g_test_message ("%s: entry %s lacks a text in English or German", code, smtpcodes_entry_get_code (e));
      g_assert_nonnull (getters[i][0]);
      g_assert_nonnull (getters[i][1]);
      g_assert_true (getters[i][0] != getters[i][1]);   /* German is its own text, not the fallback */
      g_assert_cmpuint (strlen (getters[i][0]), >=, 4);
      g_assert_cmpuint (strlen (getters[i][1]), >=, 4);
    }
  /* explanations are more than one-liners */
  g_assert_cmpuint (strlen (getters[1][0]), >=, 60);
  g_assert_cmpuint (strlen (getters[1][1]), >=, 60);
}

static void
test_reference_codes (void)
{
  char **lines = test_data_lines ("reference-codes.txt");
  guint n = 0;
  SmtpcodesRegistry *reg = smtpcodes_registry_get_default ();

  for (guint i = 0; lines[i]; i++)
    {
      const char *code = lines[i];
      const char *forms[3];
      guint nforms = 0;
      char *four = NULL, *five = NULL;

      n++;
      if (code[0] == 'X' && strstr (code, "XXX") == NULL)
        {
          /* an enumerated X.S.D: as 4.S.D and as 5.S.D, both resolved to the registry entry */
          four = g_strdup_printf ("4%s", code + 1);
          five = g_strdup_printf ("5%s", code + 1);
          forms[nforms++] = four;
          forms[nforms++] = five;
        }
      else
        forms[nforms++] = code;
      for (guint f = 0; f < nforms; f++)
        {
          GError *error = NULL;
          GPtrArray *list = smtpcodes_registry_lookup (reg, NULL, forms[f], &error);
          g_assert_no_error (error);
          if (list->len == 0)
            g_test_message ("no entry for %s", forms[f]);
          g_assert_cmpuint (list->len, >, 0);
          /* the first entry is the code itself, not a fall-back */
          if (code[0] == 'X' && strstr (code, "XXX") == NULL)
            {
              const char *st = smtpcodes_entry_get_status (list->pdata[0]);
              g_assert_nonnull (st);
              g_assert_cmpstr (strchr (st, '.'), ==, strchr (code, '.'));
            }
          else
            g_assert_cmpstr (smtpcodes_entry_get_code (list->pdata[0]), ==, code);
          check_entry_texts (list->pdata[0], forms[f]);
          g_ptr_array_unref (list);
        }
      g_free (four);
      g_free (five);
    }
  g_assert_cmpuint (n, ==, 158);
  g_strfreev (lines);
}

/* Every entry of every built-in module has German text of its own. */
static void
test_all_entries_bilingual (void)
{
  GPtrArray *all = smtpcodes_registry_list (smtpcodes_registry_get_default (), NULL);
  for (guint i = 0; i < all->len; i++)
    {
      const SmtpcodesEntry *e = all->pdata[i];
      g_assert_true (smtpcodes_entry_get_summary (e, "de") != smtpcodes_entry_get_summary (e, "en"));
      g_assert_true (smtpcodes_entry_get_explanation (e, "de") != smtpcodes_entry_get_explanation (e, "en"));
      /* Advice is optional only for commands */
      if (smtpcodes_entry_get_kind (e) == SMTPCODES_ENTRY_COMMAND && smtpcodes_entry_get_advice (e, "en") == NULL)
        g_assert_null (smtpcodes_entry_get_advice (e, "de"));
      else
        g_assert_true (smtpcodes_entry_get_advice (e, "de") != smtpcodes_entry_get_advice (e, "en"));
    }
  g_assert_cmpuint (all->len, >, 150);
  g_ptr_array_unref (all);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/reference-codes", test_reference_codes);
  g_test_add_func ("/data/all-entries-bilingual", test_all_entries_bilingual);
  return g_test_run ();
}
