/* test-verdict: classification, alternatives, mismatches, vendors, texts */
#include <string.h>
#include <glib/gstdio.h>
#include <libsmtpcodes/smtpcodes.h>

static SmtpcodesVerdict *
explain (SmtpcodesRegistry *reg, const char *text, const char *vendor)
{
  GError *error = NULL;
  SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg ? reg : smtpcodes_registry_get_default (),
                                                         text, -1, vendor, &error);
  g_assert_no_error (error);
  g_assert_nonnull (v);
  return v;
}

static gboolean
has_note (SmtpcodesVerdict *v, const char *lang, const char *needle)
{
  char **notes = smtpcodes_verdict_get_notes (v, lang);
  gboolean found = FALSE;
  for (guint i = 0; notes[i]; i++)
    found |= strstr (notes[i], needle) != NULL;
  g_strfreev (notes);
  return found;
}

static void
test_user_unknown (void)
{
  SmtpcodesVerdict *v = explain (NULL, "550 5.1.1 <bob@example.com>: Recipient address rejected: "
                                       "User unknown in local recipient table", NULL);
  char *en, *de, *adv_en, *adv_de, *sum_de;
  char **ev;

  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_PERMANENT);
  g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, "userunknown");
  g_assert_true (smtpcodes_verdict_is_bounce (v));
  g_assert_true (smtpcodes_verdict_is_hard_bounce (v));
  g_assert_false (smtpcodes_verdict_get_retry (v));
  g_assert_false (smtpcodes_verdict_has_mismatch (v));
  g_assert_cmpstr (smtpcodes_verdict_get_status (v), ==, "5.1.1");
  en = smtpcodes_verdict_get_explanation (v, "en");
  de = smtpcodes_verdict_get_explanation (v, "de");
  adv_en = smtpcodes_verdict_get_advice (v, "en");
  adv_de = smtpcodes_verdict_get_advice (v, "de");
  sum_de = smtpcodes_verdict_get_summary (v, "de");
  g_assert_cmpuint (strlen (en), >, 40);
  g_assert_cmpuint (strlen (de), >, 40);
  g_assert_cmpstr (en, !=, de);
  g_assert_cmpuint (strlen (adv_en), >, 20);
  g_assert_cmpstr (adv_en, !=, adv_de);
  g_assert_cmpuint (strlen (sum_de), >, 5);
  ev = smtpcodes_verdict_get_evidence (v);
  g_assert_nonnull (ev[0]);
  g_assert_nonnull (strstr (ev[0], "permanent"));
  g_strfreev (ev);
  g_free (en); g_free (de); g_free (adv_en); g_free (adv_de); g_free (sum_de);
  smtpcodes_verdict_unref (v);
}

static void
test_dotless (void)
{
  SmtpcodesVerdict *v = explain (NULL, "571", NULL);
  SmtpcodesAlternativeKind kind;
  const SmtpcodesEntry *e;
  char *label;

  g_assert_cmpuint (smtpcodes_verdict_get_n_alternatives (v), >=, 1);
  e = smtpcodes_verdict_get_alternative (v, 0, &kind);
  g_assert_cmpint (kind, ==, SMTPCODES_ALTERNATIVE_DOTLESS);
  g_assert_cmpstr (smtpcodes_entry_get_code (e), ==, "X.7.1");
  label = smtpcodes_verdict_get_alternative_label (v, 0, "en");
  g_assert_nonnull (strstr (label, "5.7.1"));
  g_free (label);
  g_assert_true (has_note (v, "en", "5.7.1"));
  g_assert_true (has_note (v, "de", "ohne Punkte"));
  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_PERMANENT);
  g_assert_null (smtpcodes_verdict_get_alternative (v, 99, NULL));
  g_assert_null (smtpcodes_verdict_get_alternative_label (v, 99, "en"));
  smtpcodes_verdict_unref (v);

  /* a standard reply code is not re-read: 550 is not 5.5.0 */
  v = explain (NULL, "550", NULL);
  for (guint i = 0; i < smtpcodes_verdict_get_n_alternatives (v); i++)
    {
      smtpcodes_verdict_get_alternative (v, i, &kind);
      g_assert_cmpint (kind, !=, SMTPCODES_ALTERNATIVE_DOTLESS);
    }
  smtpcodes_verdict_unref (v);
}

static void
test_dotted (void)
{
  SmtpcodesVerdict *v = explain (NULL, "5.5.0", NULL);
  gboolean found = FALSE;
  for (guint i = 0; i < smtpcodes_verdict_get_n_alternatives (v); i++)
    {
      SmtpcodesAlternativeKind kind;
      const SmtpcodesEntry *e = smtpcodes_verdict_get_alternative (v, i, &kind);
      if (kind == SMTPCODES_ALTERNATIVE_DOTTED)
        {
          found = TRUE;
          g_assert_cmpint (smtpcodes_entry_get_reply_code (e), ==, 550);
        }
    }
  g_assert_true (found);
  g_assert_true (has_note (v, "en", "550"));
  smtpcodes_verdict_unref (v);
}

static void
test_mismatch (void)
{
  SmtpcodesVerdict *v = explain (NULL, "450 5.2.3 Message too large for this mailbox", NULL);
  g_assert_true (smtpcodes_verdict_has_mismatch (v));
  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_TRANSIENT);
  g_assert_true (smtpcodes_verdict_get_retry (v));
  g_assert_true (has_note (v, "en", "450"));
  g_assert_true (has_note (v, "en", "5.2.3"));
  g_assert_true (has_note (v, "de", "widersprechen"));
  smtpcodes_verdict_unref (v);
  v = explain (NULL, "550 5.2.3 too large", NULL);
  g_assert_false (smtpcodes_verdict_has_mismatch (v));
  smtpcodes_verdict_unref (v);
}

static void
test_fallback (void)
{
  SmtpcodesVerdict *v = explain (NULL, "5.7.99", NULL);
  GPtrArray *entries = smtpcodes_verdict_get_entries (v);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (smtpcodes_entry_get_code (entries->pdata[0]), ==, "X.7.XXX");
  g_assert_cmpstr (smtpcodes_entry_get_code (entries->pdata[1]), ==, "5.XXX.XXX");
  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_PERMANENT);
  g_assert_true (has_note (v, "en", "X.7.XXX"));
  g_ptr_array_unref (entries);
  smtpcodes_verdict_unref (v);
}

static void
test_classes (void)
{
  SmtpcodesVerdict *v = explain (NULL, "250 2.0.0 Ok: queued as 4F1A2B", NULL);
  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_SUCCESS);
  g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, "delivered");
  g_assert_false (smtpcodes_verdict_is_bounce (v));
  g_assert_false (smtpcodes_verdict_is_hard_bounce (v));
  g_assert_false (smtpcodes_verdict_get_retry (v));
  smtpcodes_verdict_unref (v);

  v = explain (NULL, "354 End data with <CR><LF>.<CR><LF>", NULL);
  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_INTERMEDIATE);
  g_assert_false (smtpcodes_verdict_is_bounce (v));
  smtpcodes_verdict_unref (v);

  v = explain (NULL, "451 4.7.1 Greylisted: this server defers first-time senders, retry soon", NULL);
  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_TRANSIENT);
  g_assert_true (smtpcodes_verdict_get_retry (v));
  g_assert_false (smtpcodes_verdict_is_hard_bounce (v));
  g_assert_nonnull (smtpcodes_verdict_get_pattern (v));
  smtpcodes_verdict_unref (v);

  /* an unknown code is still classified by its first digit, and says so */
  v = explain (NULL, "559 something odd", NULL);
  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_PERMANENT);
  g_assert_true (has_note (v, "en", "559"));
  smtpcodes_verdict_unref (v);
}

static void
test_wording_refines_generic (void)
{
  /* 5.7.1 alone is generic; the wording says what kind of refusal */
  SmtpcodesVerdict *v = explain (NULL, "550 5.7.1 Message rejected as spam by Content Filtering", NULL);
  g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, "spamdetected");
  g_assert_nonnull (smtpcodes_verdict_get_pattern (v));
  smtpcodes_verdict_unref (v);

  /* a specific code beats the wording */
  v = explain (NULL, "552 5.2.2 user unknown or mailbox full", NULL);
  g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, "mailboxfull");
  smtpcodes_verdict_unref (v);
}

static SmtpcodesRegistry *
fixture_registry (void)
{
  char *valid = g_test_build_filename (G_TEST_DIST, "data", "valid", NULL);
  const char *path[] = { valid, NULL };
  SmtpcodesRegistry *reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_DEFAULT, NULL);
  g_free (valid);
  return reg;
}

static void
test_vendor (void)
{
  SmtpcodesRegistry *reg = fixture_registry ();
  SmtpcodesVerdict *v;
  SmtpcodesAlternativeKind kind;
  GError *error = NULL;

  /* recognised from the text */
  v = explain (reg, "550 5.7.1 denied by acme-gw policy", NULL);
  g_assert_cmpstr (smtpcodes_verdict_get_vendor (v), ==, "acme");
  g_assert_cmpstr (smtpcodes_entry_get_module_id (smtpcodes_verdict_get_entry (v)), ==, "acme");
  g_assert_nonnull (smtpcodes_verdict_get_alternative (v, 0, &kind));
  g_assert_cmpint (kind, ==, SMTPCODES_ALTERNATIVE_REGISTRY);
  g_assert_true (has_note (v, "en", "registry"));
  smtpcodes_verdict_unref (v);

  /* recognised from the remote host */
  v = explain (reg, "<b@example.org>: host mx1.acme.example[192.0.2.9] said: 550 5.7.1 no (in reply to RCPT TO command)", NULL);
  g_assert_cmpstr (smtpcodes_verdict_get_vendor (v), ==, "acme");
  smtpcodes_verdict_unref (v);

  /* not recognised: the standard meaning, the vendor's as an alternative */
  v = explain (reg, "550 5.7.1 denied", NULL);
  g_assert_null (smtpcodes_verdict_get_vendor (v));
  g_assert_cmpstr (smtpcodes_entry_get_module_id (smtpcodes_verdict_get_entry (v)), ==, "enhanced");
  g_assert_nonnull (smtpcodes_verdict_get_alternative (v, 0, &kind));
  g_assert_cmpint (kind, ==, SMTPCODES_ALTERNATIVE_VENDOR);
  smtpcodes_verdict_unref (v);

  /* named by the caller */
  v = explain (reg, "550 5.7.1 denied", "acme");
  g_assert_cmpstr (smtpcodes_verdict_get_vendor (v), ==, "acme");
  smtpcodes_verdict_unref (v);

  /* a vendor pattern with priority */
  v = explain (reg, "452 4.2.2 acme quota exceeded", NULL);
  g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, "mailboxfull");
  smtpcodes_verdict_unref (v);

  /* unknown vendor is an error */
  g_assert_null (smtpcodes_registry_explain_text (reg, "550", -1, "nosuch", &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  smtpcodes_registry_unref (reg);
}

static void
test_bad_input (void)
{
  GError *error = NULL;
  SmtpcodesRegistry *reg = smtpcodes_registry_get_default ();
  g_assert_null (smtpcodes_registry_explain_text (reg, "no code here", -1, NULL, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_NO_CODE);
  g_clear_error (&error);
  g_assert_null (smtpcodes_registry_explain_text (reg, "550 a\0b", 7, NULL, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX);
  g_clear_error (&error);
}

static void
test_strings (void)
{
  g_assert_cmpstr (smtpcodes_class_to_string (SMTPCODES_CLASS_TRANSIENT), ==, "transient");
  g_assert_cmpstr (smtpcodes_class_to_string (42), ==, "unknown");
  g_assert_cmpstr (smtpcodes_alternative_kind_to_string (SMTPCODES_ALTERNATIVE_DOTLESS), ==, "dotless");
  g_assert_cmpstr (smtpcodes_alternative_kind_to_string (SMTPCODES_ALTERNATIVE_REGISTRY), ==, "registry");
}

/* A bare code is scanned without the automaton, for the markers a code can contain only:
 * with a site module whose markers look like codes (some equal, to test the order of
 * ties) and a vendor detected by one, a bare code must get the wording and the vendor the
 * automaton gives the same text (explained from parts, which scans with it). */
static void
test_code_markers (void)
{
  static const char module[] =
    "[Module]\nId=codey\nName=C\nKind=site\nVersion=1\nFormatVersion=1\n"
    "[Pattern dot-seven]\nMatch=5.7;x.1\nReason=blocked\nSummary=S\nExplanation=E\nAdvice=A\nSource=t\n"
    "[Pattern fifty]\nMatch=50; 55;0 5\nReason=spamdetected\nClasses=permanent;transient;success\nSummary=S\nExplanation=E\nAdvice=A\nSource=t\n"
    "[Pattern tie]\nMatch=X.1;XX\nReason=filtered\nSummary=S\nExplanation=E\nAdvice=A\nSource=t\n"
    "[Pattern words]\nMatch=user unknown\nReason=userunknown\nSummary=S\nExplanation=E\nAdvice=A\nSource=t\n";
  static const char vendor[] =
    "[Module]\nId=vcode\nName=V\nKind=vendor\nVersion=1\nFormatVersion=1\nDetectText=.1.1\n"
    "[Reply 550]\nReason=rejected\nSummary=S\nExplanation=E\nAdvice=A\nSource=t\n";
  const char *inputs[] = { "550", "5.7.1", "550 5.7.1", "  550\t", "550-5.1.1", "5.1.1", "450 4.1.1", "250",
                           "5.5.0", "550 5.5.0", "X.1.1", "5.1.xx", "550 5.1.x", NULL };
  char *dir = g_dir_make_tmp ("smtpcodes-codes-XXXXXX", NULL);
  char *p1 = g_build_filename (dir, "codey.codes", NULL), *p2 = g_build_filename (dir, "vcode.codes", NULL);
  const char *files[] = { p1, p2, NULL };
  SmtpcodesRegistry *reg;
  GError *error = NULL;
  guint with_pattern = 0;

  g_assert_true (g_file_set_contents (p1, module, -1, NULL));
  g_assert_true (g_file_set_contents (p2, vendor, -1, NULL));
  reg = smtpcodes_registry_new_from_files (files, SMTPCODES_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_registry_get_rejected (reg)[0], ==, NULL);
  for (guint i = 0; inputs[i]; i++)
    {
      SmtpcodesReply *parsed = smtpcodes_registry_parse_reply (reg, inputs[i], -1, &error), *parts;
      SmtpcodesVerdict *a, *b;
      char **ea, **eb;
      g_assert_no_error (error);
      g_assert_true (smtpcodes_reply_is_code_only (parsed));
      parts = smtpcodes_reply_new (smtpcodes_reply_get_code (parsed), smtpcodes_reply_get_enhanced (parsed),
                                   inputs[i], NULL, NULL, NULL);
      if (parts == NULL)
        {
          /* a wildcard: not a reply's code */
          smtpcodes_reply_unref (parsed);
          continue;
        }
      a = smtpcodes_registry_explain (reg, parsed, NULL);
      b = smtpcodes_registry_explain (reg, parts, NULL);
      g_assert_true (smtpcodes_verdict_get_pattern (a) == smtpcodes_verdict_get_pattern (b));
      g_assert_cmpstr (smtpcodes_verdict_get_vendor (a), ==, smtpcodes_verdict_get_vendor (b));
      ea = smtpcodes_verdict_get_evidence (a);
      eb = smtpcodes_verdict_get_evidence (b);
      for (guint k = 0; ea[k]; k++)
        if (g_str_has_prefix (ea[k], "wording:") || g_str_has_prefix (ea[k], "vendor"))
          {
            gboolean found = FALSE;
            for (guint j = 0; eb[j]; j++)
              found |= g_str_equal (ea[k], eb[j]);
            g_assert_true (found);
          }
      with_pattern += smtpcodes_verdict_get_pattern (a) != NULL;
      g_strfreev (ea);
      g_strfreev (eb);
      smtpcodes_verdict_unref (a);
      smtpcodes_verdict_unref (b);
      smtpcodes_reply_unref (parsed);
      smtpcodes_reply_unref (parts);
    }
  g_assert_cmpuint (with_pattern, >=, 6);
  /* the tie: x.1 and X.1 (same length, priority and module) end at the same byte; the later
   * pattern is reported first, so it wins */
  {
    SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg, "X.1.1", -1, NULL, NULL);
    g_assert_cmpstr (smtpcodes_entry_get_code (smtpcodes_verdict_get_pattern (v)), ==, "tie");
    g_assert_cmpstr (smtpcodes_verdict_get_vendor (v), ==, "vcode");
    smtpcodes_verdict_unref (v);
  }
  smtpcodes_registry_unref (reg);
  g_remove (p1);
  g_remove (p2);
  g_rmdir (dir);
  g_free (p1);
  g_free (p2);
  g_free (dir);
}

/* A verdict from explain_text shares one block with its reply (when it fits): references
 * to either keep both; a verdict too large for the room has a block of its own. */
static void
test_verdict_reply_lifetime (void)
{
  char *dir = g_dir_make_tmp ("smtpcodes-life-XXXXXX", NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  SmtpcodesRegistry *reg;
  GError *error = NULL;

  /* 20 site modules that each know 559: more entries than the shared room holds */
  for (int i = 0; i < 20; i++)
    {
      char *path = g_strdup_printf ("%s/site%02d.codes", dir, i);
      char *text = g_strdup_printf ("[Module]\nId=site%02d\nName=S\nKind=site\nVersion=1\nFormatVersion=1\n"
                                    "[Reply 559]\nReason=rejected\nSummary=S%d\nExplanation=E\nAdvice=A\nSource=t\n", i, i);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      g_ptr_array_add (paths, path);
      g_free (text);
    }
  g_ptr_array_add (paths, NULL);
  reg = smtpcodes_registry_new_from_files ((const char *const *) paths->pdata, SMTPCODES_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  for (int big = 0; big < 2; big++)
    for (int order = 0; order < 3; order++)
      {
        const char *text = big ? "559 too many meanings" : "550 5.1.1 User unknown";
        SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg, text, -1, NULL, &error);
        SmtpcodesReply *r;
        GPtrArray *entries;
        g_assert_no_error (error);
        entries = smtpcodes_verdict_get_entries (v);
        g_assert_cmpuint (entries->len, >=, big ? 20 : 1);
        g_ptr_array_unref (entries);
        r = smtpcodes_reply_ref ((SmtpcodesReply *) smtpcodes_verdict_get_reply (v));
        g_assert_true (smtpcodes_verdict_ref (v) == v);
        smtpcodes_verdict_unref (v);
        if (order == 0)
          {
            /* the verdict goes first: the reply stays */
            smtpcodes_verdict_unref (v);
            g_assert_cmpint (smtpcodes_reply_get_code (r), ==, big ? 559 : 550);
            g_assert_cmpstr (smtpcodes_reply_get_input (r), ==, text);
            smtpcodes_reply_unref (r);
          }
        else if (order == 1)
          {
            /* the reply goes first: the verdict stays, and its reply */
            smtpcodes_reply_unref (r);
            g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, big ? "rejected" : "userunknown");
            g_assert_cmpstr (smtpcodes_reply_get_input (smtpcodes_verdict_get_reply (v)), ==, text);
            smtpcodes_verdict_unref (v);
          }
        else
          {
            /* the registry goes first: the verdict keeps it */
            SmtpcodesRegistry *other = smtpcodes_registry_new_from_files ((const char *const *) paths->pdata,
                                                                          SMTPCODES_LOAD_DEFAULT, NULL);
            SmtpcodesVerdict *w = smtpcodes_registry_explain_text (other, text, -1, NULL, NULL);
            smtpcodes_registry_unref (other);
            g_assert_nonnull (smtpcodes_entry_get_summary (smtpcodes_verdict_get_entry (w), "en"));
            smtpcodes_verdict_unref (w);
            smtpcodes_reply_unref (r);
            smtpcodes_verdict_unref (v);
          }
      }
  smtpcodes_registry_unref (reg);
  for (guint i = 0; i + 1 < paths->len; i++)
    g_remove (paths->pdata[i]);
  g_rmdir (dir);
  g_free (dir);
  g_ptr_array_unref (paths);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/verdict/user-unknown", test_user_unknown);
  g_test_add_func ("/verdict/dotless", test_dotless);
  g_test_add_func ("/verdict/dotted", test_dotted);
  g_test_add_func ("/verdict/mismatch", test_mismatch);
  g_test_add_func ("/verdict/fallback", test_fallback);
  g_test_add_func ("/verdict/classes", test_classes);
  g_test_add_func ("/verdict/wording-refines-generic", test_wording_refines_generic);
  g_test_add_func ("/verdict/vendor", test_vendor);
  g_test_add_func ("/verdict/bad-input", test_bad_input);
  g_test_add_func ("/verdict/strings", test_strings);
  g_test_add_func ("/verdict/code-markers", test_code_markers);
  g_test_add_func ("/verdict/verdict-reply-lifetime", test_verdict_reply_lifetime);
  return g_test_run ();
}
