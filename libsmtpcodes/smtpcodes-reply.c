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
  /* the strings and the matches are in the reply's own block */
  g_clear_pointer (&r->scan_reg, smtpcodes_registry_unref);
}

/* A reply with room for n_matches match pointers and strings bytes of strings after it;
 * *w is where the strings go. */
static SmtpcodesReply *
reply_alloc (guint n_matches, gsize strings, gsize spare, char **w)
{
  const gsize head = (sizeof (SmtpcodesReply) + 7) & ~(gsize) 7;
  gsize size = (head + n_matches * sizeof (gpointer) + strings + 7) & ~(gsize) 7;
  SmtpcodesReply *r = g_malloc (size + spare);
  memset (r, 0, sizeof *r);
  r->ref_count = 1;
  if (spare)
    {
      r->spare = (char *) r + size;
      r->spare_size = spare;
    }
  r->matches = (const SmtpcodesMatch *const *) (gpointer) ((char *) r + head);
  *w = (char *) r + head + n_matches * sizeof (gpointer);
  return r;
}

/* Copies s[0..n) and a NUL to *w; returns the copy. */
static const char *
put (char **w, const char *s, gsize n)
{
  char *d = *w;
  memcpy (d, s, n);
  d[n] = '\0';
  *w = d + n + 1;
  return d;
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
  g_atomic_int_inc (&reply->ref_count);
  return reply;
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
  if (g_atomic_int_dec_and_test (&reply->ref_count))
    {
      /* a verdict in the spare room holds nothing the reply does not (smtpcodes-verdict.c) */
      reply_clear (reply);
      g_free (reply);
    }
}

/* How the reply was written (smtpcodes_reply_get_context()); the parser compares these
 * pointers, not the strings. */
static const char ctx_reply[] = "reply", ctx_code[] = "code", ctx_dsn[] = "dsn", ctx_postfix[] = "postfix",
  ctx_gmail[] = "gmail", ctx_exchange[] = "exchange", ctx_exim[] = "exim", ctx_sendmail[] = "sendmail",
  ctx_log[] = "log", ctx_parts[] = "parts";

/* ---- small scanners -------------------------------------------------------------------- */

/* The cues of the grammar: where quoting MTAs put replies, hosts and commands. One pass of
 * a process-wide automaton records where each occurs, so the parser reads the text once
 * however many cues it looks for. */
#define CUE_LIST(X) \
  X (CUE_DIAG, "diagnostic-code:") X (CUE_SAID, " said:") X (CUE_GMAIL, "smtp error (state ") \
  X (CUE_PAREN_COLON, "):") X (CUE_REMOTE_RETURNED, "remote server returned '") \
  X (CUE_EXIM, "smtp error from remote mail") X (CUE_BRACKET_COLON, "]:") X (CUE_SENDMAIL_IN, "<<< ") \
  X (CUE_TALKING, "while talking to ") X (CUE_REMOTE_MTA, "remote-mta:") X (CUE_RELAY, "relay=") \
  X (CUE_DSN, "dsn=") X (CUE_PAREN_IN_REPLY, "(in reply to ") X (CUE_HASHES, "##") \
  X (CUE_IN_REPLY, "in reply to ") X (CUE_AFTER, "after ") X (CUE_SENDMAIL_OUT, ">>> ") \
  X (CUE_WHILE_SENDING, "while sending ") X (CUE_IN_RESPONSE, "in response to ") X (CUE_HOST, "host ") \
  X (CUE_QMAIL_RCPT, "does not like recipient") X (CUE_RCPT_TAG, "[rcpt_to]")

typedef enum {
#define CUE_ENUM(id, text) id,
  CUE_LIST (CUE_ENUM)
#undef CUE_ENUM
  N_CUES
} Cue;

static const char *const grammar_cues[N_CUES] = {
#define CUE_TEXT(id, text) text,
  CUE_LIST (CUE_TEXT)
#undef CUE_TEXT
};
static const guint8 cue_len[N_CUES] = {
#define CUE_LENGTH(id, text) sizeof text - 1,
  CUE_LIST (CUE_LENGTH)
#undef CUE_LENGTH
};
#define MAX_HITS 64

typedef struct {
  const char *s;
  gsize       len;
  guint       n[N_CUES];
  guint32     pos[N_CUES][MAX_HITS];   /* start offsets, ascending */
  guint       n_matches;               /* the registry's pattern and vendor hits */
  const SmtpcodesMatch *matches[SMTPCODES_REPLY_MAX_MATCHES];
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

static const SmtpcodesMatcher *
cue_matcher (void)
{
  static SmtpcodesMatcher *m;
  if (g_once_init_enter (&m))
    {
      SmtpcodesMatcher *built = _smtpcodes_matcher_new ();
      for (guint i = 0; i < N_CUES; i++)
        _smtpcodes_matcher_add (built, grammar_cues[i], SMTPCODES_TAG_CUE, GUINT_TO_POINTER (i));
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
      if (t->n_matches < SMTPCODES_REPLY_MAX_MATCHES)
        t->matches[t->n_matches++] = match;
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
  t->n_matches = 0;
  memset (t->n, 0, sizeof t->n);
  _smtpcodes_matcher_scan (reg ? _smtpcodes_registry_matcher (reg) : cue_matcher (), s, len, on_cue, t);
}

typedef struct {
  gsize end;
  guint length, index;
} CodeHit;

static int
cmp_code_hit (gconstpointer a, gconstpointer b)
{
  const CodeHit *x = a, *y = b;
  /* as the automaton reports them: by end, longest first, the last added first */
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  if (x->length != y->length)
    return x->length > y->length ? -1 : 1;
  return x->index > y->index ? -1 : x->index < y->index;
}

/* The scan of a bare code (every byte a code byte): only the registry's markers made of
 * such bytes can occur, and they are few (usually none), so no automaton is needed. */
static void
code_scan (Text *t, SmtpcodesRegistry *reg, const char *s, gsize len)
{
  GArray *hits;

  t->s = s;
  t->len = len;
  t->n_matches = 0;
  memset (t->n, 0, sizeof t->n);
  if (reg->n_code_markers == 0)
    return;
  hits = g_array_new (FALSE, FALSE, sizeof (CodeHit));
  for (guint k = 0; k < reg->n_code_markers; k++)
    {
      const SmtpcodesMatch *m = &reg->code_markers[k];
      for (gsize i = 0; i + m->length <= len; i++)
        if (g_ascii_strncasecmp (s + i, m->marker, m->length) == 0)
          {
            CodeHit h = { i + m->length - 1, m->length, k };
            g_array_append_val (hits, h);
          }
    }
  g_array_sort (hits, cmp_code_hit);
  for (guint i = 0; i < hits->len && t->n_matches < SMTPCODES_REPLY_MAX_MATCHES; i++)
    t->matches[t->n_matches++] = &reg->code_markers[g_array_index (hits, CodeHit, i).index];
  g_array_unref (hits);
}

/* The first occurrence of a cue inside hay, a part of the input. */
static inline const char *
ci_find (const Text *t, const char *hay, gsize len, Cue id)
{
  gsize from, n;

  if (G_LIKELY (t->n[id] == 0))
    return NULL;
  from = (gsize) (hay - t->s);
  n = cue_len[id];
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

/* The numbers of a code status_at() accepted, as _smtpcodes_parse_status() would give them;
 * FALSE where it would not accept the code (subject above 126, detail above 1022). */
static gboolean
status_values (const char *s, gsize len, guint *c, guint *sub, guint *det)
{
  guint v[2] = { 0, 0 };
  gsize i = 2;
  for (int part = 0; part < 2; part++, i++)
    while (i < len && is_digit (s[i]))
      v[part] = v[part] * 10 + (guint) (s[i++] - '0');
  *c = (guint) (s[0] - '0');
  *sub = v[0];
  *det = v[1];
  return v[0] <= 126 && v[1] <= 1022;
}

static gsize
skip_blank (const char *s, gsize len, gsize i)
{
  while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
    i++;
  return i;
}

/* A part of the input: s == NULL for none. */
typedef struct {
  const char *s;
  gsize       len;
} Span;

static Span
host_token (const char *s, gsize len, gsize i)
{
  gsize j = i;
  Span h = { NULL, 0 };
  while (j < len && (g_ascii_isalnum (s[j]) || s[j] == '.' || s[j] == '-' || s[j] == '_' || s[j] == ':'))
    j++;
  while (j > i && (s[j - 1] == '.' || s[j - 1] == ':'))
    j--;
  if (j > i)
    {
      h.s = s + i;
      h.len = j - i;
    }
  return h;
}

/* "... host mx.example.com[192.0.2.1] said:" / "host mx.example.com [192.0.2.1]:": the nearest
 * "host " that ends before at, at most 300 bytes back. */
static Span
host_before (const Text *t, const char *at)
{
  const char *s = t->s, *p = NULL;
  gsize len = t->len;
  /* "host " may start from lim on, and must end before at */
  const char *lim = at - MIN ((gsize) (at - s), 300);
  Span h = { NULL, 0 };

  if (t->n[CUE_HOST] <= MAX_HITS)
    {
      /* every occurrence is recorded: the last one in range */
      for (guint k = t->n[CUE_HOST]; k-- > 0;)
        {
          const char *q = s + t->pos[CUE_HOST][k];
          if (q + 5 <= at && q >= lim)
            {
              p = q;
              break;
            }
          if (q < lim)
            break;
        }
    }
  else
    {
      /* more hits than recorded (a pathological text): search back the slow way */
      gsize lo = (gsize) (lim - s), hi = (gsize) (at - s);
      if (hi >= lo + 5)
        for (gsize o = hi - 5 + 1; o-- > lo;)
          if (g_ascii_strncasecmp (s + o, "host ", 5) == 0)
            {
              p = s + o;
              break;
            }
    }
  if (p == NULL)
    return h;
  h = host_token (s, len, (gsize) (p + 5 - s));
  if (h.s && h.len == 7 && g_ascii_strncasecmp (h.s, "unknown", 7) == 0)
    {
      const char *lb = memchr (p, '[', (gsize) (at - p));
      Span none = { NULL, 0 };
      h = lb ? host_token (s, len, (gsize) (lb + 1 - s)) : none;
    }
  return h;
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

/* s must have eight readable bytes after len. Writes to out (room for len + 9 bytes) the text without the continuation prefixes
 * ("550-5.1.1 ", and "550 5.1.1 " at a line start) of the reply's own code (enhanced:
 * elen bytes), with white space collapsed; counts the lines; returns the length. */
/* The white space of reply texts */
static const guint8 is_ws[256] = { [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1 };
#define IS_WS(c) (is_ws[(guint8) (c)] != 0)

static gsize
clean_text (const char *s, gsize len, int code, const char *enhanced, gsize elen, guint *n_lines, char *out)
{
  gsize o = 0;
  char digits[4];
  gboolean line_start = TRUE;

  digits[0] = (char) ('0' + code / 100 % 10);
  digits[1] = (char) ('0' + code / 10 % 10);
  digits[2] = (char) ('0' + code % 10);
  digits[3] = '\0';
  *n_lines = 1;
  for (gsize i = 0; i < len;)
    {
      if (code && s[i] == digits[0] && (i == 0 || IS_WS (s[i - 1])) && i + 4 <= len
          && s[i + 1] == digits[1] && s[i + 2] == digits[2]
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
      if (IS_WS (s[i]))
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
#if G_BYTE_ORDER == G_LITTLE_ENDIAN && defined (__GNUC__)
      /* Eight bytes at a time while none is a control character or a space: s has eight
       * readable bytes past len, which count as spaces, and out eight to spare. */
      for (;;)
        {
          guint64 w, low;
          gsize k;
          memcpy (&w, s + i, 8);
          if (len - i < 8)
            {
              guint64 keep = (G_GUINT64_CONSTANT (1) << ((len - i) * 8)) - 1;
              w = (w & keep) | (G_GUINT64_CONSTANT (0x2020202020202020) & ~keep);
            }
          memcpy (out + o, &w, 8);
          low = (w - G_GUINT64_CONSTANT (0x2121212121212121)) & ~w & G_GUINT64_CONSTANT (0x8080808080808080);
          if (!low)
            {
              i += 8;
              o += 8;
              continue;
            }
          /* the first byte below 0x21 (the lowest flag is exact) */
          k = (gsize) __builtin_ctzll (low) >> 3;
          i += k;
          o += k;
          if (i < len && !IS_WS (s[i]))
            {
              out[o++] = s[i++];   /* a control character: part of the word */
              continue;
            }
          break;
        }
#else
      while (i < len && !IS_WS (s[i]))
        out[o++] = s[i++];
#endif
    }
  while (o && out[o - 1] == ' ')
    o--;
  out[o] = '\0';
  return o;
}

/* The start of a (valid UTF-8) text for an error message: at most max bytes, cut on a
 * character boundary, with "..." when cut. */
static char *
quote_start (const char *s, gsize len, gsize max)
{
  const char *cut;
  if (len <= max)
    return g_strndup (s, len);
  cut = g_utf8_find_prev_char (s, s + max + 1);
  return g_strdup_printf ("%.*s...", (int) (cut ? cut - s : 0), s);
}

/* What a bare code ("550", "5.7.1", "550 5.7.1", "1.0.1") says; FALSE if s is none. */
typedef struct {
  int         code;
  const char *enhanced;   /* in q.status, or NULL */
  const char *dotted;     /* in s, 5 bytes, or NULL */
  SmtpcodesQuery q;
} CodeOnly;

static gboolean
parse_code_only (CodeOnly *c, const char *s, gsize len)
{
  char tmp[32];
  gboolean ok;

  g_assert (len < sizeof tmp);
  memcpy (tmp, s, len);
  tmp[len] = '\0';
  /* "250 OK" is a reply with text, not a code with a command */
  ok = _smtpcodes_query_parse (&c->q, tmp, NULL) && c->q.command == NULL;
  c->enhanced = NULL;
  c->dotted = NULL;
  if (!ok)
    {
      /* "1.0.1", "3.5.4": no enhanced code has class 1 or 3, but code tables write reply
       * codes with dots like that */
      if (len == 5 && s[0] >= '1' && s[0] <= '5' && s[1] == '.' && is_digit (s[2]) && s[3] == '.'
          && is_digit (s[4]))
        {
          c->code = (s[0] - '0') * 100 + (s[2] - '0') * 10 + (s[4] - '0');
          c->dotted = s;
          return TRUE;
        }
      return FALSE;
    }
  c->code = c->q.reply;
  c->enhanced = c->q.has_status ? c->q.status : NULL;
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
  return _smtpcodes_reply_parse_spare (reg, text, length, 0, error);
}

SmtpcodesReply *
_smtpcodes_reply_parse_spare (SmtpcodesRegistry *reg, const char *text, gssize length, gsize spare,
                              GError **error)
{
  SmtpcodesReply *r;
  gsize len;
  const char *s, *nul, *hit;
  char *valid = NULL, *w;
  gsize start = 0, end, i, cmd_len, strings;
  gboolean found = FALSE;
  const char *context = ctx_reply;
  Span host = { NULL, 0 }, enhanced = { NULL, 0 };
  const char *command = NULL;
  int code = 0;
  CodeOnly bare;
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

  /* The parse reads the caller's text (a copy only when it is not valid UTF-8); the reply
   * and all its strings are allocated at the end, in one block. */
  s = text;
  if (_smtpcodes_utf8_first_invalid (text, text + len) != text + len)
    {
      s = valid = g_utf8_make_valid (text, (gssize) len);
      len = strlen (valid);
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
      g_free (valid);
      return NULL;
    }
  if (end - start <= 24 && parse_code_only (&bare, s + start, end - start))
    {
      /* a bare code needs no automaton (nor the grammar's cues) */
      gboolean code_bytes = reg != NULL;
      for (gsize k = 0; code_bytes && k < len; k++)
        code_bytes = _smtpcodes_is_code_byte (s[k]);
      if (code_bytes)
        code_scan (&t, reg, s, len);
      else
        text_scan (&t, reg, s, len);
      gsize elen = bare.enhanced ? strlen (bare.enhanced) : 0;
      r = reply_alloc (t.n_matches, len + 1 + (bare.enhanced ? elen + 1 : 0) + (bare.dotted ? 6 : 0), spare, &w);
      r->input = put (&w, s, len);
      r->code = bare.code;
      if (bare.enhanced)
        {
          r->enhanced = put (&w, bare.enhanced, elen);
          r->has_status = TRUE;
          r->sc = bare.q.sc;
          r->ss = bare.q.ss;
          r->sd = bare.q.sd;
        }
      if (bare.dotted)
        r->dotted = put (&w, bare.dotted, 5);
      r->text = "";
      r->context = ctx_code;
      r->code_only = TRUE;
      r->n_lines = 1;
      goto done;
    }
  text_scan (&t, reg, s, len);

  /* Anchors: where a quoting MTA says the reply starts. */
  if ((hit = ci_find (&t, s + start, end - start, CUE_DIAG)))
    {
      const char *semi = memchr (hit, ';', (gsize) (s + end - hit));
      const char *nl = memchr (hit, '\n', (gsize) (s + end - hit));
      context = ctx_dsn;
      start = (gsize) ((semi && (!nl || semi < nl) ? semi : hit + 15) + 1 - s);
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_SAID)))
    {
      context = ctx_postfix;
      host = host_before (&t, hit);
      start = (gsize) (hit + 6 - s);
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_GMAIL)))
    {
      const char *close = ci_find (&t, hit, (gsize) (s + end - hit), CUE_PAREN_COLON);
      context = ctx_gmail;
      if (close)
        start = (gsize) (close + 2 - s);
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_REMOTE_RETURNED)))
    {
      context = ctx_exchange;
      start = (gsize) (hit + 24 - s);
      if (end > start && s[end - 1] == '\'')
        end--;
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_EXIM)))
    {
      const char *bracket = ci_find (&t, hit, (gsize) (s + end - hit), CUE_BRACKET_COLON);
      context = ctx_exim;
      if (bracket)
        {
          host = host_before (&t, bracket);
          start = (gsize) (bracket + 2 - s);
        }
    }
  else if ((hit = ci_find (&t, s + start, end - start, CUE_SENDMAIL_IN)))
    {
      const char *talk = ci_find (&t, s, len, CUE_TALKING);
      context = ctx_sendmail;
      if (talk)
        host = host_token (s, len, (gsize) (talk + 17 - s));
      start = (gsize) (hit + 4 - s);
    }
  if (host.s == NULL && (hit = ci_find (&t, s, len, CUE_REMOTE_MTA)))
    {
      const char *semi = memchr (hit, ';', (gsize) (s + len - hit));
      if (semi)
        host = host_token (s, len, skip_blank (s, len, (gsize) (semi + 1 - s)));
    }
  if (host.s == NULL && (hit = ci_find (&t, s, len, CUE_RELAY)))
    {
      host = host_token (s, len, (gsize) (hit + 6 - s));
      if (host.s && host.len == 4 && memcmp (host.s, "none", 4) == 0)
        host.s = NULL;
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
        if (pick != i && context == ctx_reply && pick > start)
          context = ctx_log;
        i = pick;
      }
  }

  if (found)
    {
      gsize e, pos;
      code = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
      pos = i + 3;
      if (pos < end && (s[pos] == '-' || s[pos] == ' ' || s[pos] == ':'))
        pos++;
      pos = skip_blank (s, end, pos);
      if (pos < end && (s[pos] == '#' || ((s[pos] == '\'' || s[pos] == '"') && pos + 1 < end && s[pos + 1] == s[i])))
        pos++;   /* "#5.1.1" (Exchange), "550-'5.7.1 ..." (a reply quoted by a relay) */
      if (status_at (s, end, pos, &e, FALSE))
        {
          enhanced.s = s + pos;
          enhanced.len = e - pos;
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
          /* a class digit followed by a dot, then the whole test */
          if ((s[k] != '2' && s[k] != '4' && s[k] != '5') || k + 1 >= end || s[k + 1] != '.')
            continue;
          if (status_at (s, end, k, &e, TRUE))
            {
              enhanced.s = s + k;
              enhanced.len = e - k;
              found = TRUE;
              if (context == ctx_reply)
                context = k == start ? ctx_reply : ctx_log;
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
                  enhanced.s = s + k;
                  enhanced.len = e - k;
                  found = TRUE;
                  context = ctx_log;
                }
            }
        }
    }
  if (!found)
    {
      gsize lead = skip_blank (s, len, 0);
      char *quoted = quote_start (s + lead, len - lead, 60);
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_NO_CODE,
                   "no SMTP reply code (such as 550) or enhanced status code (such as 5.1.1) found in '%s'",
                   quoted);
      g_free (quoted);
      g_free (valid);
      return NULL;
    }

  /* where the reply text ends */
  if ((hit = ci_find (&t, s + start, end - start, CUE_PAREN_IN_REPLY)))
    end = (gsize) (hit - s);
  if (context == ctx_exchange || (end - start >= 2 && memcmp (s + end - 2, "##", 2) == 0))
    {
      const char *hh = ci_find (&t, s + start, end - start, CUE_HASHES);
      if (hh)
        end = (gsize) (hh - s);
    }
  if (context == ctx_postfix && end > start && s[end - 1] == ')')
    {
      /* a Postfix log line: "(host x said: 550 ... (in reply to RCPT TO command))" */
      const char *open = memchr (s, '(', start);
      if (open)
        end--;
    }
  while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r' || s[end - 1] == '\n'))
    end--;
  start = skip_blank (s, end, start);

  cmd_len = command ? strlen (command) : 0;
  /* the input with eight spare bytes, and the text (last) with eight: clean_text reads
   * and writes eight at a time */
  strings = len + 1 + 8 + (end - start + 1 + 8) + (enhanced.s ? enhanced.len + 1 : 0)
            + (host.s ? host.len + 1 : 0) + (command ? cmd_len + 1 : 0);
  r = reply_alloc (t.n_matches, strings, spare, &w);
  r->input = put (&w, s, len);
  memset (w, 0, 8);
  w += 8;
  r->code = code;
  if (enhanced.s)
    {
      r->enhanced = put (&w, enhanced.s, enhanced.len);
      r->has_status = status_values (enhanced.s, enhanced.len, &r->sc, &r->ss, &r->sd);
    }
  if (host.s)
    r->remote_host = put (&w, host.s, host.len);
  if (command)
    r->command = put (&w, command, cmd_len);
  r->text = w;
  /* from the copy in the block, which has the spare bytes */
  clean_text (r->input + start, end - start, code, enhanced.s, enhanced.len, &r->n_lines, w);
  r->context = context;

done:
  if (reg)
    {
      /* reply_alloc made room for them */
      r->scan_reg = smtpcodes_registry_ref (reg);
      memcpy ((gpointer) r->matches, t.matches, t.n_matches * sizeof (gpointer));
      r->n_matches = t.n_matches;
    }
  g_free (valid);
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
  {
    char *valid = text && !g_utf8_validate (text, (gssize) tl, NULL) ? g_utf8_make_valid (text, (gssize) tl) : NULL;
    const char *in = valid ? valid : text ? text : "";
    gsize il = valid ? strlen (valid) : tl;
    gsize el = enhanced ? strlen (enhanced) : 0, cl = command ? strlen (command) : 0;
    gsize hl = remote_host ? strlen (remote_host) : 0;
    char *w;
    r = reply_alloc (0, 2 * (il + 1) + (enhanced ? el + 1 : 0) + (command ? cl + 1 : 0)
                        + (remote_host ? hl + 1 : 0), 0, &w);
    r->code = code;
    if (enhanced)
      {
        r->enhanced = put (&w, enhanced, el);
        r->has_status = TRUE;
        r->sc = c;
        r->ss = sub;
        r->sd = det;
      }
    r->input = put (&w, in, il);
    r->text = put (&w, in, il);
    if (command)
      r->command = put (&w, command, cl);
    if (remote_host)
      r->remote_host = put (&w, remote_host, hl);
    r->context = ctx_parts;
    r->n_lines = 1;
    g_free (valid);
  }
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
