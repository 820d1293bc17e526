/* smtpcodes: explain SMTP replies from the command line (a thin shell over libsmtpcodes) */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <locale.h>

#include <libsmtpcodes/smtpcodes.h>

enum { EXIT_OK = 0, EXIT_NOTFOUND = 1, EXIT_USAGE = 2 };

static char *opt_lang;
static char *opt_vendor;
static gboolean opt_json;
static char **opt_module_path;
static gboolean opt_no_search;
static gboolean opt_strict;
static gboolean opt_version;
static gboolean opt_verbose;

static GOptionEntry global_entries[] = {
  { "lang", 'l', 0, G_OPTION_ARG_STRING, &opt_lang, "Language of the explanations: en or de (default: from the locale)", "LANG" },
  { "vendor", 'V', 0, G_OPTION_ARG_STRING, &opt_vendor, "Read codes as this mail system uses them (a vendor module id, see 'modules')", "ID" },
  { "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json, "Print JSON (schema in smtpcodes(1))", NULL },
  { "module-path", 'M', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_module_path, "Load modules from DIR first (may be repeated)", "DIR" },
  { "no-search-path", 0, 0, G_OPTION_ARG_NONE, &opt_no_search, "Load only the built-in modules and those named with -M", NULL },
  { "strict", 0, 0, G_OPTION_ARG_NONE, &opt_strict, "Fail if any module on the search path is invalid", NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "explain: also print every entry that applies and the evidence", NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { NULL }
};

static const char *summary_text =
  "Commands:\n"
  "  explain TEXT...     Explain a code (550, 5.7.1, 571), a pair (550 5.1.1), or a whole\n"
  "                      reply, mail log line or diagnostic text. With '-', read one\n"
  "                      text per line from standard input and explain each.\n"
  "  lookup CODE         List every meaning of a code that the modules know.\n"
  "  list [MODULE]       List the entries of all modules, or of one module.\n"
  "  modules             List the loaded modules and the ones that were rejected.\n"
  "  validate FILE...    Check module files strictly (German required).\n"
  "  command NAME        Explain an SMTP command (EHLO, RCPT, \"RCPT TO\" ...).\n"
  "  reasons             List the reason vocabulary.\n"
  "  bounce FILE|-|MBOX|MAILDIR...\n"
  "                      Analyse bounce messages: per recipient the address, action,\n"
  "                      status, reply code, reason, hard or soft bounce and advice.\n"
  "                      A directory is read as a maildir or as one message per file.\n"
  "\n"
  "Exit status: 0 success; 1 no code found, unknown code, invalid module, or a\n"
  "message that could not be read;\n"
  "2 usage error or a module could not be loaded.";

/* ---- output helpers ------------------------------------------------------------------------ */

static const char *
lang (void)
{
  if (opt_lang)
    return opt_lang;
  return g_get_language_names ()[0];
}

static gboolean
german (void)
{
  const char *l = lang ();
  return l[0] == 'd' && l[1] == 'e' && (l[2] == '\0' || l[2] == '_' || l[2] == '.' || l[2] == '@');
}

/* Labels of the human output, in English and German. */
enum { L_REASON, L_BOUNCE, L_RETRY, L_SUMMARY, L_EXPLANATION, L_ADVICE, L_COMMAND, L_HOST,
       L_VENDOR, L_NOTES, L_ALTERNATIVES, L_EVIDENCE, L_ENTRIES, L_HARD, L_SOFT, L_NOBOUNCE,
       L_YES, L_NO, L_TEXT, N_LABELS };
static const char *const labels[N_LABELS][2] = {
  [L_REASON] = { "Reason", "Grund" },
  [L_BOUNCE] = { "Bounce", "Bounce" },
  [L_RETRY] = { "Retry", "Wiederholen" },
  [L_SUMMARY] = { "Summary", "Kurz" },
  [L_EXPLANATION] = { "Explanation", "Erklärung" },
  [L_ADVICE] = { "Advice", "Empfehlung" },
  [L_COMMAND] = { "Command", "Befehl" },
  [L_HOST] = { "Remote host", "Gegenstelle" },
  [L_VENDOR] = { "Mail system", "Mailsystem" },
  [L_NOTES] = { "Notes", "Hinweise" },
  [L_ALTERNATIVES] = { "Alternatives", "Alternativen" },
  [L_EVIDENCE] = { "Evidence", "Belege" },
  [L_ENTRIES] = { "Entries", "Einträge" },
  [L_HARD] = { "hard bounce", "Hard Bounce (dauerhaft unzustellbar)" },
  [L_SOFT] = { "soft bounce", "Soft Bounce (kann sich ändern)" },
  [L_NOBOUNCE] = { "no bounce", "kein Bounce" },
  [L_YES] = { "yes", "ja" },
  [L_NO] = { "no", "nein" },
  [L_TEXT] = { "Text", "Text" },
};
#define LBL(i) (labels[i][german () ? 1 : 0])

static const char *const class_names[][2] = {
  { "unknown", "unbekannt" },
  { "success", "Erfolg" },
  { "intermediate", "Zwischenantwort" },
  { "transient failure", "vorübergehender Fehler" },
  { "permanent failure", "dauerhafter Fehler" },
};

/* Prints "Label:" (or a "  - " bullet when label is NULL) and the text wrapped at 78
 * columns, continuation lines indented. */
static void
print_wrapped (GString *out, const char *label, const char *text)
{
  const int indent = label ? 14 : 4;
  int col;
  const char *p = text;

  if (text == NULL || *text == '\0')
    return;
  if (label)
    {
      g_string_append_printf (out, "%s:", label);
      col = (int) g_utf8_strlen (label, -1) + 1;
    }
  else
    {
      g_string_append (out, "  - ");
      col = 4;
    }
  if (label && col >= indent)
    {
      g_string_append_c (out, '\n');
      col = 0;
    }
  for (; col < indent; col++)
    g_string_append_c (out, ' ');
  while (*p)
    {
      const char *w = p;
      int wl;
      while (*p && *p != ' ')
        p++;
      wl = (int) g_utf8_strlen (w, p - w);
      if (col > indent && col + 1 + wl > 78)
        {
          g_string_append_c (out, '\n');
          for (col = 0; col < indent; col++)
            g_string_append_c (out, ' ');
        }
      else if (col > indent)
        {
          g_string_append_c (out, ' ');
          col++;
        }
      g_string_append_len (out, w, p - w);
      col += wl;
      while (*p == ' ')
        p++;
    }
  g_string_append_c (out, '\n');
}

static void
json_string (GString *out, const char *s)
{
  if (s == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      /* a run that needs no escaping goes in as one piece */
      const unsigned char *run = p;
      while (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f)
        p++;
      if (p > run)
        g_string_append_len (out, (const char *) run, p - run);
      if (*p == '\0')
        break;
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

static void
json_key (GString *out, const char *key, gboolean first)
{
  if (!first)
    g_string_append_c (out, ',');
  json_string (out, key);
  g_string_append_c (out, ':');
}

static void
json_kv (GString *out, const char *key, const char *value, gboolean first)
{
  json_key (out, key, first);
  json_string (out, value);
}

static void
json_strv (GString *out, const char *key, char **v)
{
  json_key (out, key, FALSE);
  g_string_append_c (out, '[');
  for (guint i = 0; v && v[i]; i++)
    {
      if (i)
        g_string_append_c (out, ',');
      json_string (out, v[i]);
    }
  g_string_append_c (out, ']');
}

static const char *
entry_kind_name (const SmtpcodesEntry *e)
{
  switch (smtpcodes_entry_get_kind (e))
    {
    case SMTPCODES_ENTRY_REPLY: return "reply";
    case SMTPCODES_ENTRY_STATUS: return "status";
    case SMTPCODES_ENTRY_COMMAND: return "command";
    case SMTPCODES_ENTRY_PATTERN:
    default: return "pattern";
    }
}

static void
json_entry (GString *out, const SmtpcodesEntry *e)
{
  const SmtpcodesModule *m = smtpcodes_entry_get_module (e);
  g_string_append_c (out, '{');
  json_kv (out, "module", smtpcodes_module_get_id (m), TRUE);
  json_kv (out, "kind", entry_kind_name (e), FALSE);
  json_kv (out, "code", smtpcodes_entry_get_code (e), FALSE);
  json_kv (out, "class", smtpcodes_entry_get_class (e) == SMTPCODES_CLASS_UNKNOWN ? NULL
                         : smtpcodes_class_to_string (smtpcodes_entry_get_class (e)), FALSE);
  json_kv (out, "reason", smtpcodes_entry_get_reason (e), FALSE);
  json_key (out, "generic", FALSE);
  g_string_append (out, smtpcodes_entry_is_generic (e) ? "true" : "false");
  json_kv (out, "usage", smtpcodes_entry_get_usage (e), FALSE);
  json_kv (out, "source", smtpcodes_entry_get_source (e), FALSE);
  json_kv (out, "summary", smtpcodes_entry_get_summary (e, lang ()), FALSE);
  json_kv (out, "explanation", smtpcodes_entry_get_explanation (e, lang ()), FALSE);
  json_kv (out, "advice", smtpcodes_entry_get_advice (e, lang ()), FALSE);
  json_key (out, "line", FALSE);
  g_string_append_printf (out, "%u", smtpcodes_entry_get_line (e));
  g_string_append_c (out, '}');
}

/* ---- explain ---------------------------------------------------------------------------- */

static void
verdict_json (GString *out, SmtpcodesVerdict *v)
{
  const SmtpcodesReply *r = smtpcodes_verdict_get_reply (v);
  char *s;
  char **strv;
  GPtrArray *entries;

  g_string_append (out, "{\"schema\":1");
  json_kv (out, "input", smtpcodes_reply_get_input (r), FALSE);
  json_key (out, "code", FALSE);
  if (smtpcodes_reply_get_code (r))
    g_string_append_printf (out, "%d", smtpcodes_reply_get_code (r));
  else
    g_string_append (out, "null");
  json_kv (out, "enhanced", smtpcodes_reply_get_enhanced (r), FALSE);
  json_kv (out, "status", smtpcodes_verdict_get_status (v), FALSE);
  json_kv (out, "text", smtpcodes_reply_get_text (r), FALSE);
  json_kv (out, "command", smtpcodes_reply_get_command (r), FALSE);
  json_kv (out, "remote_host", smtpcodes_reply_get_remote_host (r), FALSE);
  json_kv (out, "context", smtpcodes_reply_get_context (r), FALSE);
  json_kv (out, "class", smtpcodes_class_to_string (smtpcodes_verdict_get_class (v)), FALSE);
  json_kv (out, "reason", smtpcodes_verdict_get_reason (v), FALSE);
  json_key (out, "bounce", FALSE);
  g_string_append (out, smtpcodes_verdict_is_bounce (v) ? "true" : "false");
  json_key (out, "hard_bounce", FALSE);
  g_string_append (out, smtpcodes_verdict_is_hard_bounce (v) ? "true" : "false");
  json_key (out, "retry", FALSE);
  g_string_append (out, smtpcodes_verdict_get_retry (v) ? "true" : "false");
  json_key (out, "mismatch", FALSE);
  g_string_append (out, smtpcodes_verdict_has_mismatch (v) ? "true" : "false");
  json_kv (out, "vendor", smtpcodes_verdict_get_vendor (v), FALSE);
  json_kv (out, "lang", german () ? "de" : "en", FALSE);
  s = smtpcodes_verdict_get_summary (v, lang ());
  json_kv (out, "summary", s, FALSE);
  g_free (s);
  s = smtpcodes_verdict_get_explanation (v, lang ());
  json_kv (out, "explanation", s, FALSE);
  g_free (s);
  s = smtpcodes_verdict_get_advice (v, lang ());
  json_kv (out, "advice", s, FALSE);
  g_free (s);
  strv = smtpcodes_verdict_get_notes (v, lang ());
  json_strv (out, "notes", strv);
  g_strfreev (strv);
  json_key (out, "alternatives", FALSE);
  g_string_append_c (out, '[');
  for (guint i = 0; i < smtpcodes_verdict_get_n_alternatives (v); i++)
    {
      SmtpcodesAlternativeKind kind;
      const SmtpcodesEntry *e = smtpcodes_verdict_get_alternative (v, i, &kind);
      char *label = smtpcodes_verdict_get_alternative_label (v, i, lang ());
      if (i)
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      json_kv (out, "kind", smtpcodes_alternative_kind_to_string (kind), TRUE);
      json_kv (out, "label", label, FALSE);
      json_key (out, "entry", FALSE);
      json_entry (out, e);
      g_string_append_c (out, '}');
      g_free (label);
    }
  g_string_append_c (out, ']');
  json_key (out, "entries", FALSE);
  g_string_append_c (out, '[');
  entries = smtpcodes_verdict_get_entries (v);
  for (guint i = 0; i < entries->len; i++)
    {
      if (i)
        g_string_append_c (out, ',');
      json_entry (out, entries->pdata[i]);
    }
  g_ptr_array_unref (entries);
  g_string_append_c (out, ']');
  json_key (out, "pattern", FALSE);
  if (smtpcodes_verdict_get_pattern (v))
    json_entry (out, smtpcodes_verdict_get_pattern (v));
  else
    g_string_append (out, "null");
  strv = smtpcodes_verdict_get_evidence (v);
  json_strv (out, "evidence", strv);
  g_strfreev (strv);
  g_string_append (out, "}\n");
}

static void
verdict_human (GString *out, SmtpcodesVerdict *v)
{
  const SmtpcodesReply *r = smtpcodes_verdict_get_reply (v);
  int g = german () ? 1 : 0;
  char *s;
  char **strv;
  GString *head = g_string_new (NULL);
  const char *bounce;

  if (smtpcodes_reply_get_code (r))
    g_string_append_printf (head, "%d", smtpcodes_reply_get_code (r));
  if (smtpcodes_reply_get_enhanced (r))
    g_string_append_printf (head, "%s%s", head->len ? " " : "", smtpcodes_reply_get_enhanced (r));
  g_string_append_printf (head, ": %s", class_names[smtpcodes_verdict_get_class (v)][g]);
  g_string_append_printf (out, "%s\n", head->str);
  g_string_free (head, TRUE);

  if (*smtpcodes_reply_get_text (r) && !smtpcodes_reply_is_code_only (r))
    print_wrapped (out, LBL (L_TEXT), smtpcodes_reply_get_text (r));
  s = smtpcodes_verdict_get_summary (v, lang ());
  print_wrapped (out, LBL (L_SUMMARY), s);
  g_free (s);
  print_wrapped (out, LBL (L_REASON), smtpcodes_verdict_get_reason (v));
  bounce = !smtpcodes_verdict_is_bounce (v) ? LBL (L_NOBOUNCE)
           : smtpcodes_verdict_is_hard_bounce (v) ? LBL (L_HARD) : LBL (L_SOFT);
  print_wrapped (out, LBL (L_BOUNCE), bounce);
  print_wrapped (out, LBL (L_RETRY), smtpcodes_verdict_get_retry (v) ? LBL (L_YES) : LBL (L_NO));
  print_wrapped (out, LBL (L_COMMAND), smtpcodes_reply_get_command (r));
  print_wrapped (out, LBL (L_HOST), smtpcodes_reply_get_remote_host (r));
  print_wrapped (out, LBL (L_VENDOR), smtpcodes_verdict_get_vendor (v));
  s = smtpcodes_verdict_get_explanation (v, lang ());
  print_wrapped (out, LBL (L_EXPLANATION), s);
  g_free (s);
  s = smtpcodes_verdict_get_advice (v, lang ());
  print_wrapped (out, LBL (L_ADVICE), s);
  g_free (s);
  strv = smtpcodes_verdict_get_notes (v, lang ());
  if (strv[0])
    {
      g_string_append_printf (out, "%s:\n", LBL (L_NOTES));
      for (guint i = 0; strv[i]; i++)
        print_wrapped (out, NULL, strv[i]);
    }
  g_strfreev (strv);
  if (smtpcodes_verdict_get_n_alternatives (v))
    {
      g_string_append_printf (out, "%s:\n", LBL (L_ALTERNATIVES));
      for (guint i = 0; i < smtpcodes_verdict_get_n_alternatives (v); i++)
        {
          const SmtpcodesEntry *e = smtpcodes_verdict_get_alternative (v, i, NULL);
          char *label = smtpcodes_verdict_get_alternative_label (v, i, lang ());
          char *line = g_strdup_printf ("%s [%s, %s]: %s (%s)", smtpcodes_entry_get_code (e),
                                        smtpcodes_entry_get_module_id (e), label,
                                        smtpcodes_entry_get_summary (e, lang ()),
                                        smtpcodes_entry_get_reason (e));
          print_wrapped (out, NULL, line);
          g_free (line);
          g_free (label);
        }
    }
  if (opt_verbose)
    {
      GPtrArray *entries = smtpcodes_verdict_get_entries (v);
      g_string_append_printf (out, "%s:\n", LBL (L_ENTRIES));
      for (guint i = 0; i < entries->len; i++)
        {
          const SmtpcodesEntry *e = entries->pdata[i];
          char *line = g_strdup_printf ("%s [%s]: %s", smtpcodes_entry_get_code (e),
                                        smtpcodes_entry_get_module_id (e), smtpcodes_entry_get_summary (e, lang ()));
          print_wrapped (out, NULL, line);
          g_free (line);
        }
      g_ptr_array_unref (entries);
      strv = smtpcodes_verdict_get_evidence (v);
      g_string_append_printf (out, "%s:\n", LBL (L_EVIDENCE));
      for (guint i = 0; strv[i]; i++)
        print_wrapped (out, NULL, strv[i]);
      g_strfreev (strv);
    }
}

static int
explain_one (SmtpcodesRegistry *reg, const char *text, gssize len, const char *where, GString *out)
{
  GError *error = NULL;
  SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg, text, len, opt_vendor, &error);

  if (v == NULL)
    {
      if (opt_json)
        {
          g_string_append (out, "{\"schema\":1");
          json_kv (out, "error", error->message, FALSE);
          if (where)
            json_kv (out, "where", where, FALSE);
          g_string_append (out, "}\n");
        }
      g_printerr ("smtpcodes: %s%s%s\n", where ? where : "", where ? ": " : "", error->message);
      g_error_free (error);
      return EXIT_NOTFOUND;
    }
  if (opt_json)
    verdict_json (out, v);
  else
    verdict_human (out, v);
  smtpcodes_verdict_unref (v);
  return EXIT_OK;
}

static int
cmd_explain (SmtpcodesRegistry *reg, int argc, char **argv)
{
  int rc = EXIT_OK;
  GString *out = g_string_new (NULL);

  if (argc < 1)
    {
      g_printerr ("smtpcodes: explain needs a code or a text, or '-' to read from standard input\n");
      return EXIT_USAGE;
    }
  if (argc == 1 && g_str_equal (argv[0], "-"))
    {
      /* one text per line; arbitrarily long lines are read whole */
      GIOChannel *in = g_io_channel_unix_new (0);
      char *line = NULL;
      gsize len = 0, term = 0;
      guint lineno = 0;
      GError *error = NULL;
      GIOStatus st;

      g_io_channel_set_encoding (in, NULL, NULL);
      g_io_channel_set_line_term (in, "\n", 1);   /* not NUL: a NUL byte is an error in the line */
      while ((st = g_io_channel_read_line (in, &line, &len, &term, &error)) == G_IO_STATUS_NORMAL)
        {
          char where[32];
          lineno++;
          g_snprintf (where, sizeof where, "stdin:%u", lineno);
          if (term < len)
            line[term] = '\0';
          else
            term = len;
          if (!opt_json && lineno > 1)
            g_string_append_c (out, '\n');
          if (explain_one (reg, line, (gssize) term, where, out) != EXIT_OK)
            rc = EXIT_NOTFOUND;
          g_free (line);
          fwrite (out->str, 1, out->len, stdout);
          g_string_truncate (out, 0);
        }
      if (st == G_IO_STATUS_ERROR)
        {
          g_printerr ("smtpcodes: stdin: %s\n", error->message);
          g_error_free (error);
          rc = EXIT_USAGE;
        }
      g_io_channel_unref (in);
      g_string_free (out, TRUE);
      return rc;
    }
  {
    char *text = g_strjoinv (" ", argv);
    rc = explain_one (reg, text, -1, NULL, out);
    g_free (text);
  }
  fwrite (out->str, 1, out->len, stdout);
  g_string_free (out, TRUE);
  return rc;
}

/* ---- lookup, list, modules, validate, reasons ----------------------------------------------- */

static void
entry_human (GString *out, const SmtpcodesEntry *e, gboolean full)
{
  char *head = g_strdup_printf ("%s %s [%s, %s, %s]", entry_kind_name (e), smtpcodes_entry_get_code (e),
                                smtpcodes_entry_get_module_id (e), smtpcodes_entry_get_usage (e),
                                smtpcodes_entry_get_reason (e));
  if (!full)
    {
      g_string_append_printf (out, "%-44s %s\n", head, smtpcodes_entry_get_summary (e, lang ()));
      g_free (head);
      return;
    }
  g_string_append_printf (out, "%s\n", head);
  print_wrapped (out, LBL (L_SUMMARY), smtpcodes_entry_get_summary (e, lang ()));
  print_wrapped (out, LBL (L_EXPLANATION), smtpcodes_entry_get_explanation (e, lang ()));
  print_wrapped (out, LBL (L_ADVICE), smtpcodes_entry_get_advice (e, lang ()));
  print_wrapped (out, "Source", smtpcodes_entry_get_source (e));
  g_free (head);
}

static int
cmd_lookup (SmtpcodesRegistry *reg, int argc, char **argv)
{
  GError *error = NULL;
  GPtrArray *entries;
  GString *out = g_string_new (NULL);
  char *code;
  int rc;

  if (argc < 1)
    {
      g_printerr ("smtpcodes: lookup needs a code such as 550, 5.7.1 or \"550 5.7.1\"\n");
      return EXIT_USAGE;
    }
  code = g_strjoinv (" ", argv);
  entries = smtpcodes_registry_lookup (reg, opt_vendor, code, &error);
  if (entries == NULL)
    {
      g_printerr ("smtpcodes: %s\n", error->message);
      g_error_free (error);
      g_free (code);
      return EXIT_NOTFOUND;
    }
  if (opt_json)
    {
      g_string_append (out, "{\"schema\":1");
      json_kv (out, "code", code, FALSE);
      json_key (out, "entries", FALSE);
      g_string_append_c (out, '[');
      for (guint i = 0; i < entries->len; i++)
        {
          if (i)
            g_string_append_c (out, ',');
          json_entry (out, entries->pdata[i]);
        }
      g_string_append (out, "]}\n");
    }
  else
    for (guint i = 0; i < entries->len; i++)
      {
        if (i)
          g_string_append_c (out, '\n');
        entry_human (out, entries->pdata[i], TRUE);
      }
  if (entries->len == 0)
    g_printerr ("smtpcodes: no module knows %s\n", code);
  rc = entries->len ? EXIT_OK : EXIT_NOTFOUND;
  fwrite (out->str, 1, out->len, stdout);
  g_string_free (out, TRUE);
  g_ptr_array_unref (entries);
  g_free (code);
  return rc;
}

static int
cmd_list (SmtpcodesRegistry *reg, int argc, char **argv)
{
  GPtrArray *entries;
  GString *out = g_string_new (NULL);

  if (argc > 1)
    {
      g_printerr ("smtpcodes: list takes at most one module id\n");
      return EXIT_USAGE;
    }
  if (argc == 1 && smtpcodes_registry_get_module (reg, argv[0]) == NULL)
    {
      g_printerr ("smtpcodes: no module '%s' is loaded (see 'smtpcodes modules')\n", argv[0]);
      return EXIT_NOTFOUND;
    }
  entries = smtpcodes_registry_list (reg, argc == 1 ? argv[0] : NULL);
  if (opt_json)
    g_string_append_c (out, '[');
  for (guint i = 0; i < entries->len; i++)
    {
      if (opt_json)
        {
          if (i)
            g_string_append (out, ",\n");
          json_entry (out, entries->pdata[i]);
        }
      else
        entry_human (out, entries->pdata[i], FALSE);
    }
  if (opt_json)
    g_string_append (out, "]\n");
  fwrite (out->str, 1, out->len, stdout);
  g_string_free (out, TRUE);
  g_ptr_array_unref (entries);
  return EXIT_OK;
}

static int
cmd_modules (SmtpcodesRegistry *reg)
{
  GPtrArray *mods = smtpcodes_registry_get_modules (reg);
  const char *const *rejected = smtpcodes_registry_get_rejected (reg);
  GString *out = g_string_new (NULL);

  if (opt_json)
    {
      g_string_append (out, "{\"schema\":1,\"modules\":[");
      for (guint i = 0; i < mods->len; i++)
        {
          const SmtpcodesModule *m = mods->pdata[i];
          if (i)
            g_string_append_c (out, ',');
          g_string_append_c (out, '{');
          json_kv (out, "id", smtpcodes_module_get_id (m), TRUE);
          json_kv (out, "name", smtpcodes_module_get_name (m, lang ()), FALSE);
          json_kv (out, "kind", smtpcodes_module_get_kind (m), FALSE);
          json_kv (out, "version", smtpcodes_module_get_version (m), FALSE);
          json_kv (out, "file", smtpcodes_module_get_filename (m), FALSE);
          json_key (out, "builtin", FALSE);
          g_string_append (out, smtpcodes_module_is_builtin (m) ? "true" : "false");
          json_key (out, "entries", FALSE);
          g_string_append_printf (out, "%u}", smtpcodes_module_get_n_entries (m));
        }
      g_string_append_c (out, ']');
      json_strv (out, "rejected", (char **) rejected);
      g_string_append (out, "}\n");
    }
  else
    {
      for (guint i = 0; i < mods->len; i++)
        {
          const SmtpcodesModule *m = mods->pdata[i];
          g_string_append_printf (out, "%-12s %-8s %-8s %4u  %s\n  %s\n", smtpcodes_module_get_id (m),
                                  smtpcodes_module_get_kind (m), smtpcodes_module_get_version (m),
                                  smtpcodes_module_get_n_entries (m), smtpcodes_module_get_name (m, lang ()),
                                  smtpcodes_module_get_filename (m));
        }
      for (guint i = 0; rejected[i]; i++)
        g_string_append_printf (out, "rejected: %s\n", rejected[i]);
    }
  fwrite (out->str, 1, out->len, stdout);
  g_string_free (out, TRUE);
  g_ptr_array_unref (mods);
  return EXIT_OK;
}

static int
cmd_validate (int argc, char **argv)
{
  int rc = EXIT_OK;
  if (argc < 1)
    {
      g_printerr ("smtpcodes: validate needs one or more module files\n");
      return EXIT_USAGE;
    }
  for (int i = 0; i < argc; i++)
    {
      GError *error = NULL;
      if (smtpcodes_registry_validate_file (argv[i], SMTPCODES_LOAD_STRICT, &error))
        printf ("%s: ok\n", argv[i]);
      else
        {
          printf ("%s: INVALID\n", argv[i]);
          g_printerr ("%s\n", error->message);
          g_error_free (error);
          rc = EXIT_NOTFOUND;
        }
    }
  return rc;
}

static int
cmd_command (SmtpcodesRegistry *reg, int argc, char **argv)
{
  char *name;
  const SmtpcodesEntry *e;
  GString *out = g_string_new (NULL);

  if (argc < 1)
    {
      g_printerr ("smtpcodes: command needs an SMTP command name such as EHLO\n");
      g_string_free (out, TRUE);
      return EXIT_USAGE;
    }
  name = g_strjoinv (" ", argv);
  e = smtpcodes_registry_lookup_command (reg, name);
  if (e == NULL)
    {
      g_printerr ("smtpcodes: no module knows the SMTP command '%s' (see 'smtpcodes list commands')\n", name);
      g_free (name);
      g_string_free (out, TRUE);
      return EXIT_NOTFOUND;
    }
  if (opt_json)
    {
      const char *const *aliases = smtpcodes_entry_get_markers (e);
      g_string_append (out, "{\"schema\":1");
      json_kv (out, "command", smtpcodes_entry_get_code (e), FALSE);
      json_kv (out, "module", smtpcodes_entry_get_module_id (e), FALSE);
      json_kv (out, "summary", smtpcodes_entry_get_summary (e, lang ()), FALSE);
      json_kv (out, "explanation", smtpcodes_entry_get_explanation (e, lang ()), FALSE);
      json_kv (out, "advice", smtpcodes_entry_get_advice (e, lang ()), FALSE);
      json_kv (out, "source", smtpcodes_entry_get_source (e), FALSE);
      json_kv (out, "obsoleted_by", smtpcodes_entry_get_obsoleted_by (e), FALSE);
      json_kv (out, "usage", smtpcodes_entry_get_usage (e), FALSE);
      json_strv (out, "aliases", (char **) aliases);
      g_string_append (out, "}\n");
    }
  else
    {
      char *src = smtpcodes_entry_get_obsoleted_by (e)
                  ? g_strdup_printf ("%s (%s %s)", smtpcodes_entry_get_source (e),
                                     german () ? "abgelöst durch" : "obsoleted by", smtpcodes_entry_get_obsoleted_by (e))
                  : g_strdup (smtpcodes_entry_get_source (e));
      g_string_append_printf (out, "%s [%s]\n", smtpcodes_entry_get_code (e), smtpcodes_entry_get_usage (e));
      print_wrapped (out, LBL (L_SUMMARY), smtpcodes_entry_get_summary (e, lang ()));
      print_wrapped (out, LBL (L_EXPLANATION), smtpcodes_entry_get_explanation (e, lang ()));
      print_wrapped (out, LBL (L_ADVICE), smtpcodes_entry_get_advice (e, lang ()));
      print_wrapped (out, "RFC", src);
      g_free (src);
    }
  fwrite (out->str, 1, out->len, stdout);
  g_string_free (out, TRUE);
  g_free (name);
  return EXIT_OK;
}

static int
cmd_reasons (void)
{
  const char *const *r = smtpcodes_registry_list_reasons ();
  for (guint i = 0; r[i]; i++)
    printf ("%s\n", r[i]);
  return EXIT_OK;
}

/* ---- bounce ----------------------------------------------------------------------------- */

static void
bounce_json (GString *out, const char *source, guint msgno, const SmtpcodesReport *rep, const SmtpcodesRecipient *r)
{
  const SmtpcodesVerdict *v = r ? smtpcodes_recipient_get_verdict (r) : NULL;
  char *s;

  g_string_append (out, "{\"schema\":1");
  json_kv (out, "file", source, FALSE);
  json_key (out, "message", FALSE);
  g_string_append_printf (out, "%u", msgno);
  json_kv (out, "kind", smtpcodes_report_kind_to_string (smtpcodes_report_get_kind (rep)), FALSE);
  json_kv (out, "format", smtpcodes_report_get_format (rep), FALSE);
  json_kv (out, "reporting_mta", smtpcodes_report_get_reporting_mta (rep), FALSE);
  if (r == NULL)
    {
      g_string_append (out, ",\"recipient\":null}\n");
      return;
    }
  json_kv (out, "recipient", smtpcodes_recipient_get_address (r), FALSE);
  json_kv (out, "original_recipient", smtpcodes_recipient_get_original_address (r), FALSE);
  json_kv (out, "action", smtpcodes_recipient_get_action (r), FALSE);
  json_kv (out, "status", smtpcodes_recipient_get_status (r), FALSE);
  json_key (out, "replycode", FALSE);
  if (smtpcodes_recipient_get_reply_code (r))
    g_string_append_printf (out, "\"%d\"", smtpcodes_recipient_get_reply_code (r));
  else
    g_string_append (out, "\"\"");
  json_kv (out, "reason", smtpcodes_recipient_get_reason (r), FALSE);
  json_key (out, "hardbounce", FALSE);
  g_string_append (out, smtpcodes_recipient_is_hard_bounce (r) ? "1" : "0");
  json_key (out, "retry", FALSE);
  g_string_append (out, smtpcodes_recipient_get_retry (r) ? "true" : "false");
  json_kv (out, "diagnostic", smtpcodes_recipient_get_diagnostic (r), FALSE);
  json_kv (out, "remote_mta", smtpcodes_recipient_get_remote_mta (r), FALSE);
  json_kv (out, "command", smtpcodes_recipient_get_command (r), FALSE);
  json_kv (out, "vendor", smtpcodes_verdict_get_vendor (v), FALSE);
  json_kv (out, "lang", german () ? "de" : "en", FALSE);
  s = smtpcodes_verdict_get_summary (v, lang ());
  json_kv (out, "summary", s, FALSE);
  g_free (s);
  s = smtpcodes_verdict_get_explanation (v, lang ());
  json_kv (out, "explanation", s, FALSE);
  g_free (s);
  s = smtpcodes_verdict_get_advice (v, lang ());
  json_kv (out, "advice", s, FALSE);
  g_free (s);
  g_string_append (out, "}\n");
}

static void
bounce_human (GString *out, const char *source, guint msgno, const SmtpcodesReport *rep)
{
  int g = german () ? 1 : 0;
  static const char *const kind_text[][2] = {
    { "not a bounce", "kein Bounce" }, { "bounce", "Bounce" }, { "delay notice", "Verzögerungsmeldung" },
    { "delivery notice", "Zustellbestätigung" }, { "automatic reply", "automatische Antwort" },
    { "feedback report", "Feedback-Bericht" } };
  guint n = smtpcodes_report_get_n_recipients (rep);

  g_string_append_printf (out, "%s", source);
  if (msgno > 1)
    g_string_append_printf (out, " #%u", msgno);
  g_string_append_printf (out, ": %s", kind_text[smtpcodes_report_get_kind (rep)][g]);
  if (smtpcodes_report_get_kind (rep) != SMTPCODES_REPORT_NOT_BOUNCE)
    g_string_append_printf (out, " (%s), %u %s", smtpcodes_report_get_format (rep), n,
                            n == 1 ? (g ? "Empfänger" : "recipient") : (g ? "Empfänger" : "recipients"));
  g_string_append_c (out, '\n');
  for (guint i = 0; i < n; i++)
    {
      const SmtpcodesRecipient *r = smtpcodes_report_get_recipient (rep, i);
      const SmtpcodesVerdict *v = smtpcodes_recipient_get_verdict (r);
      char *s, code[16] = "";
      const char *reason = smtpcodes_recipient_get_reason (r);
      gboolean failure = smtpcodes_report_get_kind (rep) == SMTPCODES_REPORT_BOUNCE
                         || smtpcodes_report_get_kind (rep) == SMTPCODES_REPORT_DELAY;

      if (smtpcodes_recipient_get_reply_code (r))
        g_snprintf (code, sizeof code, "%d ", smtpcodes_recipient_get_reply_code (r));
      g_string_append_printf (out, "\n  %s\n", smtpcodes_recipient_get_address (r) ? smtpcodes_recipient_get_address (r) : "?");
      print_wrapped (out, g ? "Aktion" : "Action", smtpcodes_recipient_get_action (r));
      s = g_strdup_printf ("%s%s", code, smtpcodes_recipient_get_status (r));
      print_wrapped (out, "Status", s);
      g_free (s);
      print_wrapped (out, labels[L_REASON][g], reason);
      if (failure)
        print_wrapped (out, labels[L_BOUNCE][g], smtpcodes_recipient_is_hard_bounce (r) ? labels[L_HARD][g] : labels[L_SOFT][g]);
      if (failure)
        print_wrapped (out, labels[L_RETRY][g], smtpcodes_recipient_get_retry (r) ? labels[L_YES][g] : labels[L_NO][g]);
      print_wrapped (out, labels[L_COMMAND][g], smtpcodes_recipient_get_command (r));
      print_wrapped (out, labels[L_HOST][g], smtpcodes_recipient_get_remote_mta (r));
      print_wrapped (out, labels[L_TEXT][g], smtpcodes_recipient_get_diagnostic (r));
      /* auto-replies, feedback reports and delivery notices are explained too */
      s = smtpcodes_verdict_get_summary (v, lang ());
      print_wrapped (out, labels[L_SUMMARY][g], s);
      g_free (s);
      s = smtpcodes_verdict_get_explanation (v, lang ());
      print_wrapped (out, labels[L_EXPLANATION][g], s);
      g_free (s);
      s = smtpcodes_verdict_get_advice (v, lang ());
      print_wrapped (out, labels[L_ADVICE][g], s);
      g_free (s);
    }
}

static int
cmd_bounce (SmtpcodesRegistry *reg, int argc, char **argv)
{
  int rc = EXIT_OK;
  if (argc < 1)
    {
      g_printerr ("smtpcodes: bounce needs a FILE, '-', an MBOX or a MAILDIR\n");
      return EXIT_USAGE;
    }
  for (int a = 0; a < argc; a++)
    {
      GError *error = NULL;
      SmtpcodesReportReader *rd = smtpcodes_report_reader_new (reg, argv[a], &error);
      SmtpcodesReport *rep;
      const char *last = NULL;
      char *last_copy = NULL;
      guint msgno = 0;

      if (rd == NULL)
        {
          g_printerr ("smtpcodes: %s\n", error->message);
          g_error_free (error);
          rc = EXIT_NOTFOUND;
          continue;
        }
      for (;;)
        {
          GString *out = g_string_new (NULL);
          rep = smtpcodes_report_reader_next (rd, &error);
          if (rep == NULL && error == NULL)
            {
              g_string_free (out, TRUE);
              break;
            }
          last = smtpcodes_report_reader_get_source (rd);
          if (g_strcmp0 (last, last_copy) != 0)
            {
              g_free (last_copy);
              last_copy = g_strdup (last);
              msgno = 0;
            }
          msgno++;
          if (rep == NULL)
            {
              g_printerr ("smtpcodes: %s\n", error->message);
              g_clear_error (&error);
              rc = EXIT_NOTFOUND;
              g_string_free (out, TRUE);
              continue;
            }
          if (opt_json)
            {
              guint n = smtpcodes_report_get_n_recipients (rep);
              if (n == 0)
                bounce_json (out, last, msgno, rep, NULL);
              for (guint i = 0; i < n; i++)
                bounce_json (out, last, msgno, rep, smtpcodes_report_get_recipient (rep, i));
            }
          else
            bounce_human (out, last, msgno, rep);
          fwrite (out->str, 1, out->len, stdout);
          g_string_free (out, TRUE);
          smtpcodes_report_unref (rep);
        }
      g_free (last_copy);
      smtpcodes_report_reader_free (rd);
    }
  return rc;
}

static SmtpcodesRegistry *
load_registry (void)
{
  GError *error = NULL;
  SmtpcodesRegistry *reg;
  GPtrArray *path = g_ptr_array_new ();
  char **dflt = NULL;

  if (!opt_module_path && !opt_no_search && !opt_strict)
    return smtpcodes_registry_ref (smtpcodes_registry_get_default ());
  for (guint i = 0; opt_module_path && opt_module_path[i]; i++)
    g_ptr_array_add (path, opt_module_path[i]);
  if (!opt_no_search)
    {
      dflt = smtpcodes_registry_get_default_search_path ();
      for (guint i = 0; dflt[i]; i++)
        g_ptr_array_add (path, dflt[i]);
    }
  g_ptr_array_add (path, NULL);
  reg = smtpcodes_registry_new ((const char * const *) path->pdata,
                                opt_strict ? SMTPCODES_LOAD_STRICT : SMTPCODES_LOAD_DEFAULT, &error);
  g_ptr_array_unref (path);
  g_strfreev (dflt);
  if (reg == NULL)
    {
      g_printerr ("smtpcodes: %s\n", error->message);
      g_error_free (error);
    }
  return reg;
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx;
  GError *error = NULL;
  SmtpcodesRegistry *reg;
  const char *cmd;
  int rc;

  setlocale (LC_ALL, "");
  ctx = g_option_context_new ("COMMAND [ARGS...] - what an SMTP reply means");
  g_option_context_add_main_entries (ctx, global_entries, NULL);
  g_option_context_set_description (ctx, summary_text);
  g_option_context_set_strict_posix (ctx, FALSE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("smtpcodes: %s (see --help)\n", error->message);
      g_error_free (error);
      g_option_context_free (ctx);
      return EXIT_USAGE;
    }
  if (opt_version)
    {
      printf ("smtpcodes %s\n", PACKAGE_VERSION);
      g_option_context_free (ctx);
      return EXIT_OK;
    }
  if (argc < 2)
    {
      char *help = g_option_context_get_help (ctx, TRUE, NULL);
      g_printerr ("%s", help);
      g_free (help);
      g_option_context_free (ctx);
      return EXIT_USAGE;
    }
  g_option_context_free (ctx);
  if (opt_lang && !g_str_equal (opt_lang, "en") && !g_str_equal (opt_lang, "de")
      && !g_str_has_prefix (opt_lang, "de_") && !g_str_has_prefix (opt_lang, "en_"))
    {
      g_printerr ("smtpcodes: --lang %s: the explanations exist in en and de\n", opt_lang);
      return EXIT_USAGE;
    }

  cmd = argv[1];
  if (g_str_equal (cmd, "validate"))
    return cmd_validate (argc - 2, argv + 2);
  if (g_str_equal (cmd, "reasons"))
    return cmd_reasons ();
  if (!g_strv_contains ((const char *const[]) { "explain", "lookup", "list", "modules", "command", "bounce", NULL }, cmd))
    {
      g_printerr ("smtpcodes: unknown command '%s' (explain, lookup, list, modules, command, validate, reasons, bounce; see --help)\n", cmd);
      return EXIT_USAGE;
    }
  reg = load_registry ();
  if (reg == NULL)
    return EXIT_USAGE;
  if (opt_vendor && smtpcodes_registry_get_module (reg, opt_vendor) == NULL)
    {
      g_printerr ("smtpcodes: --vendor %s: no such module is loaded (see 'smtpcodes modules')\n", opt_vendor);
      smtpcodes_registry_unref (reg);
      return EXIT_USAGE;
    }
  if (g_str_equal (cmd, "explain"))
    rc = cmd_explain (reg, argc - 2, argv + 2);
  else if (g_str_equal (cmd, "lookup"))
    rc = cmd_lookup (reg, argc - 2, argv + 2);
  else if (g_str_equal (cmd, "list"))
    rc = cmd_list (reg, argc - 2, argv + 2);
  else if (g_str_equal (cmd, "command"))
    rc = cmd_command (reg, argc - 2, argv + 2);
  else if (g_str_equal (cmd, "bounce"))
    rc = cmd_bounce (reg, argc - 2, argv + 2);
  else
    rc = cmd_modules (reg);
  smtpcodes_registry_unref (reg);
  return rc;
}
