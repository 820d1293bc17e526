/* test-reply: the reply parser, bare and in the wild, and bad input */
#include <string.h>
#include <libsmtpcodes/smtpcodes.h>

typedef struct {
  const char *name;
  const char *input;
  int         code;
  const char *enhanced;
  const char *text;       /* exact, or NULL to skip */
  const char *command;
  const char *host;
  const char *context;
  guint       lines;      /* 0: skip */
} Case;

static const Case cases[] = {
  { "bare-code", "550", 550, NULL, "", NULL, NULL, "code", 1 },
  { "bare-status", "5.7.1", 0, "5.7.1", "", NULL, NULL, "code", 1 },
  { "bare-pair", "550 5.1.1", 550, "5.1.1", "", NULL, NULL, "code", 1 },
  { "bare-wildcard", "5.1.x", 0, "5.1.x", "", NULL, NULL, "code", 1 },
  { "single-line", "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table",
    550, "5.1.1", "<bob@example.com>: Recipient address rejected: User unknown in local recipient table", NULL, NULL, "reply", 1 },
  { "no-enhanced", "421 mx.example.org Service not available, closing channel",
    421, NULL, "mx.example.org Service not available, closing channel", NULL, NULL, "reply", 1 },
  { "multi-line", "550-5.1.1 The account you tried to reach\r\n550-5.1.1 does not exist here.\r\n550 5.1.1 See the help pages. x1si gsmtp\r\n",
    550, "5.1.1", "The account you tried to reach does not exist here. See the help pages. x1si gsmtp", NULL, NULL, "reply", 3 },
  { "multi-line-joined", "550-5.1.1 The account you tried to reach 550-5.1.1 does not exist. 550 5.1.1 more - gsmtp",
    550, "5.1.1", "The account you tried to reach does not exist. 550 5.1.1 more - gsmtp", NULL, NULL, "reply", 0 },
  { "postfix-log",
    "Nov 22 14:26:01 mail postfix/smtp[12345]: 4F1A2B3C4D: to=<bob@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=0.5, "
    "delays=0.1/0/0.2/0.2, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>: "
    "Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))",
    550, "5.1.1", "<bob@example.com>: Recipient address rejected: User unknown in local recipient table", "RCPT", "mx.example.com", "postfix", 1 },
  { "postfix-deferred-no-code",
    "Nov 22 14:26:01 mail postfix/smtp[1]: ABC: to=<a@example.net>, relay=none, delay=30, dsn=4.4.1, status=deferred "
    "(connect to mx.example.net[198.51.100.7]:25: Connection timed out)",
    0, "4.4.1", NULL, NULL, NULL, "log", 0 },
  { "postfix-bounce-text",
    "<bob@example.com>: host mx.example.com[192.0.2.1] said: 552 5.2.2 Mailbox full (in reply to end of DATA command)",
    552, "5.2.2", "Mailbox full", "DATA", "mx.example.com", "postfix", 1 },
  { "exim",
    "SMTP error from remote mail server after RCPT TO:<bob@example.com>:\n    host mx.example.com [192.0.2.1]: 550 5.1.1 No such user",
    550, "5.1.1", "No such user", "RCPT", "mx.example.com", "exim", 1 },
  { "exim-mail-from",
    "SMTP error from remote mail server after MAIL FROM:<x@example.org> SIZE=1234: host mx.example.com [192.0.2.1]: 550 5.7.1 Sender blocked",
    550, "5.7.1", "Sender blocked", "MAIL", "mx.example.com", "exim", 1 },
  { "sendmail", "... while talking to mx.example.com.:\n>>> DATA\n<<< 554 5.7.1 Message refused",
    554, "5.7.1", "Message refused", "DATA", "mx.example.com", "sendmail", 1 },
  { "exchange-ndr", "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##",
    550, "5.1.1", "RESOLVER.ADR.RecipNotFound; not found", NULL, NULL, "reply", 1 },
  { "exchange-remote-server", "Remote Server returned '550 5.7.1 Unable to relay'",
    550, "5.7.1", "Unable to relay", NULL, NULL, "exchange", 1 },
  { "gmail", "PERM_FAILURE: SMTP Error (state 9): 554 5.1.0 Sender is not allowed here",
    554, "5.1.0", "Sender is not allowed here", NULL, NULL, "gmail", 1 },
  { "diagnostic-code", "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>... User unknown",
    550, "5.1.1", "<bob@example.com>... User unknown", NULL, NULL, "dsn", 1 },
  { "remote-mta", "Remote-MTA: dns; mx1.example.com\nDiagnostic-Code: smtp; 451 4.7.1 Greylisted: this server defers first-time senders, retry soon",
    451, "4.7.1", "Greylisted: this server defers first-time senders, retry soon", NULL, "mx1.example.com", "dsn", 1 },
  { "status-only", "5.2.2 mailbox is over quota", 0, "5.2.2", "mailbox is over quota", NULL, NULL, "reply", 1 },
  { "greeting", "554 mx.example.com ESMTP not accepting messages (in reply to initial connection)",
    554, NULL, NULL, "CONNECT", NULL, "reply", 0 },
  { "ip-not-status", "host 5.45.67.89 refused: 421 4.7.0 Try again later", 421, "4.7.0", "Try again later", NULL, NULL, "log", 0 },
  { "version-not-status", "Postfix 3.7.10 answered 250 2.0.0 Ok: queued as ABC", 250, "2.0.0", "Ok: queued as ABC", NULL, NULL, "log", 0 },
  { "leading-space", "   250 OK   ", 250, NULL, "OK", NULL, NULL, "reply", 1 },
  { "enhanced-trailing-dot", "550 5.7.1. Relaying denied", 550, "5.7.1", "Relaying denied", NULL, NULL, "reply", 1 },
  /* a greeting quoted before the refusal is not the reply that decided */
  { "greeting-then-refusal", "220-mx.example.net 421 4.2.1 Service refused, try later",
    421, "4.2.1", "Service refused, try later", NULL, NULL, "log", 0 },
  /* counts and sizes in a notice are no reply codes when a failure follows */
  { "size-then-failure", "Size (in bytes): 222\nError message below:\n550 - Requested action not taken: no such user here",
    550, NULL, NULL, NULL, NULL, "log", 0 },
  { "bracketed", "It responded as follows: [550 5.1.1 User unknown]", 550, "5.1.1", NULL, NULL, NULL, "log", 0 },
  { "comma-after-code", "Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <bob@example.com>... User Unknown",
    550, NULL, NULL, NULL, NULL, "log", 0 },
  { "quoted-after-code", "5.1.0 - Unknown address error 550-'5.7.1 <x@example.com>... Access denied'",
    550, "5.7.1", NULL, NULL, NULL, "log", 0 },
  { "qmail-rcpt", "<bob@example.com>:\n192.0.2.3 does not like recipient.\nRemote host said: 550 5.1.1 <bob@example.com>... User Unknown",
    550, "5.1.1", NULL, "RCPT", NULL, "postfix", 0 },
  { "yahoo-rcpt-tag", "Remote host said: 550 5.2.1 <bob@example.com>... User Unknown [RCPT_TO]",
    550, "5.2.1", NULL, "RCPT", NULL, "postfix", 0 },
  { "colon-after-code", "550: 5.2.2 <full@example.com>... Mailbox Full", 550, "5.2.2",
    "<full@example.com>... Mailbox Full", NULL, NULL, "reply", 1 },
};

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  GError *error = NULL;
  SmtpcodesReply *r = smtpcodes_reply_parse (c->input, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpint (smtpcodes_reply_get_code (r), ==, c->code);
  g_assert_cmpstr (smtpcodes_reply_get_enhanced (r), ==, c->enhanced);
  if (c->text)
    g_assert_cmpstr (smtpcodes_reply_get_text (r), ==, c->text);
  g_assert_cmpstr (smtpcodes_reply_get_command (r), ==, c->command);
  g_assert_cmpstr (smtpcodes_reply_get_remote_host (r), ==, c->host);
  g_assert_cmpstr (smtpcodes_reply_get_context (r), ==, c->context);
  if (c->lines)
    g_assert_cmpuint (smtpcodes_reply_get_n_lines (r), ==, c->lines);
  g_assert_cmpstr (smtpcodes_reply_get_input (r), ==, c->input);
  smtpcodes_reply_unref (r);
}

static void
test_no_code (void)
{
  const char *inputs[] = { "", "   \r\n ", "hello world", "Connection timed out",
                           "Nov 22 14:26:01 mail postfix/smtp[123]: connect to 192.0.2.1:25: refused",
                           "650 not a code", "5500 no", "1.2.3.4", NULL };
  for (guint i = 0; inputs[i]; i++)
    {
      GError *error = NULL;
      SmtpcodesReply *r = smtpcodes_reply_parse (inputs[i], -1, &error);
      g_test_message ("input '%s'", inputs[i]);
      g_assert_null (r);
      g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_NO_CODE);
      g_clear_error (&error);
    }
}

/* The error quotes the start of the input; the cut must not split a UTF-8 character. */
static void
test_no_code_message_utf8 (void)
{
  GString *in = g_string_new (NULL);
  for (int i = 0; i < 40; i++)
    g_string_append (in, "\xc3\xa4");   /* "ä" twice per step: the cut at 60 bytes falls inside none */
  for (int shift = 0; shift < 3; shift++)
    {
      GError *error = NULL;
      char *text = g_strdup_printf ("%.*s%s", shift, "xx", in->str);
      g_assert_null (smtpcodes_reply_parse (text, -1, &error));
      g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_NO_CODE);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_nonnull (strstr (error->message, "..."));
      g_clear_error (&error);
      g_free (text);
    }
  g_string_free (in, TRUE);
}

static void
test_nul_byte (void)
{
  static const char text[] = "550 5.1.1 bad\0user";
  GError *error = NULL;
  SmtpcodesReply *r = smtpcodes_reply_parse (text, sizeof text - 1, &error);
  g_assert_null (r);
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "offset 13"));
  g_clear_error (&error);
}

static void
test_invalid_utf8 (void)
{
  static const char text[] = "550 5.1.1 Benutzer \xff\xfe unbekannt";
  GError *error = NULL;
  SmtpcodesReply *r = smtpcodes_reply_parse (text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (smtpcodes_reply_get_code (r), ==, 550);
  g_assert_true (g_utf8_validate (smtpcodes_reply_get_text (r), -1, NULL));
  g_assert_true (g_utf8_validate (smtpcodes_reply_get_input (r), -1, NULL));
  g_assert_nonnull (strstr (smtpcodes_reply_get_text (r), "\xef\xbf\xbd"));   /* U+FFFD kept in place */
  g_assert_nonnull (strstr (smtpcodes_reply_get_text (r), "unbekannt"));
  smtpcodes_reply_unref (r);
}

static void
test_too_long (void)
{
  gsize n = SMTPCODES_REPLY_MAX_LENGTH + 1;
  char *big = g_malloc (n + 1);
  GError *error = NULL;
  SmtpcodesReply *r;

  memset (big, 'a', n);
  memcpy (big, "550 ", 4);
  big[n] = '\0';
  r = smtpcodes_reply_parse (big, -1, &error);
  g_assert_null (r);
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* exactly at the limit is fine, and linear: one huge line of text */
  big[n - 1] = '\0';
  r = smtpcodes_reply_parse (big, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (smtpcodes_reply_get_code (r), ==, 550);
  g_assert_cmpuint (strlen (smtpcodes_reply_get_text (r)), ==, n - 1 - 4);
  smtpcodes_reply_unref (r);
  g_free (big);
}

/* Many continuation lines, many digits, many candidate codes: still correct and fast. */
static void
test_pathological (void)
{
  GString *s = g_string_new (NULL);
  GError *error = NULL;
  SmtpcodesReply *r;
  gint64 t0;

  for (int i = 0; i < 20000; i++)
    g_string_append (s, "450-4.2.0 line\r\n");
  g_string_append (s, "450 4.2.0 end\r\n");
  t0 = g_get_monotonic_time ();
  r = smtpcodes_reply_parse (s->str, (gssize) s->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (smtpcodes_reply_get_n_lines (r), ==, 20001);
  smtpcodes_reply_unref (r);

  g_string_truncate (s, 0);
  for (int i = 0; i < 25000; i++)
    g_string_append (s, "123456789 said: said: (in reply to ");
  r = smtpcodes_reply_parse (s->str, (gssize) s->len, &error);
  g_assert_null (r);
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_NO_CODE);
  g_clear_error (&error);
  /* generous bound: a quadratic scan would take minutes */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
  g_string_free (s, TRUE);
}

static void
test_new_from_parts (void)
{
  GError *error = NULL;
  SmtpcodesReply *r = smtpcodes_reply_new (550, "5.1.1", "User unknown", "RCPT", "mx.example.com", &error);
  SmtpcodesVerdict *v;

  g_assert_no_error (error);
  g_assert_cmpint (smtpcodes_reply_get_code (r), ==, 550);
  g_assert_cmpstr (smtpcodes_reply_get_enhanced (r), ==, "5.1.1");
  g_assert_cmpstr (smtpcodes_reply_get_text (r), ==, "User unknown");
  g_assert_cmpstr (smtpcodes_reply_get_command (r), ==, "RCPT");
  g_assert_cmpstr (smtpcodes_reply_get_remote_host (r), ==, "mx.example.com");
  g_assert_cmpstr (smtpcodes_reply_get_context (r), ==, "parts");
  v = smtpcodes_registry_explain (smtpcodes_registry_get_default (), r, NULL);
  g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, "userunknown");
  smtpcodes_verdict_unref (v);
  smtpcodes_reply_unref (r);

  /* no code at all: the wording still names a reason, the class stays unknown */
  r = smtpcodes_reply_new (0, NULL, "Mailbox is full, quota exceeded", NULL, NULL, &error);
  g_assert_no_error (error);
  v = smtpcodes_registry_explain (smtpcodes_registry_get_default (), r, NULL);
  g_assert_cmpint (smtpcodes_verdict_get_class (v), ==, SMTPCODES_CLASS_UNKNOWN);
  g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, "mailboxfull");
  smtpcodes_verdict_unref (v);
  smtpcodes_reply_unref (r);

  g_assert_null (smtpcodes_reply_new (650, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE);
  g_clear_error (&error);
  g_assert_null (smtpcodes_reply_new (550, "5.1", NULL, NULL, NULL, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE);
  g_clear_error (&error);
  g_assert_null (smtpcodes_reply_new (550, "X.1.1", NULL, NULL, NULL, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE);
  g_clear_error (&error);
}

/* The host before "said:": the nearest "host ", at most 300 bytes back, however many come
 * before it (the parser records the first 64 and searches back by hand beyond). */
static void
test_host_before (void)
{
  GString *s = g_string_new (NULL);
  GError *error = NULL;
  SmtpcodesReply *r;

  for (int many = 0; many < 2; many++)
    for (int gap = 0; gap < 2; gap++)
      {
        g_string_truncate (s, 0);
        for (int i = 0; i < (many ? 100 : 3); i++)
          g_string_append_printf (s, "host h%d.example ", i);
        g_string_append (s, "HOST mx.example.com[192.0.2.1] ");
        if (gap)
          for (int i = 0; i < 50; i++)
            g_string_append (s, "padding ");   /* the last "host " is now 400+ bytes back */
        g_string_append (s, "said: 550 5.1.1 User unknown");
        r = smtpcodes_reply_parse (s->str, (gssize) s->len, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (smtpcodes_reply_get_context (r), ==, "postfix");
        g_assert_cmpstr (smtpcodes_reply_get_remote_host (r), ==, gap ? NULL : "mx.example.com");
        smtpcodes_reply_unref (r);
      }
  /* "host unknown": the address in brackets */
  r = smtpcodes_reply_parse ("<a@b.example>: host unknown[192.0.2.9] said: 550 5.1.1 no", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_reply_get_remote_host (r), ==, "192.0.2.9");
  smtpcodes_reply_unref (r);
  /* "host " at the very start, and ending right before the anchor */
  r = smtpcodes_reply_parse ("host mx.example.org said: 451 4.7.1 later", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_reply_get_remote_host (r), ==, "mx.example.org");
  smtpcodes_reply_unref (r);
  r = smtpcodes_reply_parse ("xhost  said: 451 4.7.1 later", -1, &error);
  g_assert_no_error (error);
  g_assert_null (smtpcodes_reply_get_remote_host (r));
  smtpcodes_reply_unref (r);
  g_string_free (s, TRUE);
}

/* A text given with its length is read up to there: the parser works on the caller's
 * buffer and copies only the reply's part. */
static void
test_length_not_terminated (void)
{
  static const char buf[] = "550 5.1.1 User unknown; 451 4.7.1 not this part";
  static const char nocode[] = "no code in this part; 550 5.1.1 but in this one";
  GError *error = NULL;
  SmtpcodesReply *r = smtpcodes_reply_parse (buf, 22, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_reply_get_input (r), ==, "550 5.1.1 User unknown");
  g_assert_cmpstr (smtpcodes_reply_get_text (r), ==, "User unknown");
  smtpcodes_reply_unref (r);
  r = smtpcodes_reply_parse (buf, 3, &error);
  g_assert_no_error (error);
  g_assert_true (smtpcodes_reply_is_code_only (r));
  g_assert_cmpstr (smtpcodes_reply_get_input (r), ==, "550");
  smtpcodes_reply_unref (r);
  g_assert_null (smtpcodes_reply_parse (nocode, 20, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_NO_CODE);
  g_assert_nonnull (strstr (error->message, "'no code in this part'"));
  g_clear_error (&error);
  /* invalid UTF-8 with a length: replaced, and still only that part */
  r = smtpcodes_reply_parse ("552 5.2.2 voll \xff\xfe 551 rest", 18, &error);
  g_assert_no_error (error);
  g_assert_cmpint (smtpcodes_reply_get_code (r), ==, 552);
  g_assert_cmpstr (smtpcodes_reply_get_text (r), ==, "voll \xef\xbf\xbd\xef\xbf\xbd");
  smtpcodes_reply_unref (r);
}

/* More pattern hits than a reply keeps (256): the verdict still comes from them. */
static void
test_many_matches (void)
{
  GString *s = g_string_new ("552 5.2.2 ");
  GError *error = NULL;
  SmtpcodesVerdict *v;

  for (int i = 0; i < 400; i++)
    g_string_append (s, "mailbox full, quota exceeded; ");
  v = smtpcodes_registry_explain_text (smtpcodes_registry_get_default (), s->str, (gssize) s->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtpcodes_verdict_get_reason (v), ==, "mailboxfull");
  smtpcodes_verdict_unref (v);
  g_string_free (s, TRUE);
}

/* The reply text as the parser has always made it, byte by byte: continuation prefixes of
 * the reply's code dropped, white space collapsed. */
static char *
reference_clean (const char *s, gsize len, const char *digits)
{
  GString *out = g_string_new (NULL);
  gboolean line_start = TRUE;
  for (gsize i = 0; i < len;)
    {
      gboolean boundary = i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r';
      if (boundary && i + 4 <= len && memcmp (s + i, digits, 3) == 0
          && (s[i + 3] == '-' || ((s[i + 3] == ' ' || i + 4 == len) && line_start)))
        {
          i += 4;
          line_start = FALSE;
          continue;
        }
      if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t' || s[i] == ' ')
        {
          if (s[i] == '\n')
            line_start = TRUE;
          if (out->len && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
          i++;
          continue;
        }
      line_start = FALSE;
      do
        g_string_append_c (out, s[i++]);
      while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r');
    }
  while (out->len && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

/* Words of every length around the eight bytes the text copy takes at once, with control
 * characters, UTF-8 and continuation prefixes in them. */
static void
test_text_words (void)
{
  static const char *const pieces[] = {
    "a", "bb", "xyz", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq",
    "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f", "ab\x01" "cd", "abcdefg\x1fhij", "\x0b", "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f",
    " ", "  ", "\t", "\r\n", "\n", "550-", "550 ", "550", "5500", "x550-", "451-",
  };
  GRand *r = g_rand_new_with_seed (7);
  GString *in = g_string_new (NULL);
  GError *error = NULL;

  for (int round = 0; round < 2000; round++)
    {
      SmtpcodesReply *reply;
      const char *body;
      gsize blen;
      char *want;
      g_string_assign (in, "550 ");
      for (int k = g_rand_int_range (r, 1, 30); k > 0; k--)
        g_string_append (in, pieces[g_rand_int_range (r, 0, G_N_ELEMENTS (pieces))]);
      reply = smtpcodes_reply_parse (in->str, (gssize) in->len, &error);
      g_assert_no_error (error);
      g_assert_cmpint (smtpcodes_reply_get_code (reply), ==, 550);
      if (smtpcodes_reply_get_enhanced (reply) || smtpcodes_reply_is_code_only (reply))
        {
          smtpcodes_reply_unref (reply);
          continue;
        }
      /* the text: after "550 " and blanks, without trailing blanks */
      body = in->str + 4;
      while (*body == ' ' || *body == '\t' || *body == '\r' || *body == '\n')
        body++;
      blen = strlen (body);
      while (blen && (body[blen - 1] == ' ' || body[blen - 1] == '\t' || body[blen - 1] == '\r' || body[blen - 1] == '\n'))
        blen--;
      want = reference_clean (body, blen, "550");
      g_assert_cmpstr (smtpcodes_reply_get_text (reply), ==, want);
      g_free (want);
      smtpcodes_reply_unref (reply);
    }
  g_string_free (in, TRUE);
  g_rand_free (r);
}

/* The parser's UTF-8 check (16 or 8 bytes at a time, a fast path for two-byte letters)
 * against GLib's, on random bytes around every lead and continuation boundary, at every
 * offset, cut at every end. */
static void
test_utf8_random (void)
{
  static const guint8 bytes[] = { 'a', ' ', 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xDF, 0xE0, 0xE2,
                                  0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x8F, 0x90 };
  GRand *r = g_rand_new_with_seed (9);
  GString *in = g_string_new (NULL);
  GError *error = NULL;

  for (int round = 0; round < 20000; round++)
    {
      SmtpcodesReply *reply;
      char *want;
      g_string_assign (in, "550 ");
      /* up to 80 bytes (the check reads 16 or 8 at a time), ASCII runs between the rest */
      for (int k = g_rand_int_range (r, 0, 80); k > 0; k--)
        g_string_append_c (in, g_rand_boolean (r) ? 'a'
                                                  : (char) bytes[g_rand_int_range (r, 0, G_N_ELEMENTS (bytes))]);
      reply = smtpcodes_reply_parse (in->str, (gssize) in->len, &error);
      g_assert_no_error (error);
      want = g_utf8_make_valid (in->str, (gssize) in->len);
      g_assert_cmpstr (smtpcodes_reply_get_input (reply), ==, want);
      g_free (want);
      smtpcodes_reply_unref (reply);
    }
  g_string_free (in, TRUE);
  g_rand_free (r);
}

static void
test_refcount (void)
{
  SmtpcodesReply *r = smtpcodes_reply_parse ("250 ok", -1, NULL);
  g_assert_true (smtpcodes_reply_ref (r) == r);
  smtpcodes_reply_unref (r);
  g_assert_cmpint (smtpcodes_reply_get_code (r), ==, 250);
  g_assert_false (smtpcodes_reply_is_code_only (r));
  smtpcodes_reply_unref (r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *p = g_strdup_printf ("/reply/parse/%s", cases[i].name);
      g_test_add_data_func (p, &cases[i], test_case);
      g_free (p);
    }
  g_test_add_func ("/reply/no-code", test_no_code);
  g_test_add_func ("/reply/nul-byte", test_nul_byte);
  g_test_add_func ("/reply/no-code-message-utf8", test_no_code_message_utf8);
  g_test_add_func ("/reply/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/reply/too-long", test_too_long);
  g_test_add_func ("/reply/pathological", test_pathological);
  g_test_add_func ("/reply/new-from-parts", test_new_from_parts);
  g_test_add_func ("/reply/refcount", test_refcount);
  g_test_add_func ("/reply/host-before", test_host_before);
  g_test_add_func ("/reply/length-not-terminated", test_length_not_terminated);
  g_test_add_func ("/reply/many-matches", test_many_matches);
  g_test_add_func ("/reply/text-words", test_text_words);
  g_test_add_func ("/reply/utf8-random", test_utf8_random);
  return g_test_run ();
}
