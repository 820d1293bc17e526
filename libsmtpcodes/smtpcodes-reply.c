/* smtpcodes-reply.c: SMTP replies, bare (RFC 5321, RFC 2034) or embedded in logs and bounces
 *
 * This file holds grammar only: how replies are written and how MTAs quote them. What a
 * code or a wording means lives in the data modules.
 */
#include "config.h"

#include <string.h>

#include "smtpcodes-private.h"

G_DEFINE_BOXED_TYPE (SmtpcodesReply, smtpcodes_reply, smtpcodes_reply_ref, smtpcodes_reply_unref)

static void
reply_clear (gpointer data)
{
  SmtpcodesReply *r = data;
  g_clear_pointer (&r->matches, g_array_unref);
  g_free (r->dotted);
  g_clear_pointer (&r->scan_reg, smtpcodes_registry_unref);
  g_free (r->enhanced);
  g_free (r->text);
  g_free (r->command);
  g_free (r->remote_host);
  g_free (r->input);
}

/**
 * smtpcodes_reply_ref:
 * @reply: a #SmtpcodesReply
 * Returns: (transfer full): @reply
 * Since: 1.0
 */
SmtpcodesReply *
smtpcodes_reply_ref (SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return g_atomic_rc_box_acquire (reply);
}

/**
 * smtpcodes_reply_unref:
 * @reply: (transfer full): a #SmtpcodesReply
 * Since: 1.0
 */
void
smtpcodes_reply_unref (SmtpcodesReply *reply)
{
  g_return_if_fail (reply != NULL);
  g_atomic_rc_box_release_full (reply, reply_clear);
}

/* ---- small scanners -------------------------------------------------------------------- */

/* The cues of the grammar: where quoting MTAs put replies, hosts and commands. One pass of
 * a process-wide automaton records where each occurs, so the parser reads the text once
 * however many cues it looks for. */
typedef enum {
  CUE_DIAG,
  CUE_SAID,
  CUE_GMAIL,
  CUE_PAREN_COLON,
  CUE_REMOTE_RETURNED,
  CUE_EXIM,
  CUE_BRACKET_COLON,
  CUE_SENDMAIL_IN,
  CUE_TALKING,
  CUE_REMOTE_MTA,
  CUE_RELAY,
  CUE_DSN,
  CUE_PAREN_IN_REPLY,
  CUE_HASHES,
  CUE_IN_REPLY,
  CUE_AFTER,
  CUE_SENDMAIL_OUT,
  CUE_WHILE_SENDING,
  CUE_IN_RESPONSE,
  CUE_QMAIL_RCPT,
  CUE_RCPT_TAG,
  N_CUES
} Cue;

static const char *const grammar_cues[N_CUES] = {
  "diagnostic-code:", " said:", "smtp error (state ", "):", "remote server returned '",
  "smtp error from remote mail", "]:", "<<< ", "while talking to ", "remote-mta:", "relay=",
  "dsn=", "(in reply to ", "##", "in reply to ", "after ", ">>> ", "while sending ",
  "in response to ", "does not like recipient", "[rcpt_to]",
};
#define MAX_HITS 64

typedef struct {
  const char *s;
  gsize       len;
  guint       n[N_CUES];
  guint32     pos[N_CUES][MAX_HITS];   /* start offsets, ascending */
  GArray     *matches;                 /* the registry's pattern and vendor hits */
} Text;

guint
_smtpcodes_reply_n_cues (void)
{
  return N_CUES;
}

const char *
_smtpcodes_reply_cue (guint i)
{
  return i < N_CUES ? grammar_cues[i] : NULL;
}

static guint8 cue_len[N_CUES];   /* filled once with the automaton */

static const SmtpcodesMatcher *
cue_matcher (void)
{
  static SmtpcodesMatcher *m;
  if (g_once_init_enter (&m))
    {
      SmtpcodesMatcher *built = _smtpcodes_matcher_new ();
      for (guint i = 0; i < N_CUES; i++)
        {
          cue_len[i] = (guint8) strlen (grammar_cues[i]);
          _smtpcodes_matcher_add (built, grammar_cues[i], SMTPCODES_TAG_CUE, GUINT_TO_POINTER (i));
        }
      _smtpcodes_matcher_build (built);
      g_once_init_leave (&m, built);
    }
  return m;
}

static gboolean
on_cue (const SmtpcodesMatch *match, gsize end, gpointer user_data)
{
  Text *t = user_data;
  guint id;

  if (match->tag != SMTPCODES_TAG_CUE)
    {
      /* a pattern or vendor marker of the registry: kept for the verdict (the first 256) */
      if (t->matches == NULL)
        t->matches = g_array_sized_new (FALSE, FALSE, sizeof (SmtpcodesMatch), 8);
      if (t->matches->len < 256)
        g_array_append_vals (t->matches, match, 1);
      return TRUE;
    }
  id = GPOINTER_TO_UINT (match->payload);
  if (t->n[id] < MAX_HITS)
    t->pos[id][t->n[id]] = (guint32) (end + 1 - match->length);
  if (t->n[id] < G_MAXUINT)
    t->n[id]++;
  return TRUE;
}

/* One pass over the text: the grammar cues and, with a registry, its patterns and vendor
 * markers (the registry's automaton holds the cues too). */
static void
text_scan (Text *t, SmtpcodesRegistry *reg, const char *s, gsize len)
{
  t->s = s;
  t->len = len;
  t->matches = NULL;
  memset (t->n, 0, sizeof t->n);
  const SmtpcodesMatcher *cues = cue_matcher ();   /* also fills cue_len */
  _smtpcodes_matcher_scan (reg ? reg->matcher : cues, s, len, on_cue, t);
}

/* The first occurrence of a cue inside hay, a part of the input. */
static const char *
ci_find (const Text *t, const char *hay, gsize len, Cue id)
{
  gsize from = (gsize) (hay - t->s), n = cue_len[id];

  for (guint k = 0; k < MIN (t->n[id], MAX_HITS); k++)
    if (t->pos[id][k] >= from && t->pos[id][k] + n <= from + len)
      return t->s + t->pos[id][k];
  if (t->n[id] > MAX_HITS)
    {
      /* more hits than recorded (a pathological text): search the slow way */
      for (gsize i = MAX (from, t->pos[id][MAX_HITS - 1] + 1); i + n <= from + len; i++)
        if (g_ascii_strncasecmp (t->s + i, grammar_cues[id], n) == 0)
          return t->s + i;
    }
  return NULL;
}

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* A reply code at s[i]: three digits, first 2-5, second 0-5, not glued to other digits or
 * dots, followed by a separator. */
static gboolean
code_at (const char *s, gsize len, gsize i, gboolean need_boundary_before)
{
  char f;
  if (i + 3 > len || !is_digit (s[i]) || !is_digit (s[i + 1]) || !is_digit (s[i + 2]))
    return FALSE;
  if (s[i] < '2' || s[i] > '5' || s[i + 1] > '5')
    return FALSE;
  if (need_boundary_before && i > 0)
    {
      char b = s[i - 1];
      if (!(b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '#' || b == '\'' || b == '"'
            || b == '(' || b == ':' || b == ';' || b == '<' || b == '=' || b == '['))
        return FALSE;
    }
  if (i + 3 == len)
    return TRUE;
  f = s[i + 3];
  if (f == ':' && i + 5 < len && s[i + 4] == ' ' && s[i + 5] == s[i] && i + 6 < len && s[i + 6] == '.')
    return TRUE;   /* "550: 5.2.2 ...", as some notices write the pair */
  if (f == ',' && need_boundary_before && (s[i] == '4' || s[i] == '5') && (i + 4 == len || s[i + 4] == ' '))
    return TRUE;   /* "ERROR_CODE :550, ...", "ResponseCode 421, ..." in a notice */
  return f == ' ' || f == '-' || f == '\t' || f == '\r' || f == '\n';
}

/* An enhanced status code at s[i]; sets *end. */
static gboolean
status_at (const char *s, gsize len, gsize i, gsize *end, gboolean need_boundary_before)
{
  gsize j = i;
  if (i >= len || !(s[i] == '2' || s[i] == '4' || s[i] == '5'))
    return FALSE;
  if (need_boundary_before && i > 0)
    {
      char b = s[i - 1];
      if (!(b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '#' || b == '\'' || b == '"'
            || b == '(' || b == ':' || b == ';' || b == '<' || b == '=' || b == '['))
        return FALSE;
    }
  j++;
  for (int part = 0; part < 2; part++)
    {
      gsize d = 0;
      if (j >= len || s[j] != '.')
        return FALSE;
      j++;
      while (j < len && is_digit (s[j]) && d < 4)
        j++, d++;
      if (d == 0 || d > 3)
        return FALSE;
    }
  /* not an IP address or a version number: nothing glued on */
  if (j < len && (is_digit (s[j]) || s[j] == '.' || g_ascii_isalpha (s[j]) || s[j] == '_'))
    {
      if (!(s[j] == '.' && (j + 1 == len || !is_digit (s[j + 1]))))
        return FALSE;
    }
  *end = j;
  return TRUE;
}

static gsize
skip_blank (const char *s, gsize len, gsize i)
{
  while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
    i++;
  return i;
}

static char *
host_token (const char *s, gsize len, gsize i)
{
  gsize j = i;
  while (j < len && (g_ascii_isalnum (s[j]) || s[j] == '.' || s[j] == '-' || s[j] == '_' || s[j] == ':'))
    j++;
  while (j > i && (s[j - 1] == '.' || s[j - 1] == ':'))
    j--;
  if (j == i)
    return NULL;
  return g_strndup (s + i, j - i);
}

/* "... host mx.example.com[192.0.2.1] said:" / "host mx.example.com [192.0.2.1]:" */
static char *
host_before (const char *s, gsize len, const char *at)
{
  const char *p = at;
  /* search back at most 300 bytes for "host " */
  const char *lim = at - MIN ((gsize) (at - s), 300);
  while (p > lim)
    {
      p--;
      if ((gsize) (at - p) >= 5 && g_ascii_strncasecmp (p, "host ", 5) == 0)
        {
          char *h = host_token (s, len, (gsize) (p + 5 - s));
          if (h && g_ascii_strcasecmp (h, "unknown") == 0)
            {
              const char *lb = memchr (p, '[', (gsize) (at - p));
              g_free (h);
              h = lb ? host_token (s, len, (gsize) (lb + 1 - s)) : NULL;
            }
          return h;
        }
    }
  return NULL;
}

/* Words MTAs write for the connection itself, which is no SMTP command. */
static const char *const connection_words[] = { "initial connection", "connect", "greeting", "banner", NULL };

static const char *
command_word (SmtpcodesRegistry *reg, const char *s, gsize len)
{
  gsize skip = skip_blank (s, len, 0), used;
  const SmtpcodesEntry *e;

  s += skip;
  len -= skip;
  if (len >= 10 && g_ascii_strncasecmp (s, "pipelined ", 10) == 0)
    s += 10, len -= 10;
  e = _smtpcodes_registry_match_command (reg, s, len, &used);
  if (e)
    return smtpcodes_entry_get_code (e);
  for (guint i = 0; connection_words[i]; i++)
    {
      gsize n = strlen (connection_words[i]);
      if (n <= len && g_ascii_strncasecmp (s, connection_words[i], n) == 0 && (n == len || !g_ascii_isalpha (s[n])))
        return "CONNECT";
    }
  return NULL;
}

static const char *
find_command (SmtpcodesRegistry *reg, const Text *t, const char *s, gsize len)
{
  static const Cue command_cues[] = { CUE_IN_REPLY, CUE_AFTER, CUE_SENDMAIL_OUT, CUE_WHILE_SENDING, CUE_IN_RESPONSE };
  for (guint ci = 0; ci < G_N_ELEMENTS (command_cues); ci++)
    {
      Cue c = command_cues[ci];
      const char *p = s;
      gsize rest = len;
      const char *hit;
      while ((hit = ci_find (t, p, rest, c)))
        {
          gsize off = (gsize) (hit - s) + cue_len[c];
          const char *cmd = command_word (reg, s + off, len - off);
          if (cmd)
            return cmd;
          p = hit + 1;
          rest = len - (gsize) (p - s);
        }
    }
  /* qmail: "192.0.2.1 does not like recipient."; Yahoo tags the stage: "... [RCPT_TO]" */
  if (ci_find (t, s, len, CUE_QMAIL_RCPT) || ci_find (t, s, len, CUE_RCPT_TAG))
    return "RCPT";
  return NULL;
}

/* Removes continuation prefixes ("550-5.1.1 ", and "550 5.1.1 " at a line start) of the
 * reply's own code from the text, collapses white space, and counts the lines. */
static char *
clean_text (const char *s, gsize len, int code, const char *enhanced, guint *n_lines)
{
  char *out = g_malloc (len + 1);
  gsize o = 0;
  char digits[4];
  gsize elen = enhanced ? strlen (enhanced) : 0;
  gboolean line_start = TRUE;

  digits[0] = (char) ('0' + code / 100 % 10);
  digits[1] = (char) ('0' + code / 10 % 10);
  digits[2] = (char) ('0' + code % 10);
  digits[3] = '\0';
  *n_lines = 1;
  for (gsize i = 0; i < len;)
    {
      gboolean boundary = i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r';
      if (code && boundary && i + 4 <= len && memcmp (s + i, digits, 3) == 0
          && (s[i + 3] == '-' || ((s[i + 3] == ' ' || i + 4 == len) && line_start)))
        {
          gsize j = i + 4;
          (*n_lines)++;
          if (elen && j + elen <= len && memcmp (s + j, enhanced, elen) == 0
              && (j + elen == len || s[j + elen] == ' ' || s[j + elen] == '\n' || s[j + elen] == '\r'))
            j += elen;
          i = j;
          line_start = FALSE;
          continue;
        }
      if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t' || s[i] == ' ')
        {
          if (s[i] == '\n')
            line_start = TRUE;
          if (o && out[o - 1] != ' ')
            out[o++] = ' ';
          i++;
          continue;
        }
      /* the rest of a word is copied as it is: a code only starts after white space */
      line_start = FALSE;
      do
        out[o++] = s[i++];
      while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r');
    }
  while (o && out[o - 1] == ' ')
    o--;
  out[o] = '\0';
  return out;
}

/* The start of a (valid UTF-8) text for an error message: at most max bytes, cut on a
 * character boundary, with "..." when cut. */
static char *
quote_start (const char *s, gsize max)
{
  gsize len = strlen (s);
  const char *cut;
  if (len <= max)
    return g_strdup (s);
  cut = g_utf8_find_prev_char (s, s + max + 1);
  return g_strdup_printf ("%.*s...", (int) (cut ? cut - s : 0), s);
}

static gboolean
parse_code_only (SmtpcodesReply *r, const char *s, gsize len)
{
  SmtpcodesQuery q;
  char *tmp = g_strndup (s, len);
  /* "250 OK" is a reply with text, not a code with a command */
  gboolean ok = _smtpcodes_query_parse (&q, tmp, NULL) && q.command == NULL;
  g_free (tmp);
  if (!ok)
    {
      /* "1.0.1", "3.5.4": no enhanced code has class 1 or 3, but code tables write reply
       * codes with dots like that */
      if (len == 5 && s[0] >= '1' && s[0] <= '5' && s[1] == '.' && is_digit (s[2]) && s[3] == '.'
          && is_digit (s[4]))
        {
          r->code = (s[0] - '0') * 100 + (s[2] - '0') * 10 + (s[4] - '0');
          r->dotted = g_strndup (s, len);
          r->text = g_strdup ("");
          r->context = "code";
          r->code_only = TRUE;
          r->n_lines = 1;
          return TRUE;
        }
      return FALSE;
    }
  r->code = q.reply;
  r->enhanced = q.has_status ? g_strdup (q.status) : NULL;
  r->text = g_strdup ("");
  r->context = "code";
  r->code_only = TRUE;
  r->n_lines = 1;
  return TRUE;
}

/**
 * smtpcodes_reply_parse:
 * @text: (array length=length) (element-type guint8): the reply, a log line, a bounce text
 * @length: length of @text in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * Parses an SMTP reply. Accepted are a bare code ("550", "5.7.1", "550 5.7.1"), an RFC 5321
 * reply (single or multi-line, continuation lines "550-..."; with an RFC 2034 enhanced code),
 * and replies quoted in mail logs and bounces: Postfix ("host mx[ip] said: 550 ...
 * (in reply to RCPT TO command)"), Exim ("SMTP error from remote mail server after
 * RCPT TO:<...>: host mx [ip]: 550 ..."), Sendmail ("<<< 550 ..."), Exchange ("#550 5.1.1
 * RESOLVER... ##", "Remote Server returned '550 ...'"), Gmail ("PERM_FAILURE: SMTP Error
 * (state 8): 550 ..."), "Diagnostic-Code: smtp; 550 ..." and "dsn=5.1.1" in Postfix logs.
 *
 * The command the reply answered is named with the command registry of the default
 * registry (smtpcodes_registry_parse_reply() takes another). Text that is not valid UTF-8 is
 * kept with the invalid bytes replaced by U+FFFD.
 *
 * Returns: (transfer full) (nullable): the reply, or %NULL with @error set: input longer than
 *   %SMTPCODES_REPLY_MAX_LENGTH (%SMTPCODES_ERROR_TOO_LONG), a NUL byte
 *   (%SMTPCODES_ERROR_SYNTAX), or no code anywhere (%SMTPCODES_ERROR_NO_CODE)
 * Since: 1.0
 */
SmtpcodesReply *
smtpcodes_reply_parse (const char *text, gssize length, GError **error)
{
  return _smtpcodes_reply_parse (smtpcodes_registry_get_default (), text, length, error);
}

SmtpcodesReply *
_smtpcodes_reply_parse (SmtpcodesRegistry *reg, const char *text, gssize length, GError **error)
{
  SmtpcodesReply *r;
  gsize len;
  const char *s, *nul, *hit;
  gsize start = 0, end, i;
  gboolean found = FALSE;
  const char *context = "reply";
  char *host = NULL;
  const char *command = NULL;
  Text t;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = length < 0 ? strlen (text) : (gsize) length;
  if (len > SMTPCODES_REPLY_MAX_LENGTH)
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_TOO_LONG,
                   "reply is %" G_GSIZE_FORMAT " bytes long; at most %d bytes are accepted",
                   len, SMTPCODES_REPLY_MAX_LENGTH);
      return NULL;
    }
  if (len && (nul = memchr (text, '\0', len)))
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX,
                   "reply contains a NUL byte at offset %" G_GSIZE_FORMAT, (gsize) (nul - text));
      return NULL;
    }

  r = g_atomic_rc_box_new0 (SmtpcodesReply);
  if (_smtpcodes_utf8_first_invalid (text, text + len) == text + len)
    r->input = g_strndup (text, len);
  else
    {
      r->input = g_utf8_make_valid (text, (gssize) len);
      len = strlen (r->input);
    }
  s = r->input;
  text_scan (&t, reg, s, len);
  if (reg)
    {
      r->scan_reg = smtpcodes_registry_ref (reg);
      r->matches = t.matches;
    }

  /* trim */
  while (start < len && (s[start] == ' ' || s[start] == '\t' || s[start] == '\r' || s[start] == '\n'))
    start++;
  end = len;
  while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r' || s[end - 1] == '\n'))
    end--;
  if (start == end)
    {
      g_set_error_literal (error, SMTPCODES_ERROR, SMTPCODES_ERROR_NO_CODE, "reply is empty");
      smtpcodes_reply_unref (r);
      return NULL;
    }
  if (end - start <= 24 && parse_code_only (r, s + start, end - start))
    {
      return r;
    }

  /* Anchors: where a quoting MTA says the reply starts. */
  if ((hit = ci_find (&t, s + start, end - start, CUE_DIAG)))
    {
      const char *semi = memchr (hit, ';', (gsize) (s + end - hit));
      const char *nl = memchr (hit, '\n', (gsize) (s + end - hit));
      context = "dsn";
      start = (gsize) ((semi && (!nl || semi < nl) ? semi : hit + 15) + 1 - s);
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_SAID)))
    {
      context = "postfix";
      host = host_before (s, len, hit);
      start = (gsize) (hit + 6 - s);
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_GMAIL)))
    {
      const char *close = ci_find (&t, hit, (gsize) (s + end - hit), CUE_PAREN_COLON);
      context = "gmail";
      if (close)
        start = (gsize) (close + 2 - s);
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_REMOTE_RETURNED)))
    {
      context = "exchange";
      start = (gsize) (hit + 24 - s);
      if (end > start && s[end - 1] == '\'')
        end--;
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_EXIM)))
    {
      const char *bracket = ci_find (&t, hit, (gsize) (s + end - hit), CUE_BRACKET_COLON);
      context = "exim";
      if (bracket)
        {
          host = host_before (s, len, bracket);
          start = (gsize) (bracket + 2 - s);
        }
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_SENDMAIL_IN)))
    {
      const char *talk = ci_find (&t, s, len, CUE_TALKING);
      context = "sendmail";
      if (talk)
        host = host_token (s, len, (gsize) (talk + 17 - s));
      start = (gsize) (hit + 4 - s);
    }
  if (host == NULL && (hit = ci_find (&t, s, len, CUE_REMOTE_MTA)))
    {
      const char *semi = memchr (hit, ';', (gsize) (s + len - hit));
      if (semi)
        host = host_token (s, len, skip_blank (s, len, (gsize) (semi + 1 - s)));
    }
  if (host == NULL && (hit = ci_find (&t, s, len, CUE_RELAY)))
    {
      host = host_token (s, len, (gsize) (hit + 6 - s));
      if (host && g_str_equal (host, "none"))
        g_clear_pointer (&host, g_free);
    }

  command = find_command (reg, &t, s, len);

  /* The code itself: first try exactly at the anchor, then scan. Prefer a reply code that
   * is followed by an enhanced code, which log lines rarely imitate. */
  i = skip_blank (s, end, start);
  if (i < end && (s[i] == '#' || s[i] == '\'' || s[i] == '"'))
    i++;
  {
    /* Scan once for candidates: the first code, the first failure code (4xx/5xx), and the
     * first of each followed by an enhanced code of its class. A 2xx or 3xx code before a
     * failure is a greeting, a count or a size, not the reply that decided. */
    gsize first = G_MAXSIZE, first_fail = G_MAXSIZE, pair = G_MAXSIZE, pair_fail = G_MAXSIZE, pick;
    gboolean at_anchor = code_at (s, end, i, FALSE);
    for (gsize k = start; k + 3 <= end && pair_fail == G_MAXSIZE; k++)
      {
        gsize e, st;
        gboolean failure;
        if (!is_digit (s[k]) || !(k == i ? at_anchor : code_at (s, end, k, TRUE)))
          continue;
        failure = s[k] == '4' || s[k] == '5';
        if (first == G_MAXSIZE)
          first = k;
        if (failure && first_fail == G_MAXSIZE)
          first_fail = k;
        st = k + 4 < end ? skip_blank (s, end, k + 4) : end;
        if (st < end && s[st] == ':')
          st = skip_blank (s, end, st + 1);
        if (st < end && status_at (s, end, st, &e, FALSE) && s[st] == s[k])
          {
            if (pair == G_MAXSIZE)
              pair = k;
            if (failure)
              pair_fail = k;
          }
        if (at_anchor && k == i && failure)
          break;   /* a failure code right at the anchor decides */
      }
    if (at_anchor && (s[i] == '4' || s[i] == '5' || first_fail == G_MAXSIZE))
      pick = i;
    else
      pick = pair_fail != G_MAXSIZE ? pair_fail : first_fail != G_MAXSIZE ? first_fail
             : pair != G_MAXSIZE ? pair : first;
    if (pick != G_MAXSIZE)
      {
        found = TRUE;
        if (pick != i && g_str_equal (context, "reply") && pick > start)
          context = "log";
        i = pick;
      }
  }

  if (found)
    {
      gsize e, pos;
      r->code = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
      pos = i + 3;
      if (pos < end && (s[pos] == '-' || s[pos] == ' ' || s[pos] == ':'))
        pos++;
      pos = skip_blank (s, end, pos);
      if (pos < end && (s[pos] == '#' || ((s[pos] == '\'' || s[pos] == '"') && pos + 1 < end && s[pos + 1] == s[i])))
        pos++;   /* "#5.1.1" (Exchange), "550-'5.7.1 ..." (a reply quoted by a relay) */
      if (status_at (s, end, pos, &e, FALSE))
        {
          r->enhanced = g_strndup (s + pos, e - pos);
          if (e < end && s[e] == '.' )
            e++;
          pos = e;
        }
      start = pos;
    }
  else
    {
      /* no reply code: an enhanced code alone ("5.1.1 <x>: ...", "dsn=5.1.1", "Status: 5.1.1") */
      for (gsize k = start; k < end; k++)
        {
          gsize e;
          if (status_at (s, end, k, &e, TRUE))
            {
              r->enhanced = g_strndup (s + k, e - k);
              found = TRUE;
              if (g_str_equal (context, "reply"))
                context = k == start ? "reply" : "log";
              start = e;
              break;
            }
        }
      if (!found)
        {
          /* Postfix log lines carry dsn= after the text part too; search the whole input */
          if ((hit = ci_find (&t, s, len, CUE_DSN)))
            {
              gsize e, k = (gsize) (hit + 4 - s);
              if (status_at (s, len, k, &e, FALSE))
                {
                  r->enhanced = g_strndup (s + k, e - k);
                  found = TRUE;
                  context = "log";
                }
            }
        }
    }
  if (!found)
    {
      char *quoted = quote_start (s + skip_blank (s, len, 0), 60);
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_NO_CODE,
                   "no SMTP reply code (such as 550) or enhanced status code (such as 5.1.1) found in '%s'",
                   quoted);
      g_free (quoted);
      g_free (host);
      smtpcodes_reply_unref (r);
      return NULL;
    }

  /* where the reply text ends */
  if ((hit = ci_find (&t, s + start, end - start, CUE_PAREN_IN_REPLY)))
    end = (gsize) (hit - s);
  if (g_str_equal (context, "exchange") || (end - start >= 2 && memcmp (s + end - 2, "##", 2) == 0))
    {
      const char *hh = ci_find (&t, s + start, end - start, CUE_HASHES);
      if (hh)
        end = (gsize) (hh - s);
    }
  if (g_str_equal (context, "postfix") && end > start && s[end - 1] == ')')
    {
      /* a Postfix log line: "(host x said: 550 ... (in reply to RCPT TO command))" */
      const char *open = memchr (s, '(', start);
      if (open)
        end--;
    }
  while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r' || s[end - 1] == '\n'))
    end--;
  start = skip_blank (s, end, start);

  r->text = clean_text (s + start, end - start, r->code, r->enhanced, &r->n_lines);
  r->command = command ? g_strdup (command) : NULL;
  r->remote_host = host;
  r->context = context;
  return r;
}

/**
 * smtpcodes_reply_new:
 * @code: the basic reply code (200-599, or 100-199 for field codes), or 0 if none is known
 * @enhanced: (nullable): the enhanced status code such as "5.1.1", or %NULL
 * @text: (nullable): the reply's text, or %NULL
 * @command: (nullable): the SMTP command the reply answered, or %NULL
 * @remote_host: (nullable): the host that sent it, or %NULL
 * @error: return location for a #GError
 *
 * Builds a reply from parts that are already known, such as the fields of a delivery
 * status notification. A reply with neither code can still be explained by its wording;
 * its class is then unknown.
 *
 * Returns: (transfer full) (nullable): the reply, or %NULL with @error set when @code is
 *   out of range, @enhanced is not a status code, or a text contains a NUL byte or is
 *   longer than %SMTPCODES_REPLY_MAX_LENGTH
 * Since: 1.0
 */
SmtpcodesReply *
smtpcodes_reply_new (int code, const char *enhanced, const char *text, const char *command,
                     const char *remote_host, GError **error)
{
  SmtpcodesReply *r;
  guint c, sub, det;
  gsize tl = text ? strlen (text) : 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (code != 0 && (code < 100 || code > 599))
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE,
                   "%d is not a reply code (100-599)", code);
      return NULL;
    }
  if (enhanced && !_smtpcodes_parse_status (enhanced, strlen (enhanced), FALSE, &c, &sub, &det))
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE,
                   "'%s' is not an enhanced status code such as 5.1.1", enhanced);
      return NULL;
    }
  if (enhanced && c == STATUS_CLASS_X)
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_CODE,
                   "'%s' has no class: a reply's status code starts with 2, 4 or 5", enhanced);
      return NULL;
    }
  if (tl > SMTPCODES_REPLY_MAX_LENGTH)
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_TOO_LONG,
                   "text is %" G_GSIZE_FORMAT " bytes long; at most %d bytes are accepted",
                   tl, SMTPCODES_REPLY_MAX_LENGTH);
      return NULL;
    }
  r = g_atomic_rc_box_new0 (SmtpcodesReply);
  r->code = code;
  r->enhanced = g_strdup (enhanced);
  r->input = text ? (g_utf8_validate (text, -1, NULL) ? g_strdup (text) : g_utf8_make_valid (text, -1))
                  : g_strdup ("");
  r->text = g_strdup (r->input);
  r->command = command ? g_strdup (command) : NULL;
  r->remote_host = remote_host ? g_strdup (remote_host) : NULL;
  r->context = "parts";
  r->n_lines = 1;
  return r;
}

/**
 * smtpcodes_reply_get_code:
 * @reply: a #SmtpcodesReply
 * Returns: the three-digit reply code, or 0 if the text stated only an enhanced code
 * Since: 1.0
 */
int
smtpcodes_reply_get_code (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, 0);
  return reply->code;
}

/**
 * smtpcodes_reply_get_enhanced:
 * @reply: a #SmtpcodesReply
 * Returns: (transfer none) (nullable): the enhanced status code, such as "5.1.1"
 * Since: 1.0
 */
const char *
smtpcodes_reply_get_enhanced (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->enhanced;
}

/**
 * smtpcodes_reply_get_text:
 * @reply: a #SmtpcodesReply
 * Returns: (transfer none): the reply's text without codes, lines joined by spaces; may be empty
 * Since: 1.0
 */
const char *
smtpcodes_reply_get_text (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->text;
}

/**
 * smtpcodes_reply_get_command:
 * @reply: a #SmtpcodesReply
 * Returns: (transfer none) (nullable): the SMTP command the reply answered ("RCPT", "DATA",
 *   "CONNECT" for the greeting ...), when the text states it
 * Since: 1.0
 */
const char *
smtpcodes_reply_get_command (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->command;
}

/**
 * smtpcodes_reply_get_remote_host:
 * @reply: a #SmtpcodesReply
 * Returns: (transfer none) (nullable): the host that sent the reply, when the text states it
 * Since: 1.0
 */
const char *
smtpcodes_reply_get_remote_host (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->remote_host;
}

/**
 * smtpcodes_reply_get_context:
 * @reply: a #SmtpcodesReply
 * Returns: (transfer none): how the reply was written: "code" (a bare code), "reply" (RFC 5321),
 *   "postfix", "exim", "sendmail", "exchange", "gmail", "dsn" (Diagnostic-Code), "log"
 *   (found inside other text) or "parts" (built by smtpcodes_reply_new())
 * Since: 1.0
 */
const char *
smtpcodes_reply_get_context (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->context;
}

/**
 * smtpcodes_reply_get_input:
 * @reply: a #SmtpcodesReply
 * Returns: (transfer none): the whole input, as valid UTF-8
 * Since: 1.0
 */
const char *
smtpcodes_reply_get_input (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->input;
}

/**
 * smtpcodes_reply_get_n_lines:
 * @reply: a #SmtpcodesReply
 * Returns: the number of reply lines (more than 1 for a multi-line reply)
 * Since: 1.0
 */
guint
smtpcodes_reply_get_n_lines (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, 0);
  return reply->n_lines;
}

/**
 * smtpcodes_reply_is_code_only:
 * @reply: a #SmtpcodesReply
 * Returns: whether the input was only a code (or a pair), with no text
 * Since: 1.0
 */
gboolean
smtpcodes_reply_is_code_only (const SmtpcodesReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->code_only;
}
