/* smtpcodes-report.c: bounce messages, read with GMime
 *
 * This file holds the structure of bounce messages only: where RFC 3464 reports keep their
 * fields, and where the bounces that are no standard report put the failed address and the
 * quoted reply. What the wording means is decided by the data modules (through the reply
 * parser and the verdict).
 */
#include "config.h"

#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "smtpcodes-gmime.h"   /* GMime is loaded on first use */
#include "smtpcodes-private.h"

/* decoded human-readable text kept per message */
#define TEXT_LIMIT (512 * 1024)
/* a text part larger than this (encoded) is an attachment, not a notice */
#define PART_LIMIT (2 * 1024 * 1024)
/* text per recipient handed to the reply parser */
#define BLOCK_LIMIT (16 * 1024)
#define MAX_RECIPIENTS 1000

struct _SmtpcodesRecipient {
  SmtpcodesReport  *report;       /* owner; not a reference */
  char             *address;
  char             *original;
  char             *action;
  char             *status;
  int               reply_code;
  char             *diagnostic;
  char             *remote_mta;
  char             *command;
  const char       *reason;
  gboolean          hard;
  gboolean          retry;
  SmtpcodesVerdict *verdict;
};

struct _SmtpcodesReport {
  SmtpcodesRegistry   *registry;
  SmtpcodesReportKind  kind;
  const char          *format;
  char                *reporting_mta;
  char                *from;
  char                *subject;
  char                *message_id;
  GPtrArray           *recipients;
};

static SmtpcodesRecipient *recipient_ref_impl (SmtpcodesRecipient *r);
G_DEFINE_BOXED_TYPE (SmtpcodesReport, smtpcodes_report, smtpcodes_report_ref, smtpcodes_report_unref)
G_DEFINE_BOXED_TYPE (SmtpcodesRecipient, smtpcodes_recipient, recipient_ref_impl, smtpcodes_recipient_unref)

static void
recipient_free (gpointer data)
{
  SmtpcodesRecipient *r = data;
  g_free (r->address);
  g_free (r->original);
  g_free (r->action);
  g_free (r->status);
  g_free (r->diagnostic);
  g_free (r->remote_mta);
  g_free (r->command);
  g_clear_pointer (&r->verdict, smtpcodes_verdict_unref);
  g_free (r);
}

static void
report_clear (gpointer data)
{
  SmtpcodesReport *r = data;
  g_ptr_array_unref (r->recipients);
  g_free (r->reporting_mta);
  g_free (r->from);
  g_free (r->subject);
  g_free (r->message_id);
  g_clear_pointer (&r->registry, smtpcodes_registry_unref);
}

/**
 * smtpcodes_report_ref:
 * @report: a #SmtpcodesReport
 *
 * Returns: (transfer full): @report
 * Since: 1.0
 */
SmtpcodesReport *
smtpcodes_report_ref (SmtpcodesReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return g_atomic_rc_box_acquire (report);
}

/**
 * smtpcodes_report_unref:
 * @report: (transfer full): a #SmtpcodesReport
 *
 * Drops a reference; the last one frees the report and its recipients.
 *
 * Since: 1.0
 */
void
smtpcodes_report_unref (SmtpcodesReport *report)
{
  g_return_if_fail (report != NULL);
  g_atomic_rc_box_release_full (report, report_clear);
}

static SmtpcodesRecipient *
recipient_ref_impl (SmtpcodesRecipient *r)
{
  return smtpcodes_recipient_ref (r);
}

/**
 * smtpcodes_recipient_ref:
 * @recipient: a #SmtpcodesRecipient
 *
 * Keeps the report that owns @recipient alive.
 *
 * Returns: (transfer full): @recipient
 * Since: 1.0
 */
SmtpcodesRecipient *
smtpcodes_recipient_ref (SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  smtpcodes_report_ref (recipient->report);
  return recipient;
}

/**
 * smtpcodes_recipient_unref:
 * @recipient: (transfer full): a #SmtpcodesRecipient
 *
 * Drops the reference smtpcodes_recipient_ref() took on the owning report.
 *
 * Since: 1.0
 */
void
smtpcodes_recipient_unref (SmtpcodesRecipient *recipient)
{
  g_return_if_fail (recipient != NULL);
  smtpcodes_report_unref (recipient->report);
}

/* ---- small text helpers ---------------------------------------------------------------- */

#define ASCII_LOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (char) ((c) + ('a' - 'A')) : (c))

/* whether a[0..n) and b[0..n) are equal ignoring ASCII case (neither need end in NUL) */
static inline gboolean
ci_equal (const char *a, const char *b, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (a[i] != b[i] && ASCII_LOWER (a[i]) != ASCII_LOWER (b[i]))
      return FALSE;
  return TRUE;
}

static gboolean
ci_prefix (const char *s, gsize len, const char *prefix)
{
  gsize i = 0;
  for (; prefix[i]; i++)
    if (i >= len || (s[i] != prefix[i] && ASCII_LOWER (s[i]) != ASCII_LOWER (prefix[i])))
      return FALSE;
  return TRUE;
}

/* Case-insensitive (ASCII) search; memchr finds the candidates for the first character in
 * either case, each list advanced only past what was used, so the cost stays linear. */
static const char *
ci_find (const char *s, gsize len, const char *needle)
{
  gsize nl = strlen (needle);
  const char *end, *lo_at, *up_at;
  char lo, up;
  if (nl == 0 || len < nl)
    return NULL;
  end = s + len - nl + 1;
  lo = g_ascii_tolower (needle[0]);
  up = g_ascii_toupper (needle[0]);
  lo_at = memchr (s, lo, (gsize) (end - s));
  up_at = lo == up ? NULL : memchr (s, up, (gsize) (end - s));
  while (lo_at || up_at)
    {
      const char *c = lo_at && (!up_at || lo_at < up_at) ? lo_at : up_at;
      if (ci_equal (c + 1, needle + 1, nl - 1))
        return c;
      if (c == lo_at)
        lo_at = c + 1 < end ? memchr (c + 1, lo, (gsize) (end - c - 1)) : NULL;
      else
        up_at = c + 1 < end ? memchr (c + 1, up, (gsize) (end - c - 1)) : NULL;
    }
  return NULL;
}

static char *
strip_dup (const char *s, gsize len)
{
  while (len && g_ascii_isspace (*s))
    s++, len--;
  while (len && g_ascii_isspace (s[len - 1]))
    len--;
  return g_strndup (s, len);
}

/* Collapses runs of white space (line breaks included) into one space. */
static char *
squeeze (const char *s)
{
  GString *out = g_string_sized_new (strlen (s));
  gboolean space = FALSE;
  for (; *s; s++)
    {
      if (g_ascii_isspace (*s))
        space = out->len > 0;
      else
        {
          if (space)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_c (out, *s);
        }
    }
  return g_string_free (out, FALSE);
}

static gboolean
is_local_char (char c)
{
  return g_ascii_isalnum (c) || (c && strchr (".!#$%&'*+/=?^_`{|}~-", c) != NULL) || (guchar) c >= 0x80;
}

static gboolean
is_domain_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || c == '_' || (guchar) c >= 0x80;
}

/* Finds the next address local@domain in s[0..len); sets *start and *alen. */
static gboolean
find_address (const char *s, gsize len, gsize *start, gsize *alen)
{
  for (gsize i = 1; i + 1 < len; i++)
    {
      gsize a, b;
      if (s[i] != '@')
        continue;
      a = i;
      while (a > 0 && is_local_char (s[a - 1]))
        a--;
      while (a < i && s[a] == '.')
        a++;
      b = i + 1;
      while (b < len && is_domain_char (s[b]))
        b++;
      while (b > i + 1 && (s[b - 1] == '.' || s[b - 1] == '-'))
        b--;
      if (a < i && b > i + 1 && memchr (s + i + 1, '.', b - i - 1))
        {
          *start = a;
          *alen = b - a;
          return TRUE;
        }
    }
  return FALSE;
}

/* The address in a header or DSN field value ("rfc822; <a@b>", "Name <a@b>"), lower-cased
 * domain kept as written. */
static char *
address_in (const char *s, gsize len)
{
  gsize st, al;
  if (s == NULL)
    return NULL;
  if (find_address (s, len, &st, &al))
    return g_strndup (s + st, al);
  return NULL;
}

/* RFC 6533 utf-8-addr-xtext: \x{HEX} stands for a code point. */
static char *
unescape_xtext (const char *s)
{
  GString *out;
  if (strstr (s, "\\x{") == NULL)
    return g_strdup (s);
  out = g_string_new (NULL);
  while (*s)
    {
      if (s[0] == '\\' && s[1] == 'x' && s[2] == '{')
        {
          char *end;
          guint64 cp = g_ascii_strtoull (s + 3, &end, 16);
          if (*end == '}' && cp > 0 && cp <= 0x10FFFF && g_unichar_validate ((gunichar) cp))
            {
              g_string_append_unichar (out, (gunichar) cp);
              s = end + 1;
              continue;
            }
        }
      g_string_append_c (out, *s++);
    }
  return g_string_free (out, FALSE);
}

/* Whether data[0..len) is ASCII without NUL bytes, and so valid UTF-8 as it is; eight
 * bytes at a time. */
static gboolean
plain_ascii (const char *data, gsize len)
{
  const guint64 high = 0x8080808080808080ULL, ones = 0x0101010101010101ULL;
  gsize i = 0;
  for (; i + 8 <= len; i += 8)
    {
      guint64 w;
      memcpy (&w, data + i, 8);
      if ((w & high) || ((w - ones) & ~w & high))
        return FALSE;
    }
  for (; i < len; i++)
    if ((guchar) data[i] >= 0x80 || data[i] == '\0')
      return FALSE;
  return TRUE;
}

/* Whether text holds the escape sequence that switches ISO-2022-JP to JIS X 0208. */
static gboolean
has_jis_escape (const char *data, gsize len)
{
  for (const char *e = data ? memchr (data, '\033', len) : NULL; e; e = memchr (e + 1, '\033', len - (gsize) (e + 1 - data)))
    if ((gsize) (e - data) + 2 < len && e[1] == '$' && (e[2] == 'B' || e[2] == '@'))
      return TRUE;
  return FALSE;
}

/* Makes text valid UTF-8 without NUL bytes. */
static char *
to_utf8 (const char *data, gsize len, const char *charset)
{
  char *conv = NULL;
  char *out;
  /* ISO-2022-JP is 7-bit, so it passes for ASCII; Japanese notices (and the Diagnostic-Code
   * of their delivery-status parts) use it without declaring it */
  gboolean escaped = has_jis_escape (data, len);
  if (escaped && (charset == NULL || g_ascii_strcasecmp (charset, "us-ascii") == 0))
    charset = "iso-2022-jp";
  if (charset && g_ascii_strcasecmp (charset, "utf-8") != 0 && g_ascii_strcasecmp (charset, "us-ascii") != 0
      && (escaped || !g_utf8_validate (data, (gssize) len, NULL)))
    {
      const char *cs = g_mime_charset_iconv_name (charset);
      conv = g_convert_with_fallback (data, (gssize) len, "UTF-8", cs, "?", NULL, NULL, NULL);
    }
  out = conv ? conv : g_utf8_make_valid (data ? data : "", data ? (gssize) len : 0);
  return out;
}

/* ---- the header of a message ------------------------------------------------------------- */

/* What the analyser reads in a message header. GMime parses the MIME structure, but a
 * message header costs it an object, an event and often an address parse per field, for
 * the dozens of Received, DKIM and X- fields of a notice that are never looked at; so the
 * header is read here (RFC 5322: a field runs on over lines that begin with white space,
 * and a blank line ends the header), values are unfolded and RFC 2047 decoded by GMime, and
 * GMime is handed only the MIME fields (Content-*) with the body. */
typedef struct {
  char       *from;
  char       *to;
  char       *subject;
  char       *message_id;
  char       *failed;             /* X-Failed-Recipients */
  char       *auto_submitted;
  char       *x_autoreply;
  char       *x_autorespond;
  char       *precedence;
  char       *apple_action;       /* X-Apple-Action */
  char       *response_suppress;  /* X-Auto-Response-Suppress */
  char       *hm_recipient;       /* X-HmXmrOriginalRecipient */
  GString    *mime;               /* the Content-* fields as written, for GMime */
  const char *ctype;              /* the raw value of the (last, as GMime takes it)
                                   * Content-Type, and its length */
  gsize       ctype_len;
  const char *cte;                /* the raw value of the first Content-Transfer-Encoding */
  gsize       cte_len;
  const char *disp;               /* the raw value of the last Content-Disposition */
  gsize       disp_len;
  guint       n_ctype, n_cte, n_disp;  /* how many of each there are */
  gboolean    mime_only;          /* a part's header: only Content-Type and -Transfer-Encoding */
  gboolean    copy_mime;          /* keep the Content-* fields for GMime (in mime) */
  guint       want;               /* the fields of head_fields to read, as HEAD_WANT bits
                                   * (0: all); the others are not unfolded nor decoded */
  gsize       body;               /* where the header ends: at the blank line (or the
                                   * delimiter line that cut it short), or the end */
  gboolean    blank;              /* it ended at a blank line */
} Head;

#define HEAD_NAME(n) n, sizeof n - 1
static const struct { const char *name; gsize len; gsize offset; gboolean last; } head_fields[] = {
  { HEAD_NAME ("From"), G_STRUCT_OFFSET (Head, from), FALSE },
  { HEAD_NAME ("To"), G_STRUCT_OFFSET (Head, to), FALSE },
  /* as a message object keeps them: the last Subject and Message-ID count */
  { HEAD_NAME ("Subject"), G_STRUCT_OFFSET (Head, subject), TRUE },
  { HEAD_NAME ("Message-ID"), G_STRUCT_OFFSET (Head, message_id), TRUE },
  { HEAD_NAME ("X-Failed-Recipients"), G_STRUCT_OFFSET (Head, failed), FALSE },
  { HEAD_NAME ("Auto-Submitted"), G_STRUCT_OFFSET (Head, auto_submitted), FALSE },
  { HEAD_NAME ("X-Autoreply"), G_STRUCT_OFFSET (Head, x_autoreply), FALSE },
  { HEAD_NAME ("X-Autorespond"), G_STRUCT_OFFSET (Head, x_autorespond), FALSE },
  { HEAD_NAME ("Precedence"), G_STRUCT_OFFSET (Head, precedence), FALSE },
  { HEAD_NAME ("X-Apple-Action"), G_STRUCT_OFFSET (Head, apple_action), FALSE },
  { HEAD_NAME ("X-Auto-Response-Suppress"), G_STRUCT_OFFSET (Head, response_suppress), FALSE },
  { HEAD_NAME ("X-HmXmrOriginalRecipient"), G_STRUCT_OFFSET (Head, hm_recipient), FALSE },
};
#undef HEAD_NAME

#define HEAD_FIELD(h, i) (*(char **) G_STRUCT_MEMBER_P ((h), head_fields[i].offset))
/* bits of Head.want, by the index in head_fields */
#define HEAD_WANT_TO (1u << 1)
#define HEAD_WANT_HM_RECIPIENT (1u << 11)

static void
head_clear (Head *h)
{
  for (guint i = 0; i < G_N_ELEMENTS (head_fields); i++)
    g_clear_pointer (&HEAD_FIELD (h, i), g_free);
  if (h->mime)
    g_string_free (h->mime, TRUE);
  h->mime = NULL;
}

static gboolean
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
only_space (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!(s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
      return FALSE;
  return TRUE;
}

/* Whether the line s[0..len) (without its line break) is a delimiter of the multipart
 * with boundary b, as GMime reads one (RFC 2046: "--b", or "--b--" for the last, then
 * white space only); *last tells which. */
static gboolean
is_delimiter (const char *s, gsize len, const char *b, gsize bl, gboolean *last)
{
  gsize i = bl + 2;
  if (b == NULL || len < i || s[0] != '-' || s[1] != '-' || memcmp (s + 2, b, bl) != 0)
    return FALSE;
  *last = len >= i + 2 && s[i] == '-' && s[i + 1] == '-' && only_space (s + i + 2, len - i - 2);
  return *last || only_space (s + i, len - i);
}

/* A field value unfolded as GMime unfolds it: line breaks dropped, white space at
 * either end trimmed. */
static char *
unfold (const char *s, gsize len)
{
  char *out, *o;
  while (len && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
    s++, len--;
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
    len--;
  o = out = g_malloc (len + 1);
  for (gsize i = 0; i < len; i++)
    if (s[i] != '\r' && s[i] != '\n' && s[i] != '\0')
      *o++ = s[i];
  *o = '\0';
  return out;
}

/* One field, data[0..len) with its folded lines and line breaks. */
static void
head_field (Head *h, const char *data, gsize len)
{
  const char *colon = memchr (data, ':', len);
  gsize n, name_len;
  gboolean blank = FALSE;
  /* a name of printable characters, white space allowed only before the colon; a line
   * that is none (and what is folded under it) is skipped, as GMime skips it */
  if (colon == NULL || colon == data)
    return;
  n = (gsize) (colon - data);
  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar) data[i];
      if (c > ' ' && c != 127 && !blank)
        continue;
      if (c == ' ' || c == '\t')
        blank = TRUE;
      else
        return;
    }
  name_len = n;
  while (name_len && (data[name_len - 1] == ' ' || data[name_len - 1] == '\t'))
    name_len--;
  if (name_len == 0)
    return;
  if (name_len > 8 && ci_equal (data, "Content-", 8))
    {
      if (name_len == 12 && ci_equal (data + 8, "Type", 4))
        h->ctype = data + n + 1, h->ctype_len = len - n - 1, h->n_ctype++;
      else if (name_len == 25 && ci_equal (data + 8, "Transfer-Encoding", 17))
        {
          if (h->cte == NULL)
            h->cte = data + n + 1, h->cte_len = len - n - 1;
          h->n_cte++;
        }
      else if (name_len == 19 && ci_equal (data + 8, "Disposition", 11))
        h->disp = data + n + 1, h->disp_len = len - n - 1, h->n_disp++;
      if (!h->copy_mime)
        return;
      if (h->mime == NULL)
        h->mime = g_string_sized_new (256);
      g_string_append_len (h->mime, data, (gssize) len);
      if (data[len - 1] != '\n')
        g_string_append_c (h->mime, '\n');
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (head_fields) && !h->mime_only; i++)
    if (head_fields[i].len == name_len && ASCII_LOWER (data[0]) == ASCII_LOWER (head_fields[i].name[0])
        && ci_equal (data, head_fields[i].name, name_len))
      {
        char **slot = &HEAD_FIELD (h, i);
        char *unfolded;
        if ((*slot && !head_fields[i].last) || (h->want && !(h->want & (1u << i))))
          return;
        unfolded = unfold (data + n + 1, len - n - 1);
        g_free (*slot);
        /* ASCII without an encoded word decodes to itself */
        if (strstr (unfolded, "=?") || !is_ascii (unfolded))
          {
            *slot = g_mime_utils_header_decode_text (NULL, unfolded);
            g_free (unfolded);
          }
        else
          *slot = unfolded;
        return;
      }
}

/* Where a header at the start of data[0..len) ends, as head_read() finds it without a
 * boundary: at the first empty line (a lone CR counts as empty), or the end. */
static gsize
blank_line (const char *data, gsize len)
{
  gsize i = 0;
  while (i < len)
    {
      const char *nl = memchr (data + i, '\n', len - i);
      gsize core = nl ? (gsize) (nl - data) - i : len - i;
      if (core == 0 || (core == 1 && data[i] == '\r'))
        return i;
      if (nl == NULL)
        break;
      i = (gsize) (nl - data) + 1;
    }
  return len;
}

/* Reads the header at the start of data[0..len) into h (zeroed by the caller, mime_only
 * set for a part's header). A part's header also ends at a delimiter line of boundary
 * (NULL at the top). The cost is linear: each byte is looked at a bounded number of times. */
static void
head_read (Head *h, const char *data, gsize len, const char *boundary, gsize bl)
{
  gsize i = 0, field = 0;
  gboolean in_field = FALSE, last;
  h->body = len;
  while (i < len)
    {
      const char *s = data + i;
      const char *nl = memchr (s, '\n', len - i);
      gsize next = nl ? (gsize) (nl - data) + 1 : len;
      gsize core = (nl ? (gsize) (nl - s) : len - i);
      if (core && s[core - 1] == '\r')
        core--;
      if (core == 0 || is_delimiter (s, core, boundary, bl, &last))
        {
          h->body = i;
          h->blank = core == 0;
          break;
        }
      if (!(s[0] == ' ' || s[0] == '\t'))
        {
          if (in_field)
            head_field (h, data + field, i - field);
          field = i;
          in_field = TRUE;
        }
      i = next;
    }
  if (in_field)
    head_field (h, data + field, h->body - field);
  if (h->message_id)
    {
      char *id = g_mime_utils_decode_message_id (h->message_id);
      g_free (h->message_id);
      h->message_id = id;
    }
}

/* The same fields of a message that GMime parsed (a returned message deeper down). */
static void
head_from_message (Head *h, GMimeMessage *m)
{
  GMimeObject *mo = GMIME_OBJECT (m);
  for (guint i = 0; i < G_N_ELEMENTS (head_fields); i++)
    HEAD_FIELD (h, i) = g_strdup (g_mime_object_get_header (mo, head_fields[i].name));
  g_free (h->subject);
  h->subject = g_strdup (g_mime_message_get_subject (m));
  g_free (h->message_id);
  h->message_id = g_strdup (g_mime_message_get_message_id (m));
}

/* Whether a raw field value starts with the given media type ("multipart") and, when sub
 * is set, subtypes ("message/rfc822"): white space may surround the slash. */
static gboolean
value_has_type (const char *v, gsize len, const char *type, const char *const *subs)
{
  gsize i = 0, tl = strlen (type);
  while (i < len && g_ascii_isspace (v[i]))
    i++;
  if (len - i < tl || g_ascii_strncasecmp (v + i, type, tl) != 0)
    return FALSE;
  i += tl;
  if (subs == NULL)
    return i < len && (v[i] == '/' || g_ascii_isspace (v[i]));
  while (i < len && g_ascii_isspace (v[i]))
    i++;
  if (i == len || v[i++] != '/')
    return FALSE;
  while (i < len && g_ascii_isspace (v[i]))
    i++;
  for (guint k = 0; subs[k]; k++)
    {
      gsize sl = strlen (subs[k]);
      if (len - i >= sl && g_ascii_strncasecmp (v + i, subs[k], sl) == 0
          && (i + sl == len || v[i + sl] == ';' || v[i + sl] == '(' || g_ascii_isspace (v[i + sl])))
        return TRUE;
    }
  return FALSE;
}

/* ---- what GMime is handed ------------------------------------------------------------------ */

/* A report often returns the whole message it could not deliver (message/rfc822, with its
 * attachments), of which the analyser needs only the header; GMime would build a message
 * object for it with every field. When the top-level multipart holds one, GMime is not
 * handed that part: its header is read here, in its place among the parts (see
 * collect_returned), and the message itself is parsed only if it is a delivery report in
 * turn, which a relay passes on. */
typedef struct {
  gboolean found;
  guint    index;      /* the part it is among the top-level multipart's parts */
  gsize    delim;      /* the delimiter line that begins the part */
  gsize    start;      /* its own header */
  gsize    head_end;   /* where its header ends */
  gsize    end;        /* the delimiter line after it, or the end of the data */
} Returned;

/* One message read: its header, where its returned message is, what GMime is handed
 * (its MIME fields and body without the returned message) and, once GMime has parsed
 * that (msg_top), the MIME structure GMime made of it. */
typedef struct {
  GMimeStream *base;   /* the caller's bytes, which GMime reads in place */
  const char  *data;   /* the same bytes */
  Head         head;
  Returned     ret;
  GMimeStream *stream; /* what GMime is handed */
  const char  *copy;   /* the same in one buffer (up to COPY_LIMIT), else NULL */
  gsize        copy_len;
  GMimeObject *top;
  gboolean     parsed; /* GMime has parsed stream (top is NULL if it made nothing of it) */
  gboolean     scratch;   /* stream is on this thread's copy buffer (see Scratch) */
} Msg;

/* What one thread keeps from one message to the next: a GMime parser (which costs an
 * object, its 4 KB of buffers and their setup to make) and the buffer that what GMime is
 * handed is copied into. The buffer is in use while the tree GMime made of it lives (a
 * returned report, parsed while the outer tree lives, gets a buffer of its own); the
 * parser only during g_mime_parser_construct_part(). */
typedef struct {
  GMimeParser *parser;
  GByteArray  *buf;
  gboolean     buf_busy;
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *sc = data;
  g_clear_object (&sc->parser);
  g_byte_array_unref (sc->buf);
  g_free (sc);
}

/* makes the parser drop the stream it read */
static void
scratch_release_stream (Scratch *sc)
{
  GMimeStream *empty;
  if (sc->parser == NULL)
    return;
  empty = g_mime_stream_mem_new ();
  g_mime_parser_init_with_stream (sc->parser, empty);
  g_object_unref (empty);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

static Scratch *
scratch_get (void)
{
  Scratch *sc = g_private_get (&scratch_key);
  if (sc == NULL)
    {
      sc = g_new0 (Scratch, 1);
      sc->buf = g_byte_array_new ();
      g_private_set (&scratch_key, sc);
    }
  return sc;
}

/* Finds the first delimiter line of boundary b in data[from..len); *at is its start and
 * *next the line after it. */
static gboolean
next_delimiter (const char *data, gsize from, gsize len, const char *b, gsize bl, gsize *at, gsize *next,
                gboolean *last)
{
  gsize i = from;
  while (i < len)
    {
      const char *nl = memchr (data + i, '\n', len - i);
      gsize core = nl ? (gsize) (nl - data) - i : len - i;
      if (core >= bl + 2 && data[i] == '-' && is_delimiter (data + i, core, b, bl, last))
        {
          *at = i;
          *next = nl ? (gsize) (nl - data) + 1 : len;
          return TRUE;
        }
      i = nl ? (gsize) (nl - data) + 1 : len;
    }
  return FALSE;
}

/* RFC 2045 token characters: printable ASCII but space and tspecials */
static inline gboolean
is_token_char (char c)
{
  /* bit c of the words for 0x20..0x7f: tspecials ()<>@,;:\"/[]?= and space off */
  static const guint32 token[4] = { 0, 0x03ff6cfaU, 0xc7fffffeU, 0x7fffffffU };
  guchar u = (guchar) c;
  return u < 128 && (token[u >> 5] >> (u & 31)) & 1;
}

/* A raw Content-Type value (type/subtype) or Content-Disposition value (a token) when
 * it is written in the plain form that GMime reads the same way: then parameters
 * name=token or name="quoted" only, with no comments, RFC 2231 or RFC 2047 parameters,
 * escapes or stray characters. TRUE with the type (*t) and the values of the parameters
 * listed in names (lower case; vals[i] not NUL-terminated, NULL when absent); FALSE when
 * the value needs GMime's parser, or names one of those parameters twice. */
typedef struct {
  const char *type, *sub;
  gsize       type_len, sub_len;
} PlainType;

static gboolean
plain_value (const char *v, gsize len, gboolean media_type, PlainType *t, const char *const *names,
             const char **vals, gsize *lens)
{
  gsize i = 0;
  for (guint k = 0; names[k]; k++)
    vals[k] = NULL, lens[k] = 0;
  memset (t, 0, sizeof *t);
#define SKIP_SPACE() while (i < len && g_ascii_isspace (v[i])) i++
  SKIP_SPACE ();
  for (t->type = v + i; i < len && is_token_char (v[i]); i++)
    t->type_len++;
  if (t->type_len == 0)
    return FALSE;
  if (media_type)
    {
      SKIP_SPACE ();
      if (i == len || v[i++] != '/')
        return FALSE;
      SKIP_SPACE ();
      for (t->sub = v + i; i < len && is_token_char (v[i]); i++)
        t->sub_len++;
      if (t->sub_len == 0)
        return FALSE;
    }
  for (;;)
    {
      gsize name, name_len, val, val_len;
      SKIP_SPACE ();
      if (i == len)
        return TRUE;
      if (v[i++] != ';')
        return FALSE;
      SKIP_SPACE ();
      if (i == len)
        return TRUE;
      for (name = i; i < len && is_token_char (v[i]) && v[i] != '*'; i++)
        ;
      name_len = i - name;
      SKIP_SPACE ();
      if (name_len == 0 || i == len || v[i++] != '=')
        return FALSE;
      SKIP_SPACE ();
      if (i < len && v[i] == '"')
        {
          const char *q = memchr (v + i + 1, '"', len - i - 1);
          val = i + 1;
          if (q == NULL)
            return FALSE;
          val_len = (gsize) (q - v) - val;
          i = (gsize) (q - v) + 1;
          /* GMime takes a quoted value as it is, when it holds no escape */
          for (gsize k = val; k < val + val_len; k++)
            if (v[k] < ' ' || v[k] > '~' || v[k] == '\\')
              return FALSE;
          if (val_len == 0 || v[val] == ' ' || v[val + val_len - 1] == ' ' || memmem (v + val, val_len, "=?", 2))
            return FALSE;
        }
      else
        {
          for (val = i; i < len && is_token_char (v[i]); i++)
            ;
          val_len = i - val;
          if (val_len == 0)
            return FALSE;
        }
      for (guint k = 0; names[k]; k++)
        if (strlen (names[k]) == name_len && g_ascii_strncasecmp (v + name, names[k], name_len) == 0)
          {
            if (vals[k])
              return FALSE;
            vals[k] = v + val;
            lens[k] = val_len;
          }
    }
#undef SKIP_SPACE
}

/* The boundary of a multipart's raw Content-Type value, when the value is plain (see
 * plain_value): TRUE with *boundary set (NULL when it has none). */
static gboolean
plain_boundary (const char *v, gsize len, char **boundary)
{
  static const char *const names[] = { "boundary", NULL };
  PlainType t;
  const char *val;
  gsize val_len;
  *boundary = NULL;
  if (!plain_value (v, len, TRUE, &t, names, &val, &val_len))
    return FALSE;
  if (val)
    *boundary = g_strndup (val, val_len);
  return TRUE;
}

/* The subtypes of message/ that GMime parses as a message (is_rfc822 in gmime-parser.c). */
static const char *const message_subtypes[] = { "rfc822", "rfc2822", "global", "news", NULL };

static gboolean
ci_in_list (const char *const *list, const char *s)
{
  for (; *list; list++)
    if (g_ascii_strcasecmp (*list, s) == 0)
      return TRUE;
  return FALSE;
}

/* Looks for the returned message among the parts of the top-level multipart, whose body
 * is data[body..len). */
static void
find_returned (Msg *m, gsize body, gsize len)
{
  char *b = NULL;
  gsize bl, at, pos, next;
  guint index = 0;
  gboolean last = FALSE;

  if (m->head.ctype == NULL || !value_has_type (m->head.ctype, m->head.ctype_len, "multipart", NULL))
    return;
  if (!plain_boundary (m->head.ctype, m->head.ctype_len, &b))
    {
      char *raw = g_strndup (m->head.ctype, m->head.ctype_len);
      GMimeContentType *ct = g_mime_content_type_parse (NULL, raw);
      b = g_strdup (g_mime_content_type_get_parameter (ct, "boundary"));
      g_object_unref (ct);
      g_free (raw);
    }
#ifdef CHECK_BOUNDARY
  else
    {
      char *raw = g_strndup (m->head.ctype, m->head.ctype_len);
      GMimeContentType *ct = g_mime_content_type_parse (NULL, raw);
      const char *gb = g_mime_content_type_get_parameter (ct, "boundary");
      if (g_strcmp0 (gb, b))
        g_printerr ("BOUNDARY MISMATCH [%s] [%s] [%s]\n", raw, b, gb);
      g_object_unref (ct);
      g_free (raw);
    }
#endif
  bl = b ? strlen (b) : 0;
  for (pos = body; bl && !last && next_delimiter (m->data, pos, len, b, bl, &at, &next, &last); index++)
    {
      Head ph = { 0 };
      gsize content, cte_len, delim = at;
      const char *cte;
      if (last)
        break;
      ph.mime_only = TRUE;
      head_read (&ph, m->data + next, len - next, b, bl);
      pos = next + ph.body;
      if (!ph.blank || ph.ctype == NULL || !value_has_type (ph.ctype, ph.ctype_len, "message", message_subtypes))
        continue;
      /* an encoded message is no message to GMime but an opaque part */
      cte = ph.cte;
      cte_len = ph.cte_len;
      while (cte && cte_len && g_ascii_isspace (*cte))
        cte++, cte_len--;
      while (cte && cte_len && g_ascii_isspace (cte[cte_len - 1]))
        cte_len--;
      if (cte && !((cte_len == 4 && (!g_ascii_strncasecmp (cte, "7bit", 4) || !g_ascii_strncasecmp (cte, "8bit", 4)))
                   || (cte_len == 6 && !g_ascii_strncasecmp (cte, "binary", 6))))
        continue;
      content = m->data[pos] == '\r' ? pos + 2 : pos + 1;
      if (content > len)
        content = len;
      m->ret.found = TRUE;
      m->ret.index = index;
      m->ret.delim = delim;
      m->ret.start = content;
      /* its header ends at a blank line, or where the part does */
      m->ret.end = next_delimiter (m->data, content, len, b, bl, &at, &next, &last) ? at : len;
      m->ret.head_end = content + blank_line (m->data + content, m->ret.end - content);
      break;
    }
  g_free (b);
}

static void
cat_add (GMimeStream *cat, GMimeStream *source)
{
  g_mime_stream_cat_add_source (GMIME_STREAM_CAT (cat), source);
  g_object_unref (source);
}

/* what GMime is handed, up to this size, is copied into one buffer: cheaper than the
 * streams that join the pieces in place, which every part's content would go through */
#define COPY_LIMIT (256 * 1024)

/* Reads the header of the message data[start..end) (data being the bytes of base) and
 * gets ready what GMime is handed, which GMime parses only when msg_top() asks. */
static void
msg_parse (Msg *m, GMimeStream *base, const char *data, gsize start, gsize end)
{
  struct { const char *s; gsize len; gboolean in_data; } piece[3];
  GMimeStream *stream;
  Scratch *sc = scratch_get ();
  guint n = 0;
  gsize body, total = 0;

  memset (m, 0, sizeof *m);
  m->base = base;
  m->data = data;
  m->head.copy_mime = TRUE;
  head_read (&m->head, data + start, end - start, NULL, 0);
  body = start + m->head.body;
  find_returned (m, body, end);

  /* the MIME fields, then the body without the part that holds the returned message */
  if (m->head.mime == NULL)
    m->head.mime = g_string_new (NULL);
  if (!m->head.blank)
    g_string_append_c (m->head.mime, '\n');
#define PIECE(str, length, inside) piece[n].s = (str), piece[n].len = (length), piece[n].in_data = (inside), total += piece[n++].len
  PIECE (m->head.mime->str, m->head.mime->len, FALSE);
  if (m->ret.found)
    {
      PIECE (data + body, m->ret.delim - body, TRUE);
      PIECE (data + m->ret.end, end - m->ret.end, TRUE);
    }
  else
    PIECE (data + body, end - body, TRUE);
#undef PIECE

  if (total <= COPY_LIMIT)
    {
      /* this thread's buffer, kept (up to COPY_LIMIT) for the next message, unless an
       * outer message's tree still reads it */
      GByteArray *arr = sc->buf_busy ? g_byte_array_sized_new ((guint) total) : sc->buf;
      g_byte_array_set_size (arr, 0);
      for (guint i = 0; i < n; i++)
        g_byte_array_append (arr, (const guint8 *) piece[i].s, (guint) piece[i].len);
      stream = g_mime_stream_mem_new_with_byte_array (arr);
      if (arr == sc->buf)
        {
          g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
          sc->buf_busy = m->scratch = TRUE;
        }
      m->copy = (const char *) arr->data;
      m->copy_len = arr->len;
    }
  else
    {
      stream = g_mime_stream_cat_new ();
      for (guint i = 0; i < n; i++)
        if (piece[i].len)
          {
            gint64 at = piece[i].s - data;
            cat_add (stream, piece[i].in_data ? g_mime_stream_substream (base, at, at + (gint64) piece[i].len)
                                              : g_mime_stream_mem_new_with_buffer (piece[i].s, piece[i].len));
          }
    }
  m->stream = stream;
}

/* The MIME structure GMime makes of the message (NULL when it makes nothing of it). */
static GMimeObject *
msg_top (Msg *m)
{
  Scratch *sc;
  if (m->parsed)
    return m->top;
  m->parsed = TRUE;
  sc = scratch_get ();
  if (sc->parser == NULL)
    sc->parser = g_mime_parser_new_with_stream (m->stream);
  else
    g_mime_parser_init_with_stream (sc->parser, m->stream);
  g_mime_parser_set_format (sc->parser, GMIME_FORMAT_MESSAGE);
  m->top = g_mime_parser_construct_part (sc->parser, NULL);
  /* the parser keeps its stream until the next message: not one that reads the
   * caller's bytes or holds a buffer of its own */
  if (!m->scratch)
    scratch_release_stream (sc);
  return m->top;
}

static void
msg_clear (Msg *m)
{
  head_clear (&m->head);
  g_clear_object (&m->top);
  g_clear_object (&m->stream);
  if (m->scratch)
    {
      /* the tree that read the buffer is gone */
      Scratch *sc = scratch_get ();
      sc->buf_busy = m->scratch = FALSE;
      if (sc->buf->len > COPY_LIMIT / 4)
        {
          /* a large message's copy is not kept (nor is the stream on it that the parser
           * still holds) */
          scratch_release_stream (sc);
          g_byte_array_unref (sc->buf);
          sc->buf = g_byte_array_new ();
        }
    }
}

/* ---- collecting the parts ---------------------------------------------------------------- */

typedef struct {
  GString    *text;           /* the human-readable notice, UTF-8 */
  GString    *html;           /* text/html notice when there is no text/plain */
  GString    *dsn;            /* message/delivery-status content */
  GString    *arf;            /* message/feedback-report content */
  gboolean    has_dsn;
  gboolean    has_arf;
  gboolean    has_original;
  char       *orig_to;        /* To: of the returned message */
  gboolean    multipart_report;
  char       *report_type;
  char       *complained;     /* X-HmXmrOriginalRecipient of the returned message */
  GMimeMessage *inner_report; /* the returned message, when it is itself a delivery report */
  gboolean    returned_report; /* the same, for the returned message that GMime was not
                                * handed (see find_returned) */
  const Msg  *msg;            /* the message the parts are of */
} Parts;

/* Content as written, raw[0..raw_len), decoded (transfer encoding, then charset) into
 * UTF-8 without NUL bytes; *len is its length. Base64 and quoted-printable go through
 * GMime's decoder, as GMime's own streams would take them. Content without a transfer
 * encoding that is ASCII already (the common case) is not copied: the result then is
 * raw, not NUL-terminated, and *owned is NULL; otherwise *owned is the result, to be freed. */
static const char *
decode_raw (const char *raw, gsize raw_len, GMimeContentEncoding encoding, const char *charset, gsize *len,
            char **owned)
{
  char *dec = NULL;
  *owned = NULL;
  *len = raw_len;
  if (encoding == GMIME_CONTENT_ENCODING_BASE64 || encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
    {
      GMimeEncoding state;
      g_mime_encoding_init_decode (&state, encoding);
      dec = g_malloc (raw_len + 4);
      *len = g_mime_encoding_step (&state, raw, raw_len, dec);
      dec[*len] = '\0';
      raw = dec;
    }
  if (plain_ascii (raw, *len) && !has_jis_escape (raw, *len))
    {
      /* as it is: no conversion */
      *owned = dec;
      return *len ? raw : "";
    }
  *owned = to_utf8 (raw, *len, charset);
  g_free (dec);
  *len = strlen (*owned);
  return *owned;
}

/* The content of part, decoded as decode_raw() does. */
static const char *
decode_part (GMimePart *part, gsize *len, char **owned)
{
  GMimeDataWrapper *w = g_mime_part_get_content (part);
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  GByteArray *arr;
  GMimeStream *mem;
  const char *s;

  *len = 0;
  *owned = NULL;
  if (w == NULL)
    return "";
  if (w->stream && GMIME_IS_STREAM_MEM (w->stream) && GMIME_STREAM_MEM (w->stream)->buffer
      && w->encoding != GMIME_CONTENT_ENCODING_UUENCODE)
    {
      /* what g_mime_data_wrapper_write_to_stream() would read: the stream's bounds in
       * the buffer (see write_to_stream in gmime-data-wrapper.c) */
      GMimeStream *st = w->stream;
      const GByteArray *buf = GMIME_STREAM_MEM (st)->buffer;
      gint64 start = st->bound_start, end = st->bound_end;
      if (end < 0 || end > (gint64) buf->len)
        end = buf->len;
      if (start < 0 || start > end)
        start = end;
      return decode_raw ((const char *) buf->data + start, (gsize) (end - start), w->encoding, charset, len, owned);
    }
  arr = g_byte_array_new ();
  mem = g_mime_stream_mem_new_with_byte_array (arr);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
  g_mime_data_wrapper_write_to_stream (w, mem);
  g_object_unref (mem);
  s = decode_raw ((const char *) arr->data, arr->len, GMIME_CONTENT_ENCODING_DEFAULT, charset, len, owned);
  if (*owned == NULL && *len)
    {
      /* the decoded bytes are the result */
      g_byte_array_append (arr, (const guint8 *) "", 1);
      *owned = (char *) g_byte_array_free (arr, FALSE);
      return *owned;
    }
  g_byte_array_unref (arr);
  return s;
}

static void
append_capped (GString *dst, const char *src, gsize len)
{
  gsize room = dst->len < TEXT_LIMIT ? TEXT_LIMIT - dst->len : 0;
  if (room == 0)
    return;
  if (dst->len && dst->str[dst->len - 1] != '\n')
    g_string_append_c (dst, '\n');
  if (len <= room)
    g_string_append_len (dst, src, (gssize) len);
  else
    {
      const char *end = src + room;
      g_utf8_validate (src, (gssize) room, &end);
      g_string_append_len (dst, src, end - src);
    }
}

/* The returned message that find_returned took out of what GMime was handed, in its
 * place among the parts: its header names the recipient (To:), the complaining one in
 * Microsoft's junk mail reports, and whether it is a delivery report in turn. */
static void
collect_returned (Parts *p)
{
  const Returned *ret = &p->msg->ret;
  Head h = { 0 };
  if (p->has_original)
    return;
  p->has_original = TRUE;
  h.want = HEAD_WANT_TO | HEAD_WANT_HM_RECIPIENT;
  head_read (&h, p->msg->data + ret->start, ret->head_end - ret->start, NULL, 0);
  if (h.to && p->orig_to == NULL)
    p->orig_to = address_in (h.to, strlen (h.to));
  if (h.hm_recipient && p->complained == NULL)
    p->complained = address_in (h.hm_recipient, strlen (h.hm_recipient));
  if (h.ctype && value_has_type (h.ctype, h.ctype_len, "multipart", NULL) && ci_find (h.ctype, h.ctype_len, "report"))
    {
      char *raw = g_strndup (h.ctype, h.ctype_len);
      GMimeContentType *rct = g_mime_content_type_parse (NULL, raw);
      const char *rt = g_mime_content_type_get_parameter (rct, "report-type");
      p->returned_report = rt && g_ascii_strcasecmp (rt, "delivery-status") == 0;
      g_object_unref (rct);
      g_free (raw);
    }
  head_clear (&h);
}

/* A part that is no multipart nor message, as GMime read it (part) or as read here (see
 * light_collect): its content and what collect_leaf asks of it. */
typedef struct {
  const char          *type, *sub;    /* its media type (as written, NUL-terminated) */
  GMimePart           *part;          /* GMime's part, or NULL: */
  const char          *raw;           /* the content as written */
  gsize                raw_len;
  GMimeContentEncoding encoding;
  const char          *charset;       /* NUL-terminated, or NULL */
  const char          *disposition;   /* the same */
  gboolean             has_filename;
} Leaf;

static const char *
leaf_decode (const Leaf *lf, gsize *len, char **owned)
{
  if (lf->part)
    return decode_part (lf->part, len, owned);
  return decode_raw (lf->raw, lf->raw_len, lf->encoding, lf->charset, len, owned);
}

/* the size of its content as written */
static gsize
leaf_size (const Leaf *lf)
{
  if (lf->part)
    {
      GMimeDataWrapper *w = g_mime_part_get_content (lf->part);
      GMimeStream *s = w ? g_mime_data_wrapper_get_stream (w) : NULL;
      gint64 n = s ? g_mime_stream_length (s) : -1;
      return n < 0 ? 0 : (gsize) n;
    }
  return lf->raw_len;
}

/* whether it is an attachment with a file name */
static gboolean
leaf_attached_file (const Leaf *lf)
{
  const char *disp = lf->part ? g_mime_object_get_disposition (GMIME_OBJECT (lf->part)) : lf->disposition;
  if (disp == NULL || g_ascii_strcasecmp (disp, "attachment") != 0)
    return FALSE;
  return lf->part ? g_mime_part_get_filename (lf->part) != NULL : lf->has_filename;
}

/* Where the returned message that GMime was not handed belongs among the parts of the
 * top-level multipart: called before part index is read, and with index == n (the
 * number of parts) after the last. */
static void
collect_returned_at (Parts *p, int depth, guint index, guint n)
{
  if (depth == 0 && p->msg->ret.found && (p->msg->ret.index == index || (index == n && p->msg->ret.index > n)))
    collect_returned (p);
}

static void
collect_leaf (const Leaf *lf, Parts *p, int depth)
{
  const char *type = lf->type, *sub = lf->sub;

  if (g_ascii_strcasecmp (type, "message") == 0
      && (g_ascii_strcasecmp (sub, "delivery-status") == 0
          || g_ascii_strcasecmp (sub, "global-delivery-status") == 0))
    {
      gsize len;
      char *owned;
      const char *s = leaf_decode (lf, &len, &owned);
      p->has_dsn = TRUE;
      append_capped (p->dsn, s, len);
      g_string_append (p->dsn, "\n\n");
      g_free (owned);
      return;
    }
  if (g_ascii_strcasecmp (type, "message") == 0 && g_ascii_strcasecmp (sub, "feedback-report") == 0)
    {
      gsize len;
      char *owned;
      const char *s = leaf_decode (lf, &len, &owned);
      p->has_arf = TRUE;
      append_capped (p->arf, s, len);
      g_free (owned);
      return;
    }
  if ((g_ascii_strcasecmp (type, "text") == 0 && g_ascii_strcasecmp (sub, "rfc822-headers") == 0)
      || (g_ascii_strcasecmp (type, "message") == 0 && g_ascii_strcasecmp (sub, "rfc822-headers") == 0))
    {
      if (!p->has_original)
        {
          gsize len;
          char *owned;
          const char *s = leaf_decode (lf, &len, &owned);
          const char *end = s + len;
          Head h = { 0 };
          p->has_original = TRUE;
          h.want = HEAD_WANT_TO;
          head_read (&h, s, len, NULL, 0);
          if (h.to)
            p->orig_to = address_in (h.to, strlen (h.to));
          for (const char *l = s; p->orig_to == NULL && l < end;)
            {
              const char *e = memchr (l, '\n', (gsize) (end - l));
              if (ci_prefix (l, (gsize) (end - l), "to:"))
                {
                  /* a header quoted after a blank line */
                  const char *to = l + 3;
                  p->orig_to = address_in (to, (gsize) ((e ? e : end) - to));
                  break;
                }
              l = e ? e + 1 : end;
            }
          head_clear (&h);
          g_free (owned);
        }
      return;
    }
  if (g_ascii_strcasecmp (type, "text") == 0 && !p->has_original)
    {
      gboolean html = g_ascii_strcasecmp (sub, "html") == 0;
      const char *s;
      char *owned;
      gsize len;
      if (depth > 0 && leaf_attached_file (lf))
        return;
      if (leaf_size (lf) > PART_LIMIT)
        return;
      if (!html && g_ascii_strcasecmp (sub, "plain") != 0 && depth > 0)
        return;
      s = leaf_decode (lf, &len, &owned);
      append_capped (html ? p->html : p->text, s, len);
      g_free (owned);
    }
}

/* What the analyser takes from the tree GMime made of a message. */
static void
collect (GMimeObject *obj, Parts *p, int depth)
{
  GMimeContentType *ct;
  const char *type, *sub;

  if (obj == NULL || depth > 12)
    return;
  ct = g_mime_object_get_content_type (obj);
  type = ct ? g_mime_content_type_get_media_type (ct) : "text";
  sub = ct ? g_mime_content_type_get_media_subtype (ct) : "plain";
  if (type == NULL)
    type = "text";
  if (sub == NULL)
    sub = "plain";

  if (GMIME_IS_MULTIPART (obj))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (obj);
      int n = g_mime_multipart_get_count (mp);
      if (g_ascii_strcasecmp (sub, "report") == 0 && depth <= 1)
        {
          const char *rt = g_mime_content_type_get_parameter (ct, "report-type");
          p->multipart_report = TRUE;
          if (rt && p->report_type == NULL)
            p->report_type = g_ascii_strdown (rt, -1);
        }
      for (int i = 0; i <= n; i++)
        {
          collect_returned_at (p, depth, (guint) i, (guint) n);
          if (i < n)
            collect (g_mime_multipart_get_part (mp, i), p, depth + 1);
        }
      if (n == 0 && depth > 0 && !p->has_original)
        {
          /* a nested multipart whose boundary never occurs (or is missing, as when the
           * parameter sits on an unfolded line): GMime leaves its content in the prologue */
          const char *pro = g_mime_multipart_get_prologue (mp);
          if (pro && *pro)
            append_capped (p->text, pro, strlen (pro));
        }
      return;
    }
  if (GMIME_IS_MESSAGE_PART (obj))
    {
      GMimeMessage *m = g_mime_message_part_get_message (GMIME_MESSAGE_PART (obj));
      if (p->has_original || m == NULL)
        return;
      p->has_original = TRUE;
      if (p->orig_to == NULL)
        {
          const char *to = g_mime_object_get_header (GMIME_OBJECT (m), "To");
          if (to)
            p->orig_to = address_in (to, strlen (to));
        }
      {
        /* a notice that forwards a delivery report (a relay passing a bounce on) */
        GMimeObject *body = g_mime_message_get_mime_part (m);
        GMimeContentType *bct = body ? g_mime_object_get_content_type (body) : NULL;
        const char *rt = bct ? g_mime_content_type_get_parameter (bct, "report-type") : NULL;
        if (GMIME_IS_MULTIPART (body) && rt && g_ascii_strcasecmp (rt, "delivery-status") == 0
            && p->inner_report == NULL)
          p->inner_report = g_object_ref (m);
      }
      {
        /* Microsoft's junk mail reports (JMRP) return the message with the complaining
         * recipient in this header, and no feedback-report part */
        const char *hm = g_mime_object_get_header (GMIME_OBJECT (m), "X-HmXmrOriginalRecipient");
        if (hm && p->complained == NULL)
          p->complained = address_in (hm, strlen (hm));
      }
      return;
    }
  if (GMIME_IS_PART (obj))
    {
      Leaf lf = { 0 };
      lf.type = type;
      lf.sub = sub;
      lf.part = GMIME_PART (obj);
      collect_leaf (&lf, p, depth);
    }
}

/* ---- the MIME structure read here -------------------------------------------------------- */

/* GMime's parser makes objects of every part (the part, its header list and each field in
 * it, its content type and parameters, its data wrapper and stream), and freeing that tree
 * costs about as much again: over a corpus of real bounces that was well over half of the
 * analyser's time. Most bounces are written plainly, though, and such a message is read
 * here as GMime's parser reads it (gmime-parser.c: which line is a delimiter, innermost
 * multipart first; where a part's content ends; the defaults), with GMime's decoders for
 * the content. What is not written plainly is left to GMime's parser: a parameter in RFC
 * 2231 or RFC 2047 form, comments, a header line that is no field, a delimiter inside a
 * header, a field written twice, a part that a delimiter of an outer multipart ends, a
 * multipart without parts or boundary, multipart/digest, uuencoded content, a message
 * below the top that could hold parts, and so on: light_collect() then gives up (before
 * anything it did counts) and the message goes to msg_top() and collect().
 *
 * One difference is known: GMime reads in 4 KB blocks and checks a line longer than that
 * for a delimiter in pieces; here lines are checked whole. SMTPCODES_GMIME_ONLY=1 in the
 * environment sends every message through GMime's parser, which the tests use to compare. */

#define LIGHT_DEPTH 8

/* The delimiter line that ends what the walk reads (a part, a prologue, an epilogue). */
typedef struct {
  gboolean found;     /* FALSE: the data ends first */
  gsize    at, next;  /* where the line starts and the line after it (found: the end) */
  guint    level;     /* the multipart it is of (index in Light.bound) */
  gboolean last;      /* a close delimiter */
  gboolean cr;        /* its last character (before the line break or the end) is a CR */
} Delim;

typedef struct {
  const char *data;   /* what GMime is handed (Msg.copy) */
  gsize       len;
  Parts      *p;
  const char *bound[LIGHT_DEPTH];   /* the boundaries of the multiparts the walk is in, */
  gsize       bound_len[LIGHT_DEPTH];   /* the innermost last */
  guint       nb;
  gboolean    top_multipart;        /* the message is a multipart, */
  gsize       pro_start;            /* whose prologue starts here */
  Delim       pro;                  /* and ends at this delimiter line */
  const char *why;                  /* why the walk gave up */
} Light;

#define LIGHT_FAIL(l, reason) return ((l)->why = (reason), FALSE)

/* The parameters of a Content-Type the walk reads. */
static const char *const light_params[] = { "boundary", "charset", "name", "report-type", NULL };
enum { LP_BOUNDARY, LP_CHARSET, LP_NAME, LP_REPORT_TYPE, LP_N };

static gboolean
gmime_only (void)
{
  static gsize once = 0;
  static gboolean only;
  if (g_once_init_enter (&once))
    {
      only = g_strcmp0 (g_getenv ("SMTPCODES_GMIME_ONLY"), "1") == 0;
      g_once_init_leave (&once, 1);
    }
  return only;
}

/* Finds the next delimiter line at or after from of one of the multiparts the walk is in,
 * checked as GMime checks a line: the innermost multipart first. */
static gboolean
light_delimiter (const Light *l, gsize from, Delim *d)
{
  gsize i = from;
  while (i < l->len)
    {
      const char *s = l->data + i;
      const char *nl = memchr (s, '\n', l->len - i);
      gsize core = nl ? (gsize) (nl - s) : l->len - i;
      if (core >= 2 && s[0] == '-' && s[1] == '-')
        for (guint k = l->nb; k-- > 0;)
          if (is_delimiter (s, core, l->bound[k], l->bound_len[k], &d->last))
            {
              d->found = TRUE;
              d->at = i;
              d->next = i + core + (nl ? 1 : 0);
              d->level = k;
              d->cr = s[core - 1] == '\r';
              return TRUE;
            }
      i += core + 1;
    }
  memset (d, 0, sizeof *d);
  d->at = d->next = l->len;
  return FALSE;
}

/* The length of what runs from start up to the delimiter d, as GMime takes it: the line
 * break before a delimiter line is the delimiter's, and GMime counts it two bytes when
 * that line ends in a CR, one otherwise. FALSE when that is longer than what there is. */
static gboolean
light_length (const Delim *d, gsize start, gsize *len)
{
  gsize n = d->at - start, strip = d->found ? (d->cr ? 2 : 1) : 0;
  if (n && n < strip)
    return FALSE;
  *len = n ? n - strip : 0;
  return TRUE;
}

/* Reads a part's header from data[from] on (at the top, the MIME fields GMime is handed)
 * when it is written plainly: every line a field (a name of printable characters, white
 * space only before the colon) or folded under one, no delimiter line or NUL among them,
 * and a blank line that ends it. TRUE with its Content-* fields in h and *content where
 * the content begins. */
static gboolean
light_head (Light *l, gsize from, Head *h, gsize *content)
{
  gsize i = from, field = 0;
  gboolean in_field = FALSE, last;
  h->mime_only = TRUE;
  while (i < l->len)
    {
      const char *s = l->data + i;
      const char *nl = memchr (s, '\n', l->len - i);
      gsize core, k = 0;
      if (nl == NULL)
        LIGHT_FAIL (l, "a part header that runs to the end");
      core = (gsize) (nl - s);
      if (core && s[core - 1] == '\r')
        core--;
      if (core == 0)
        {
          if (in_field)
            head_field (h, l->data + field, i - field);
          *content = (gsize) (nl - l->data) + 1;
          return TRUE;
        }
      if (memchr (s, '\0', core))
        LIGHT_FAIL (l, "a NUL in a part header");
      if (s[0] == ' ' || s[0] == '\t')
        {
          if (!in_field)
            LIGHT_FAIL (l, "a part header that starts folded");
        }
      else
        {
          if (s[0] == '-')
            for (guint b = 0; b < l->nb; b++)
              if (is_delimiter (s, core, l->bound[b], l->bound_len[b], &last))
                LIGHT_FAIL (l, "a delimiter line inside a part header");
          while (k < core && s[k] > ' ' && s[k] < 127 && s[k] != ':')
            k++;
          if (k == 0)
            LIGHT_FAIL (l, "a part header line that is no field");
          while (k < core && (s[k] == ' ' || s[k] == '\t'))
            k++;
          if (k == core || s[k] != ':')
            LIGHT_FAIL (l, "a part header line that is no field");
          if (in_field)
            head_field (h, l->data + field, i - field);
          field = i;
          in_field = TRUE;
        }
      i = (gsize) (nl - l->data) + 1;
    }
  LIGHT_FAIL (l, "a part header that runs to the end");
}

/* copies v[0..len) into buf (NUL-terminated); FALSE when it does not fit */
static gboolean
light_copy (char *buf, gsize size, const char *v, gsize len)
{
  if (len >= size)
    return FALSE;
  memcpy (buf, v, len);
  buf[len] = '\0';
  return TRUE;
}

/* The prologue data[start..] up to d, as GMime keeps it (line breaks as LF, up to a NUL),
 * appended to dst as collect() and analyse() append a multipart's prologue. */
static gboolean
light_prologue (Light *l, gsize start, const Delim *d, GString *dst)
{
  gsize n;
  char *pro, *o;
  if (!light_length (d, start, &n))
    LIGHT_FAIL (l, "a prologue shorter than its line break");
  if (d->at == start)
    return TRUE;   /* none */
  o = pro = g_strndup (l->data + start, n);
  for (const char *c = pro; *c; c++)
    if (!(c[0] == '\r' && c[1] == '\n'))
      *o++ = *c;
  *o = '\0';
  append_capped (dst, pro, strlen (pro));
  g_free (pro);
  return TRUE;
}

static gboolean light_part (Light *l, const Head *h, gsize content, int depth, Delim *d);

/* Reads a multipart (boundary b) whose body starts at body, its parts at depth + 1; then,
 * after its close delimiter, the epilogue. *d: the delimiter line that ends the multipart
 * as a part of the one it is in: GMime ends a multipart (and a part in it) at a delimiter
 * of any multipart around it, not only at its own close delimiter. */
static gboolean
light_multipart (Light *l, const char *b, gsize bl, gsize body, int depth, Delim *d)
{
  Parts *p = l->p;
  guint mine, index = 0;

  if (l->nb == LIGHT_DEPTH)
    LIGHT_FAIL (l, "multiparts nested too deep");
  mine = l->nb;
  l->bound[l->nb] = b;
  l->bound_len[l->nb] = bl;
  l->nb++;

  light_delimiter (l, body, d);
  if (depth == 0)
    l->pro_start = body, l->pro = *d, l->top_multipart = TRUE;
  if (!d->found || d->level != mine || d->last)
    {
      /* no part: what there is, up to the end or a delimiter line, is the prologue, which
       * collect() takes below the top (and light_collect at the top, as analyse() did) */
      if (depth > 0 && !p->has_original && !light_prologue (l, body, d, p->text))
        return FALSE;
    }
  else
    for (;;)
      {
        Head ph = { 0 };
        gsize content;
        gboolean ok;
        collect_returned_at (p, depth, index, G_MAXUINT);
        ok = light_head (l, d->next, &ph, &content) && light_part (l, &ph, content, depth + 1, d);
        head_clear (&ph);
        if (!ok)
          return FALSE;
        index++;
        if (!d->found || d->level != mine || d->last)
          break;
      }
  collect_returned_at (p, depth, index, index);
  l->nb--;
  if (d->found && d->level == mine)
    light_delimiter (l, d->next, d);   /* the epilogue after the close delimiter */
  return TRUE;
}

/* Reads one part (at depth 0 the message itself) whose header is h and whose content
 * starts at content, and gives what it holds to collect_leaf, as collect() would; *d is
 * the delimiter line that ends it. FALSE: left to GMime. */
static gboolean
light_part (Light *l, const Head *h, gsize content, int depth, Delim *d)
{
  PlainType t = { "text", "plain", 4, 5 };
  const char *pv[LP_N];
  gsize pl[LP_N];
  char type[32], sub[64], charset[64], disposition[32];
  Leaf lf = { 0 };
  gsize len;

  if (h->n_ctype > 1 || h->n_cte > 1 || h->n_disp > 1)
    LIGHT_FAIL (l, "a Content-* field written twice");
  memset (pv, 0, sizeof pv);
  if (h->ctype && !plain_value (h->ctype, h->ctype_len, TRUE, &t, light_params, pv, pl))
    LIGHT_FAIL (l, "a Content-Type that is not plain");
  if (!light_copy (type, sizeof type, t.type, t.type_len) || !light_copy (sub, sizeof sub, t.sub, t.sub_len))
    LIGHT_FAIL (l, "an overlong media type");

  if (g_ascii_strcasecmp (type, "multipart") == 0)
    {
      Parts *p = l->p;
      if (pv[LP_BOUNDARY] == NULL || g_ascii_strcasecmp (sub, "digest") == 0)
        LIGHT_FAIL (l, "a multipart without boundary, or a digest");
      if (g_ascii_strcasecmp (sub, "report") == 0 && depth <= 1)
        {
          p->multipart_report = TRUE;
          if (pv[LP_REPORT_TYPE] && p->report_type == NULL)
            p->report_type = g_ascii_strdown (pv[LP_REPORT_TYPE], (gssize) pl[LP_REPORT_TYPE]);
        }
      return light_multipart (l, pv[LP_BOUNDARY], pl[LP_BOUNDARY], content, depth, d);
    }

  /* a part without parts: its content runs to the next delimiter line */
  light_delimiter (l, content, d);
  if (!light_length (d, content, &len))
    LIGHT_FAIL (l, "a part shorter than its line break");

  lf.encoding = GMIME_CONTENT_ENCODING_DEFAULT;
  if (h->cte)
    {
      char *v = unfold (h->cte, h->cte_len);
      gboolean odd = strstr (v, "=?") != NULL || !is_ascii (v);
      lf.encoding = g_mime_content_encoding_from_string (v);
      g_free (v);
      if (odd || lf.encoding == GMIME_CONTENT_ENCODING_UUENCODE)
        LIGHT_FAIL (l, "an odd or uuencoded transfer encoding");
    }
  if (g_ascii_strcasecmp (type, "message") == 0 && ci_in_list (message_subtypes, sub))
    {
      Head mh = { 0 };
      gboolean flat;
      if (lf.encoding == GMIME_CONTENT_ENCODING_BASE64 || lf.encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
        return TRUE;   /* an opaque part to GMime, which collect passes over */
      /* a message part: collect passes over it once the returned message is known, and
       * it must hold no multipart, whose delimiters GMime would look for */
      if (depth == 0 || !l->p->has_original)
        LIGHT_FAIL (l, "a message part below the top");
      mh.mime_only = TRUE;
      head_read (&mh, l->data + content, len, NULL, 0);
      flat = mh.n_ctype == 0 || (mh.n_ctype == 1 && !value_has_type (mh.ctype, mh.ctype_len, "multipart", NULL));
      head_clear (&mh);
      if (!flat || len == 0)
        LIGHT_FAIL (l, "a message part that holds parts, or none");
      return TRUE;
    }

  lf.type = type;
  lf.sub = sub;
  lf.raw = l->data + content;
  lf.raw_len = len;
  if (pv[LP_CHARSET])
    {
      if (!light_copy (charset, sizeof charset, pv[LP_CHARSET], pl[LP_CHARSET]))
        LIGHT_FAIL (l, "an overlong charset");
      lf.charset = charset;
    }
  lf.has_filename = pv[LP_NAME] != NULL;
  if (h->disp)
    {
      static const char *const names[] = { "filename", NULL };
      PlainType dt;
      const char *fv;
      gsize fl;
      if (!plain_value (h->disp, h->disp_len, FALSE, &dt, names, &fv, &fl)
          || !light_copy (disposition, sizeof disposition, dt.type, dt.type_len))
        LIGHT_FAIL (l, "a Content-Disposition that is not plain");
      lf.disposition = disposition;
      lf.has_filename = lf.has_filename || fv != NULL;
    }
  collect_leaf (&lf, l->p, depth);
  return TRUE;
}

/* Reads the message as GMime would (see above) and collects its parts into p: FALSE when
 * it is left to GMime (p may then hold part of what was collected: the caller starts
 * afresh). */
static gboolean
light_collect (const Msg *m, Parts *p)
{
  Light l = { 0 };
  Head h = { 0 };
  Delim d;
  gsize content;
  gboolean ok;

  if (gmime_only ())
    return FALSE;
  if (m->copy == NULL)
    {
      g_debug ("bounce: over %d KB without the returned message: read by GMime's parser", COPY_LIMIT / 1024);
      return FALSE;
    }
  l.data = m->copy;
  l.len = m->copy_len;
  l.p = p;
  ok = light_head (&l, 0, &h, &content) && light_part (&l, &h, content, 0, &d);
  /* as analyse took the prologue of the top-level multipart when GMime read it */
  if (ok && p->text->len == 0 && p->dsn->len == 0 && l.top_multipart)
    ok = light_prologue (&l, l.pro_start, &l.pro, p->text);
  head_clear (&h);
  if (!ok)
    g_debug ("bounce: %s: read by GMime's parser", l.why ? l.why : "?");
  return ok;
}

/* Crude text of an HTML notice: tags dropped, <br> and block ends become line breaks. */
static void
html_to_text (GString *out, const char *s)
{
  const char *end = s + strlen (s);
  gboolean in_tag = FALSE;
  for (; *s; s++)
    {
      if (*s == '<')
        {
          gsize rest = (gsize) (end - s);
          if (ci_prefix (s, rest, "<br") || ci_prefix (s, rest, "</p") || ci_prefix (s, rest, "</div")
              || ci_prefix (s, rest, "</tr") || ci_prefix (s, rest, "<p"))
            g_string_append_c (out, '\n');
          in_tag = TRUE;
        }
      else if (*s == '>')
        in_tag = FALSE;
      else if (!in_tag)
        {
          if (*s == '&')
            {
              static const struct { const char *ent; char c; } ents[] = {
                { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&nbsp;", ' ' }, { "&quot;", '"' } };
              gboolean done = FALSE;
              for (guint i = 0; i < G_N_ELEMENTS (ents); i++)
                if (g_str_has_prefix (s, ents[i].ent))
                  {
                    g_string_append_c (out, ents[i].c);
                    s += strlen (ents[i].ent) - 1;
                    done = TRUE;
                    break;
                  }
              if (done)
                continue;
            }
          g_string_append_c (out, *s);
        }
    }
}

/* ---- RFC 3464 fields -------------------------------------------------------------------- */

typedef struct {
  char *final_rcpt;
  char *orig_rcpt;
  char *action;
  char *status;
  char *diag;
  char *remote_mta;
  char *last_line;   /* X-Actual-Recipient etc. are ignored */
} DsnRcpt;

typedef struct {
  char      *reporting_mta;
  GPtrArray *rcpts;   /* DsnRcpt* */
} Dsn;

static void
dsn_rcpt_free (gpointer data)
{
  DsnRcpt *r = data;
  g_free (r->final_rcpt);
  g_free (r->orig_rcpt);
  g_free (r->action);
  g_free (r->status);
  g_free (r->diag);
  g_free (r->remote_mta);
  g_free (r->last_line);
  g_free (r);
}

/* the value after "type;" in a typed field, as in "smtp; 550 ..." */
static const char *
after_type (const char *v)
{
  const char *semi = strchr (v, ';');
  if (semi && (gsize) (semi - v) < 16)
    {
      gboolean word = TRUE;
      for (const char *q = v; q < semi; q++)
        if (!(g_ascii_isalnum (*q) || *q == '-' || *q == ' '))
          word = FALSE;
      if (word)
        {
          v = semi + 1;
          while (g_ascii_isspace (*v))
            v++;
        }
    }
  return v;
}

static void
dsn_field (Dsn *d, DsnRcpt **cur, gboolean *in_rcpt, const char *name, const char *value)
{
  DsnRcpt *r;
  if (!g_ascii_strcasecmp (name, "reporting-mta") && d->reporting_mta == NULL)
    {
      d->reporting_mta = g_strdup (after_type (value));
      return;
    }
  if (g_ascii_strcasecmp (name, "final-recipient") && g_ascii_strcasecmp (name, "original-recipient")
      && g_ascii_strcasecmp (name, "action") && g_ascii_strcasecmp (name, "status")
      && g_ascii_strcasecmp (name, "diagnostic-code") && g_ascii_strcasecmp (name, "remote-mta"))
    return;
  r = *cur;
  /* a new recipient starts with a recipient field; reports without the blank line between
   * groups still split where a field repeats */
  if (r == NULL || !*in_rcpt
      || (!g_ascii_strcasecmp (name, "final-recipient") && r->final_rcpt)
      || (!g_ascii_strcasecmp (name, "original-recipient") && r->orig_rcpt)
      || (!g_ascii_strcasecmp (name, "action") && r->action)
      || (!g_ascii_strcasecmp (name, "status") && r->status))
    {
      if (d->rcpts->len >= MAX_RECIPIENTS)
        return;
      r = g_new0 (DsnRcpt, 1);
      g_ptr_array_add (d->rcpts, r);
      *cur = r;
      *in_rcpt = TRUE;
    }
  if (!g_ascii_strcasecmp (name, "final-recipient"))
    r->final_rcpt = g_strdup (value);
  else if (!g_ascii_strcasecmp (name, "original-recipient"))
    r->orig_rcpt = g_strdup (value);
  else if (!g_ascii_strcasecmp (name, "action"))
    r->action = g_ascii_strdown (value, -1);
  else if (!g_ascii_strcasecmp (name, "status"))
    {
      /* "5.4.4 (Illegal host/domain name found)": a comment may follow the code */
      gsize n = strcspn (value, " \t(;");
      r->status = g_strndup (value, n);
    }
  else if (!g_ascii_strcasecmp (name, "diagnostic-code"))
    {
      if (r->diag == NULL)
        r->diag = g_strdup (value);
    }
  else if (!g_ascii_strcasecmp (name, "remote-mta"))
    {
      if (r->remote_mta == NULL)
        r->remote_mta = g_strdup (after_type (value));
    }
}

/* whether a field of this name is one dsn_field() reads */
static gboolean
dsn_wanted (const char *name, gsize len)
{
  static const char *const names[] = { "reporting-mta", "final-recipient", "original-recipient", "action",
                                       "status", "diagnostic-code", "remote-mta", NULL };
  for (guint i = 0; names[i]; i++)
    if (strlen (names[i]) == len && ci_equal (name, names[i], len))
      return TRUE;
  return FALSE;
}

/* Reads RFC 3464 field groups from text. Lines that are not fields are ignored, so this also
 * reads the fields that some MTAs put into a text part. */
static void
dsn_parse (Dsn *d, const char *s, gsize len)
{
  const char *end = s + len;
  DsnRcpt *cur = NULL;
  gboolean in_rcpt = FALSE;
  GString *name = g_string_new (NULL), *value = g_string_new (NULL);
  gboolean have = FALSE;

  while (s < end)
    {
      const char *nl = memchr (s, '\n', (gsize) (end - s));
      const char *le = nl ? nl : end;
      gsize ll = (gsize) (le - s);
      if (ll && s[ll - 1] == '\r')
        ll--;
      if (have && ll && (s[0] == ' ' || s[0] == '\t'))
        {
          /* folded continuation */
          g_string_append_c (value, ' ');
          g_string_append_len (value, s, (gssize) ll);
        }
      else
        {
          const char *colon;
          if (have)
            {
              char *v = strip_dup (value->str, value->len);
              dsn_field (d, &cur, &in_rcpt, name->str, v);
              g_free (v);
              have = FALSE;
            }
          if (ll == 0)
            in_rcpt = FALSE;
          colon = memchr (s, ':', ll);
          if (colon && colon > s)
            {
              gboolean ok = dsn_wanted (s, (gsize) (colon - s));
              for (const char *q = s; ok && q < colon; q++)
                if (!(g_ascii_isalnum (*q) || *q == '-'))
                  ok = FALSE;
              if (ok)
                {
                  g_string_assign (name, "");
                  g_string_append_len (name, s, colon - s);
                  g_string_assign (value, "");
                  g_string_append_len (value, colon + 1, (gssize) (ll - (gsize) (colon + 1 - s)));
                  have = TRUE;
                }
            }
        }
      s = nl ? nl + 1 : end;
    }
  if (have)
    {
      char *v = strip_dup (value->str, value->len);
      dsn_field (d, &cur, &in_rcpt, name->str, v);
      g_free (v);
    }
  g_string_free (name, TRUE);
  g_string_free (value, TRUE);
  /* groups without any recipient are noise */
  for (guint i = d->rcpts->len; i-- > 0;)
    {
      DsnRcpt *r = d->rcpts->pdata[i];
      if (r->final_rcpt == NULL && r->orig_rcpt == NULL)
        g_ptr_array_remove_index (d->rcpts, i);
    }
}

/* ---- the notice text --------------------------------------------------------------------- */

typedef struct {
  const char *s;
  gsize       len;
} Line;

static gboolean
is_header_line (const char *s, gsize len)
{
  static const char *const names[] = {
    "received:", "return-path:", "from:", "to:", "subject:", "date:", "message-id:",
    "mime-version:", "content-type:", "dkim-signature:", "delivered-to:", "reply-to:",
    "x-mailer:", "sender:", "cc:", "content-transfer-encoding:", "authentication-results:",
    "received-spf:", "list-unsubscribe:", "x-originating-ip:", "arc-seal:", NULL };
  /* a field name is short and starts with a letter: most lines are ruled out at once */
  const char *colon = len && g_ascii_isalpha (s[0]) ? memchr (s, ':', MIN (len, 27)) : NULL;
  if (colon == NULL)
    return FALSE;
  for (guint i = 0; names[i]; i++)
    if (g_ascii_tolower (s[0]) == names[i][0] && ci_prefix (s, len, names[i]))
      return TRUE;
  return FALSE;
}

/* A line that introduces the returned message: "----- Original message -----",
 * "------ This is a copy of the message, including all the headers. ------",
 * "--- Below this line is a copy of the message.", "Message headers follow.". A run of
 * dashes or an ending that points at what follows marks it as a separator, so that
 * "The original message was received at ..." (Sendmail's first line) is not one. */
static gboolean
is_original_separator (const char *s, gsize len)
{
  static const char *const what[] = {
    "original message", "copy of the message", "copy of the original", "copy of your message",
    "unsent message", "message headers follow", "header of the original", "original mail",
    "returned message", "undelivered message", "headers of the original", NULL };
  gsize i = 0, dashes = 0;
  gboolean found = FALSE, points = FALSE;
  if (len > 100 || memchr (s, '@', len))
    return FALSE;
  while (i < len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  while (i < len && (s[i] == '-' || s[i] == '=' || s[i] == '*' || s[i] == '_'))
    i++, dashes++;
  /* every phrase names a "message" or an "original" */
  if (!ci_find (s + i, len - i, "message") && !ci_find (s + i, len - i, "original"))
    return FALSE;
  for (guint k = 0; what[k] && !found; k++)
    found = ci_find (s + i, len - i, what[k]) != NULL;
  if (!found)
    return FALSE;
  while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '.'))
    len--;
  points = (len > i && s[len - 1] == ':') || (len - i >= 6 && ci_prefix (s + len - 6, 6, "follow"))
           || (len - i >= 7 && ci_prefix (s + len - 7, 7, "follows")) || (len - i >= 9 && ci_prefix (s + len - 9, 9, "following"));
  return dashes >= 2 || points;
}

/* Splits the notice into lines and drops the returned original: a separator line, or a
 * block of at least three header lines with a From: or Received: among them (two for
 * Received/Return-Path), starts it. */
static GArray *
notice_lines (const char *text, char **orig_to)
{
  gsize tlen = strlen (text);
  const char *s = text, *tend = text + tlen;
  guint n_lines = 0, cut = G_MAXUINT;
  GArray *lines;
  /* sized once: a line is counted, then written in place */
  for (const char *q = s; q < tend; n_lines++)
    {
      const char *nl = memchr (q, '\n', (gsize) (tend - q));
      q = nl ? nl + 1 : tend;
    }
  lines = g_array_sized_new (FALSE, FALSE, sizeof (Line), n_lines);
  g_array_set_size (lines, n_lines);
  for (guint k = 0; k < n_lines; k++)
    {
      const char *nl = memchr (s, '\n', (gsize) (tend - s));
      Line *l = &g_array_index (lines, Line, k);
      l->s = s;
      l->len = nl ? (gsize) (nl - s) : (gsize) (tend - s);
      if (l->len && s[l->len - 1] == '\r')
        l->len--;
      s = nl ? nl + 1 : tend;
    }
  for (guint i = 0; i < lines->len; i++)
    {
      Line *l = &g_array_index (lines, Line, i);
      guint n = 0, j = i;
      gboolean origin = FALSE;
      if (cut == G_MAXUINT && l->len && is_original_separator (l->s, l->len))
        {
          cut = i;
          continue;
        }
      if (!is_header_line (l->s, l->len))
        continue;
      while (j < lines->len)
        {
          Line *m = &g_array_index (lines, Line, j);
          if (is_header_line (m->s, m->len))
            {
              n++;
              origin |= ci_prefix (m->s, m->len, "from:") || ci_prefix (m->s, m->len, "received:")
                        || ci_prefix (m->s, m->len, "return-path:") || ci_prefix (m->s, m->len, "message-id:");
            }
          else if (!(m->len && (m->s[0] == ' ' || m->s[0] == '\t')))
            break;
          j++;
        }
      if ((n >= 3 && origin) || (n >= 2 && (ci_prefix (l->s, l->len, "received:") || ci_prefix (l->s, l->len, "return-path:"))))
        {
          for (guint k = i; orig_to && *orig_to == NULL && k < j; k++)
            {
              Line *m = &g_array_index (lines, Line, k);
              if (ci_prefix (m->s, m->len, "to:"))
                *orig_to = address_in (m->s + 3, m->len - 3);
            }
          if (cut == G_MAXUINT)
            cut = i;
          break;
        }
      i = j > i ? j - 1 : i;
    }
  if (cut != G_MAXUINT)
    g_array_set_size (lines, cut);
  return lines;
}

typedef struct {
  char  *address;
  guint  line;      /* first line of its block */
} TextRcpt;

static gboolean
same_address (const char *a, const char *b)
{
  return a && b && g_ascii_strcasecmp (a, b) == 0;
}

/* Recipients of a notice that is no RFC 3464 report: addresses that begin a line (qmail,
 * Exim, Sendmail, Exchange, Courier, Postfix without DSN) or follow RCPT TO. */
static GArray *
text_recipients (GArray *lines, const char *sender, const char *from)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (TextRcpt));
  for (guint i = 0; i < lines->len && out->len < MAX_RECIPIENTS; i++)
    {
      Line *l = &g_array_index (lines, Line, i);
      const char *s = l->s;
      gsize len = l->len, st, al;
      const char *rcpt;
      char *addr = NULL;

      gboolean own_line = FALSE;

      while (len && (*s == ' ' || *s == '\t' || *s == '*' || *s == '-' || *s == '>'))
        s++, len--;
      /* "554 <a@b>... 550 Host unknown": Sendmail's line about one recipient */
      if (len > 5 && g_ascii_isdigit (s[0]) && g_ascii_isdigit (s[1]) && g_ascii_isdigit (s[2])
          && s[3] == ' ' && s[4] == '<')
        s += 4, len -= 4;
      if ((rcpt = ci_find (s, len, "rcpt to:")) != NULL)
        {
          gsize off = (gsize) (rcpt - s) + 8;
          if (find_address (rcpt + 8, len - off, &st, &al))
            addr = g_strndup (rcpt + 8 + st, al);
        }
      else if (len && find_address (s, len, &st, &al))
        {
          gsize k = 0;
          while (k < st && (s[k] == '<' || s[k] == '"' || s[k] == '\''))
            k++;
          if (k == st)
            {
              /* the address begins the line */
              gsize e = st + al;
              addr = g_strndup (s + st, al);
              while (e < len && (s[e] == '>' || s[e] == '"' || s[e] == '\''))
                e++;
              /* "a@b:" alone on its line heads the error text for a@b (qmail, Exim) */
              own_line = e < len && s[e] == ':' && e + 1 == len;
            }
          /* "A message sent by\n\n  <a@b>\n\ncould not be delivered": the address
           * ends a sentence about the sender */
          for (guint p = i; addr && p-- > 0;)
            {
              Line *m = &g_array_index (lines, Line, p);
              gsize ml = m->len;
              while (ml && g_ascii_isspace (m->s[ml - 1]))
                ml--;
              if (ml == 0)
                continue;
              if ((ml >= 3 && ci_prefix (m->s + ml - 3, 3, " by")) || (ml >= 5 && ci_prefix (m->s + ml - 5, 5, " from")))
                g_clear_pointer (&addr, g_free);
              break;
            }
        }
      if (addr == NULL)
        continue;
      /* the notice's addressee is the sender, unless the notice heads an error with the
       * address: a message one sent to oneself */
      if ((same_address (addr, sender) && !own_line) || same_address (addr, from))
        {
          g_free (addr);
          continue;
        }
      {
        gboolean dup = FALSE;
        for (guint k = 0; k < out->len; k++)
          if (same_address (g_array_index (out, TextRcpt, k).address, addr))
            dup = TRUE;
        if (dup)
          {
            g_free (addr);
            continue;
          }
      }
      {
        TextRcpt r = { addr, i };
        g_array_append_val (out, r);
      }
    }
  return out;
}

static char *
lines_text (GArray *lines, guint from, guint to)
{
  GString *s = g_string_new (NULL);
  for (guint i = from; i < to && i < lines->len && s->len < BLOCK_LIMIT; i++)
    {
      Line *l = &g_array_index (lines, Line, i);
      g_string_append_len (s, l->s, (gssize) l->len);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

/* In a line of Sendmail's that sums up a recipient or a host ("554 <a@b>... text",
 * "550 5.1.1 <a@b>... text", "421 mx.example.net (smtp)... Deferred"), where what it is
 * about begins, after the codes; NULL for other lines. */
static const char *
summary_target (const char *p)
{
  const char *q;
  if (!(g_ascii_isdigit (p[0]) && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) && p[3] == ' '))
    return NULL;
  q = p + 4;
  if ((q[0] == '2' || q[0] == '4' || q[0] == '5') && q[1] == '.')
    {
      /* an enhanced code after the reply code */
      q += 2;
      while (g_ascii_isdigit (*q) || *q == '.')
        q++;
      if (*q != ' ')
        return NULL;
      q++;
    }
  return q;
}

/* Whether a line of a Sendmail transcript begins the part about another host: "While
 * talking to mx.example.net:" or the line that sums up a host, "550 mx.example.net
 * (smtp)... Host unknown". */
static gboolean
opens_host_part (const char *s, gsize len)
{
  const char *q, *end = s + len;
  while (s < end && (*s == ' ' || *s == '\t' || *s == '.'))
    s++;
  if (ci_prefix (s, (gsize) (end - s), "while talking to "))
    return TRUE;
  q = (gsize) (end - s) > 4 ? summary_target (s) : NULL;
  if (q == NULL || q >= end || *q == '<')
    return FALSE;
  while (q < end && (g_ascii_isalnum (*q) || *q == '.' || *q == '-'))
    q++;
  if (q + 2 > end || q[0] != ' ' || q[1] != '(')
    return FALSE;
  for (q += 2; q < end && g_ascii_isalnum (*q); q++)
    ;
  return (gsize) (end - q) >= 4 && strncmp (q, ")...", 4) == 0;
}

/* Where the block of lines[from..to) about address ends in a Sendmail transcript: Sendmail
 * writes a host's session, then the lines that sum up its recipients, so once the
 * recipient's own line has been read, a line that opens another host's part begins what
 * is not about it. */
static guint
transcript_end (GArray *lines, guint from, guint to, const char *address)
{
  gsize al = address ? strlen (address) : 0;
  gboolean summed = FALSE;
  for (guint i = from; al && i < to && i < lines->len; i++)
    {
      Line *l = &g_array_index (lines, Line, i);
      const char *p = l->s, *end = l->s + l->len, *q;
      if (summed && opens_host_part (l->s, l->len))
        return i;
      while (p < end && (*p == ' ' || *p == '\t'))
        p++;
      q = (gsize) (end - p) > 4 ? summary_target (p) : NULL;
      if (q && (gsize) (end - q) > al + 2 && q[0] == '<' && ci_equal (q + 1, address, al)
          && q[1 + al] == '>')
        summed = TRUE;
    }
  return to;
}

/* Sendmail sums up each recipient in a line of its own, "554 <a@b>... 550 Host unknown" or
 * "550 5.1.1 <a@b>... User unknown": the leading code is Sendmail's, and so is the text
 * when the transcript quotes the remote reply ("<<< 553 ..."), which is then the one to
 * read. Sendmail writes the transcript of a host's session before the lines that sum up
 * its recipients, so only a quoted reply above the line (or in text that stood above the
 * block: quoted_above) is this recipient's; one below it is from the session with the next
 * host. Without a quoted reply, only the local code is blanked out (in place), so that a
 * remote reply after the dots is read. */
static void
drop_local_codes (char *text, const char *address, gboolean quoted_above)
{
  gsize al = address ? strlen (address) : 0;
  const char *first_quote = strstr (text, "<<< ");
  for (char *l = text; al && l && *l; l = strchr (l, '\n'), l = l ? l + 1 : NULL)
    {
      gboolean quoted = quoted_above || (first_quote && first_quote < l);
      const char *q;
      char *p = l;
      while (*p == ' ' || *p == '\t')
        p++;
      q = summary_target (p);
      if (!(q && q[0] == '<' && ci_equal (q + 1, address, al) && q[1 + al] == '>'
            && strncmp (q + 2 + al, "...", 3) == 0))
        continue;
      if (quoted)
        {
          char *e = strchr (p, '\n');
          memset (p, ' ', e ? (gsize) (e - p) : strlen (p));
        }
      else if (q == p + 4)
        memset (p, ' ', 3);
    }
}

/* The block of the notice that concerns address: from the line that names it to the next
 * line that names another recipient (at its start, or anywhere when others lists the
 * report's other recipients, as the fields of a report written into the text do). */
static char *
block_for (GArray *lines, const char *address, GPtrArray *others)
{
  for (guint i = 0; address && i < lines->len; i++)
    {
      Line *l = &g_array_index (lines, Line, i);
      if (ci_find (l->s, l->len, address))
        {
          guint j = i + 1;
          while (j < lines->len && j < i + 40)
            {
              Line *m = &g_array_index (lines, Line, j);
              gsize st, al;
              gboolean other = FALSE;
              if (m->len && find_address (m->s, m->len, &st, &al) && !ci_find (m->s, m->len, address))
                {
                  other = st < 4;
                  for (guint k = 0; !other && others && k < others->len; k++)
                    other = !same_address (others->pdata[k], address) && ci_find (m->s, m->len, others->pdata[k]);
                }
              if (other)
                break;
              j++;
            }
          return lines_text (lines, i, transcript_end (lines, i, j, address));
        }
    }
  return NULL;
}

/* ---- verdicts ----------------------------------------------------------------------------- */

/* The pseudo status code the established bounce processors give a reason when the report
 * states no enhanced code: class digit, then 0, then a number per reason. */
static const struct { const char *reason; int number; } pseudo_status[] = {
  { "undefined", 900 }, { "onhold", 901 }, { "syntaxerror", 902 }, { "norelaying", 909 },
  { "filtered", 910 }, { "userunknown", 911 }, { "hostunknown", 912 }, { "hasmoved", 916 },
  { "rejected", 918 }, { "suspend", 921 }, { "mailboxfull", 922 }, { "exceedlimit", 923 },
  { "systemerror", 930 }, { "systemfull", 931 }, { "notaccept", 932 }, { "mesgtoobig", 934 },
  { "mailererror", 939 }, { "networkerror", 944 }, { "toomanyconn", 945 }, { "expired", 947 },
  { "contenterror", 960 }, { "securityerror", 970 }, { "blocked", 971 }, { "virusdetected", 971 },
  { "policyviolation", 972 }, { "requireptr", 973 }, { "authfailure", 974 }, { "badreputation", 975 },
  { "spamdetected", 980 }, { "speeding", 946 },
};

static char *
pseudo_status_for (const char *reason, char klass)
{
  for (guint i = 0; i < G_N_ELEMENTS (pseudo_status); i++)
    if (g_str_equal (pseudo_status[i].reason, reason))
      return g_strdup_printf ("%c.0.%d", klass, pseudo_status[i].number);
  return g_strdup_printf ("%c.0.0", klass);
}

static gboolean
hard_reason (const char *reason, char klass)
{
  return g_str_equal (reason, "userunknown") || g_str_equal (reason, "hostunknown")
         || g_str_equal (reason, "hasmoved") || (g_str_equal (reason, "notaccept") && klass == '5');
}

static gboolean
status_ok (const char *s)
{
  guint c, sub, det;
  return s && *s && _smtpcodes_parse_status (s, strlen (s), FALSE, &c, &sub, &det)
         && (c == 2 || c == 4 || c == 5);
}

/* The first enhanced status code in s, if any. */
static char *
first_status (const char *s)
{
  if (s == NULL)
    return NULL;
  for (const char *p = s; *p; p++)
    {
      if ((*p == '2' || *p == '4' || *p == '5') && p[1] == '.' && (p == s || !g_ascii_isalnum (p[-1])))
        {
          const char *q = p + 2;
          gsize n;
          while (g_ascii_isdigit (*q))
            q++;
          if (q == p + 2 || *q != '.' || !g_ascii_isdigit (q[1]))
            continue;
          q++;
          while (g_ascii_isdigit (*q))
            q++;
          if (g_ascii_isalnum (*q) || (*q == '.' && g_ascii_isdigit (q[1])))
            continue;
          n = (gsize) (q - p);
          if (n < 16)
            {
              char *st = g_strndup (p, n);
              if (status_ok (st))
                return st;
              g_free (st);
            }
        }
    }
  return NULL;
}

/* whether s holds an enhanced status code */
static gboolean
has_status (const char *s)
{
  char *st = first_status (s);
  g_free (st);
  return st != NULL;
}

/* x.y.z with subject and detail of one non-zero digit each (5.7.1, 4.2.2): precise
 * enough to stand for the reason on its own */
static gboolean
precise_status (const char *s)
{
  return s && (s[0] == '4' || s[0] == '5') && s[1] == '.' && s[2] >= '1' && s[2] <= '9' && s[3] == '.'
         && s[4] >= '1' && s[4] <= '9' && s[5] == '\0';
}

/* whether the report's own Diagnostic-Code quotes status (not only the notice's text) */
static gboolean
diag_has (const char *diag, const char *status)
{
  return diag && strstr (diag, status) != NULL;
}

/* What classify() reads for one recipient. */
typedef struct {
  const char *text;          /* the diagnostic text handed to the reply parser */
  const char *dsn_status;    /* the report's Status field, or NULL */
  const char *diag;          /* the report's own Diagnostic-Code, or NULL */
  const char *diag_type;     /* its type ("smtp", "x-unix"), or NULL */
  const char *notice;        /* the notice's text about the recipient, when text is the
                              * Diagnostic-Code alone: it may say which command failed */
  char        fallback_class;
  gboolean    prose;         /* a notice without report fields */
  gboolean    exim;          /* written by Exim (X-Failed-Recipients, Exim's wording) */
  gboolean    silent;        /* the notice names the recipient but says nothing about it */
} Evidence;

/* Where the verdict's reason came from. */
typedef enum {
  FROM_NOTHING,   /* no entry and no wording */
  FROM_REPLY,     /* only the generic meaning of a basic reply code (550, 554) */
  FROM_GENERIC,   /* only the generic meaning of a status code (5.7.1, X.3.0) */
  FROM_WORDING,   /* a text pattern */
  FROM_RULE,      /* a rule of this file on the structure (the command, the report type) */
  FROM_CODE       /* a precise code's entry (5.1.1, 5.2.2) */
} Source;

/* wording this strong (see the priority scale of wording.codes) names the cause outright */
#define STRONG_WORDING 19
/* wording below this is a vague wrapper or catch-all word */
#define WEAK_WORDING 10

static gboolean
is_reason (const char *a, const char *b)
{
  return a && b && g_str_equal (a, b);
}

static gboolean
is_command (const char *cmd, const char *name)
{
  return cmd && g_ascii_strcasecmp (cmd, name) == 0;
}

/* A reply code counts only when the standard modules know it: "522", "426" or "542" are
 * no SMTP replies but a mail system's own numbers, and are dropped. */
static gboolean
known_reply_code (SmtpcodesRegistry *reg, int code)
{
  GPtrArray *list = g_hash_table_lookup (reg->index, GUINT_TO_POINTER (KEY_REPLY (code)));
  for (guint i = 0; list && i < list->len; i++)
    {
      const SmtpcodesEntry *e = list->pdata[i];
      if (e->module->rank == KIND_STANDARD)
        return TRUE;
    }
  return FALSE;
}

/* Whether a notice's text calls the failure temporary, in the words of the status classes
 * (RFC 3463: "persistent transient failure"), for a pseudo status when no code is given. */
static gboolean
says_temporary (const char *text)
{
  gsize len = text ? strlen (text) : 0;
  return len && (ci_find (text, len, "temporary failure") || ci_find (text, len, "temporary problem")
                 || ci_find (text, len, "transient failure"))
         && !ci_find (text, len, "permanent failure") && !ci_find (text, len, "failed permanently");
}

/* "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed
 * out>": a reporting MTA's summary that quotes, in angle brackets, the last reply of the
 * remote server. Finds that inner reply's code and status. */
static gboolean
inner_reply (const char *text, int *code, char **status)
{
  for (const char *p = text ? strchr (text, '<') : NULL; p; p = strchr (p + 1, '<'))
    if ((p[1] == '4' || p[1] == '5') && g_ascii_isdigit (p[2]) && g_ascii_isdigit (p[3]) && p[4] == ' '
        && p[5] == p[1] && p[6] == '.')
      {
        char *st = first_status (p + 5);
        if (st && g_str_has_prefix (p + 5, st))
          {
            *code = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
            *status = st;
            return TRUE;
          }
        g_free (st);
      }
  return FALSE;
}

/* Whether block, the notice's text about address, says anything besides naming it
 * ("   * a@b" in a bare list does not). */
static gboolean
says_something (const char *block, const char *address)
{
  const char *at = block && address ? strstr (block, address) : NULL;
  gsize al = address ? strlen (address) : 0;
  for (const char *p = block; p && *p; p++)
    {
      if (p == at)
        {
          p += al - 1;
          continue;
        }
      if (g_ascii_isalnum (*p) || (guchar) *p >= 0x80)
        return TRUE;
    }
  return FALSE;
}

/* Fills in reply code, command, remote host, verdict, reason, status of r from the
 * evidence: the diagnostic text and the status the report gave. */
static void
classify (SmtpcodesRegistry *reg, SmtpcodesRecipient *r, const Evidence *ev)
{
  GError *error = NULL;
  SmtpcodesReply *parsed = NULL, *reply;
  const SmtpcodesEntry *entry, *pattern;
  const char *text = ev->text, *reason, *worded;
  char *status = NULL;
  char klass;
  int code = 0;
  gboolean delayed = r->action && g_str_equal (r->action, "delayed");
  gboolean exim = ev->exim, vague;
  Source src;

  if (text && *text)
    {
      gsize tl = strlen (text);
      parsed = smtpcodes_registry_parse_reply (reg, text, (gssize) MIN (tl, BLOCK_LIMIT), &error);
      g_clear_error (&error);
    }
  if (parsed)
    {
      code = smtpcodes_reply_get_code (parsed);
      if (smtpcodes_reply_get_command (parsed) && r->command == NULL)
        r->command = g_strdup (smtpcodes_reply_get_command (parsed));
      if (smtpcodes_reply_get_remote_host (parsed) && r->remote_mta == NULL)
        r->remote_mta = g_strdup (smtpcodes_reply_get_remote_host (parsed));
      exim |= g_str_equal (smtpcodes_reply_get_context (parsed), "exim");
    }
  if (ev->diag && *after_type (ev->diag) && text && strlen (text) > strlen (ev->diag))
    {
      /* text is the Diagnostic-Code followed by the notice's transcript: the report's own
       * field names the reply that decided, whatever other attempts the transcript shows */
      char *dv = squeeze (after_type (ev->diag));
      SmtpcodesReply *dp = smtpcodes_registry_parse_reply (reg, dv, (gssize) MIN (strlen (dv), BLOCK_LIMIT), NULL);
      int dc = dp ? smtpcodes_reply_get_code (dp) : 0;
      if (dc >= 400 && known_reply_code (reg, dc))
        code = dc;
      g_clear_pointer (&dp, smtpcodes_reply_unref);
      g_free (dv);
    }
  if (r->command == NULL && ev->notice && *ev->notice)
    {
      /* the notice says which command the reply answered ("(in reply to MAIL FROM
       * command)") when the report's Diagnostic-Code does not */
      gsize nl = strlen (ev->notice);
      SmtpcodesReply *np = smtpcodes_registry_parse_reply (reg, ev->notice, (gssize) MIN (nl, BLOCK_LIMIT), NULL);
      if (np && smtpcodes_reply_get_command (np))
        r->command = g_strdup (smtpcodes_reply_get_command (np));
      g_clear_pointer (&np, smtpcodes_reply_unref);
    }
  if (code != 0 && !known_reply_code (reg, code))
    code = 0;
  /* the report's own status wins unless the quoted reply names a precise one (subject and
   * detail both set, as in 5.7.1): the remote server's own code is then the better
   * evidence, and a vague or generic Status field (5.0.0, or 5.1.1 written by a relay
   * for every refusal) only repeats the class; a Status of the other failure class than
   * the quoted reply is no account of that reply either */
  if (status_ok (ev->dsn_status))
    status = g_strdup (ev->dsn_status);
  {
    const char *quoted = parsed ? smtpcodes_reply_get_enhanced (parsed) : NULL;
    char *found = NULL;
    int icode = 0;
    if (inner_reply (ev->diag ? ev->diag : text, &icode, &found) && known_reply_code (reg, icode))
      code = icode, quoted = found;
    else
      g_clear_pointer (&found, g_free);
    if (quoted == NULL)
      quoted = found = first_status (text);
    if (quoted && (status == NULL
                   || (precise_status (quoted) && (!precise_status (status) || diag_has (ev->diag, quoted)))
                   || (g_str_has_suffix (status, ".0.0") && status[0] == quoted[0])
                   || (code != 0 && status[0] != quoted[0] && quoted[0] == '0' + code / 100)))
      {
        g_free (status);
        status = g_strdup (quoted);
      }
    g_free (found);
  }
  /* "delivery time expired" (X.4.7) says only that the queue time ran out; the notice's
   * history of attempts names what kept failing, and its precise status is the better
   * account ("returned '441 4.4.1 Error ... Failed to connect'") */
  if (status && g_str_equal (status + 1, ".4.7") && ev->notice)
    {
      char *last = NULL;
      for (const char *q = ev->notice; q && *q && last == NULL;)
        {
          char *st = first_status (q);
          const char *at = st ? strstr (q, st) : NULL;
          if (st && at && st[0] == '4' && precise_status (st) && !g_str_equal (st + 1, ".4.7"))
            last = st;
          else
            g_free (st);
          q = at ? at + 1 : NULL;
        }
      if (last)
        {
          g_free (status);
          status = last;
        }
    }
  /* a reply code of another class than the status is not the reply that decided (a
   * 4xx attempt quoted in a notice that finally failed, a 2xx greeting) */
  if (code != 0 && status && status[0] != '0' + code / 100)
    code = 0;
  reply = smtpcodes_reply_new (code, status, text ? text : "", r->command, r->remote_mta, &error);
  if (reply == NULL)
    {
      g_clear_error (&error);
      reply = smtpcodes_reply_new (code, NULL, "", r->command, NULL, NULL);
    }
  r->verdict = smtpcodes_registry_explain (reg, reply, NULL);
  smtpcodes_reply_unref (reply);
  g_clear_pointer (&parsed, smtpcodes_reply_unref);
  r->reply_code = code;

  /* the verdict's reason, and what it rests on */
  reason = smtpcodes_verdict_get_reason (r->verdict);
  if (reason == NULL)
    reason = "undefined";
  entry = smtpcodes_verdict_get_entry (r->verdict);
  pattern = smtpcodes_verdict_get_pattern (r->verdict);
  worded = pattern ? smtpcodes_entry_get_reason (pattern) : NULL;
  if (entry && !entry->generic && is_reason (reason, smtpcodes_entry_get_reason (entry)))
    src = FROM_CODE;
  else if (pattern && is_reason (reason, worded))
    src = FROM_WORDING;
  else if (entry)
    src = entry->kind == SMTPCODES_ENTRY_REPLY ? FROM_REPLY : FROM_GENERIC;
  else
    src = FROM_NOTHING;
  if (src == FROM_REPLY || src == FROM_NOTHING)
    reason = "undefined";   /* a bare 550 or 554 says nothing about the cause */
  /* a temporary "other or undefined" status of a subject (4.3.0, 4.4.0, 4.7.0) names a
   * field, not a cause */
  if (src == FROM_GENERIC && status && status[0] == '4' && g_str_has_suffix (status, ".0") && strlen (status) == 5)
    reason = "undefined", src = FROM_NOTHING;
  klass = status ? status[0] : code ? (char) ('0' + code / 100) : ev->fallback_class;
  if (delayed)
    klass = '4';

  /* A code for a bad address (5.1.1, 5.4.4) is what many servers answer to every refusal
   * at RCPT TO, and qmail appends "(#5.1.1)" to its own messages; wording that names
   * another cause outright is the better account. */
  if (src == FROM_CODE && (is_reason (reason, "userunknown") || is_reason (reason, "hostunknown"))
      && worded && !is_reason (worded, reason) && pattern->priority >= STRONG_WORDING)
    reason = worded, src = FROM_WORDING;
  /* A basic reply code without an enhanced one is coarse ("500" for any refusal a server
   * reports as a syntax error): wording that names the cause outright is better evidence. */
  if (src == FROM_CODE && entry->kind == SMTPCODES_ENTRY_REPLY && entry->status == NULL && status == NULL
      && worded && !is_reason (worded, reason) && pattern->priority >= STRONG_WORDING)
    reason = worded, src = FROM_WORDING;
  /* A refusal of the connection itself (greeting, HELO/EHLO) that names no cause (or only
   * vaguely) is a block of the connecting host; one of MAIL FROM is a refusal of the
   * sender. */
  vague = src < FROM_WORDING || (src == FROM_WORDING && pattern && pattern->priority < WEAK_WORDING);
  if (vague && (is_command (r->command, "CONNECT") || is_command (r->command, "EHLO")
                || is_command (r->command, "HELO")))
    reason = "blocked", src = FROM_RULE;
  if (vague && is_command (r->command, "MAIL"))
    reason = "rejected", src = FROM_RULE;
  /* "No such user" is a verdict on the address when the status code says so (X.1.1) or
   * it answered RCPT TO, where servers check addresses. In answer to DATA, under a policy
   * status (X.7.Y) or one that says the mailbox exists but refuses (X.2.Y), or quoted in a
   * prose notice as a bare reply that gives neither a status nor the command, it is a
   * filter's refusal after the message was seen. */
  if (is_reason (reason, "userunknown") && src != FROM_CODE && !is_command (r->command, "RCPT")
      && (is_command (r->command, "DATA")
          || (status && status[1] == '.' && (status[2] == '7' || status[2] == '2') && status[3] == '.')
          || (ev->prose && status == NULL && code != 0)))
    reason = "filtered";
  /* A server that refuses an address while it checks recipients names it ("<a@b>: User
   * unknown", "a@b... No such user"). The same words in a report's Diagnostic-Code that
   * names neither the address, nor the command, nor a status of a bad address (X.1.Y)
   * have nothing to tie them to the address: a filter refused the message (KDDI's au
   * answers "550 : User unknown", the address left out, when the recipient's settings
   * refuse the sender). */
  if (is_reason (reason, "userunknown") && src == FROM_WORDING && pattern->priority >= STRONG_WORDING
      && !ev->prose && ev->diag && r->address && r->command == NULL
      && !(status && precise_status (status) && status[2] == '1')
      && !ci_find (ev->diag, strlen (ev->diag), r->address))
    reason = "filtered";
  /* a program at the receiving end (a pipe, a local delivery agent: Diagnostic-Code type
   * X-Unix) failed, and no code or wording says more */
  if ((src < FROM_WORDING || (src == FROM_WORDING && pattern && pattern->priority < STRONG_WORDING))
      && ev->diag_type && g_ascii_strcasecmp (ev->diag_type, "x-unix") == 0)
    reason = "mailererror", src = FROM_RULE;
  /* "no answer from host" (X.4.1) on a recipient that kept failing: the message expired in
   * the queue while the host stayed unreachable, unless the wording names a network fault */
  if (klass == '4' && is_reason (reason, "networkerror") && src == FROM_CODE && status
      && g_str_equal (status + 1, ".4.1") && !is_reason (worded, "networkerror"))
    reason = "expired";
  /* a network fault (X.4.x) on a recipient given up, where the notice says the message
   * expired: the queue time ran out while the fault lasted */
  if (klass == '4' && !delayed && is_reason (reason, "networkerror") && src == FROM_CODE
      && is_reason (worded, "expired"))
    reason = "expired";
  /* a delay without a more precise cause */
  if (delayed && (src < FROM_WORDING || is_reason (reason, "undefined")))
    reason = "expired";
  /* a failure that neither the code nor the wording explains: the outcome for this
   * address is not known (the established processors' "onhold") */
  if (is_reason (reason, "undefined") && text && *text && !ev->silent && klass != '2')
    reason = "onhold";
  if (r->action && (g_str_equal (r->action, "delivered") || g_str_equal (r->action, "relayed")
                    || g_str_equal (r->action, "expanded")))
    reason = "delivered";
  else if (klass == '2')
    reason = "delivered";
  r->reason = reason;

  if (status == NULL)
    {
      /* no code stated: the pseudo status of the established processors. Its class is
       * temporary when the notice says so, and for Exim's expiries and full mailboxes,
       * which Exim gives up on after temporary failures. Exim lists an address as failed
       * when the sender was refused at MAIL FROM, so the address itself was never tried:
       * its own status is "on hold", while the reason says why the message was refused. */
      if (code == 0 && klass == '5'
          && (says_temporary (text) || (exim && (is_reason (reason, "expired") || is_reason (reason, "mailboxfull")))))
        klass = '4';
      if (exim && is_command (r->command, "MAIL"))
        status = pseudo_status_for ("onhold", klass == '4' ? '4' : '5');
      else
        status = pseudo_status_for (reason, klass == '2' ? '2' : klass == '4' ? '4' : '5');
    }
  r->status = status;
  r->hard = hard_reason (reason, klass);
  r->retry = smtpcodes_verdict_get_retry (r->verdict) && !r->hard;
}

/* ---- the message -------------------------------------------------------------------------- */

static gboolean
value_is (const char *v, const char *prefix)
{
  while (v && g_ascii_isspace (*v))
    v++;
  return v && ci_prefix (v, strlen (v), prefix);
}

static gboolean
looks_daemon (const char *from)
{
  static const char *const who[] = { "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon",
                                     "mail delivery", "maildeliverysystem", "bounce", "daemon", NULL };
  if (from == NULL)
    return FALSE;
  for (guint i = 0; who[i]; i++)
    if (ci_find (from, strlen (from), who[i]))
      return TRUE;
  return FALSE;
}

/* The subjects that mail systems give their failure notices; a gateway with a personal
 * sender name ("MMSC NDR Administrator") still names its notice so. */
static gboolean
looks_bounce_subject (const char *subject)
{
  static const char *const words[] = { "undeliverable", "undelivered", "delivery failure", "delivery failed",
                                       "failure notice", "returned mail", "delivery status notification",
                                       "non-delivery", "nondeliverable", "not delivered", "could not be delivered",
                                       "mail system error", NULL };
  gsize len = subject ? strlen (subject) : 0;
  for (guint i = 0; len && words[i]; i++)
    if (ci_find (subject, len, words[i]))
      return TRUE;
  return FALSE;
}

/* A person's forward or reply (which may attach a message too) */
static gboolean
looks_forward (const char *subject)
{
  while (subject && g_ascii_isspace (*subject))
    subject++;
  return subject && (ci_prefix (subject, strlen (subject), "fwd:") || ci_prefix (subject, strlen (subject), "fw:")
                     || ci_prefix (subject, strlen (subject), "re:") || ci_prefix (subject, strlen (subject), "wg:")
                     || ci_prefix (subject, strlen (subject), "aw:"));
}

/* RFC 3834 and the headers mail programs use instead: an automatic answer, such as a
 * vacation notice, says so in its header (or in a fixed subject prefix) */
static gboolean
looks_autoreply (const Head *h)
{
  static const char *const prefixes[] = { "auto:", "auto response:", "automatic reply:", "autoreply:",
                                          "out of office:", "out of the office:", NULL };
  const char *suppress = h->response_suppress, *subject = h->subject;
  if (value_is (h->auto_submitted, "auto-replied") || h->x_autoreply || h->x_autorespond
      || value_is (h->precedence, "auto_reply") || value_is (h->apple_action, "vacation"))
    return TRUE;
  if (suppress && (ci_find (suppress, strlen (suppress), "oof") || ci_find (suppress, strlen (suppress), "autoreply")
                   || ci_find (suppress, strlen (suppress), "all")))
    return TRUE;
  while (subject && g_ascii_isspace (*subject))
    subject++;
  for (guint i = 0; subject && prefixes[i]; i++)
    if (ci_prefix (subject, strlen (subject), prefixes[i]))
      return TRUE;
  return FALSE;
}

static void
report_add (SmtpcodesReport *rep, SmtpcodesRecipient *r)
{
  r->report = rep;
  g_ptr_array_add (rep->recipients, r);
}

/* ---- JSON notifications (Amazon SES through SNS) --------------------------------------- */

/* Just enough JSON for the notifications a sending service mails as text: objects, arrays,
 * strings; other values are kept as their raw text. Depth and size are bounded by the
 * caller's text, which is at most TEXT_LIMIT. */
typedef struct _JNode JNode;
struct _JNode {
  char       type;    /* 'o' object, 'a' array, 's' string, 'v' other value */
  char      *key;     /* member name inside an object */
  char      *str;     /* 's' and 'v' */
  GPtrArray *kids;    /* 'o' and 'a' */
};

static void
jnode_free (gpointer data)
{
  JNode *n = data;
  if (n == NULL)
    return;
  g_free (n->key);
  g_free (n->str);
  if (n->kids)
    g_ptr_array_unref (n->kids);
  g_free (n);
}

static void
json_skip (const char **p, const char *end)
{
  while (*p < end && g_ascii_isspace (**p))
    (*p)++;
}

static char *
json_string (const char **p, const char *end)
{
  GString *out = g_string_new (NULL);
  (*p)++;   /* the opening quote */
  while (*p < end && **p != '"')
    {
      char c = *(*p)++;
      if (c == '\\' && *p < end)
        {
          char e = *(*p)++;
          switch (e)
            {
            case 'n': g_string_append_c (out, '\n'); break;
            case 't': g_string_append_c (out, '\t'); break;
            case 'r': g_string_append_c (out, '\r'); break;
            case 'b': case 'f': g_string_append_c (out, ' '); break;
            case 'u':
              if (end - *p >= 4)
                {
                  char hex[5] = { (*p)[0], (*p)[1], (*p)[2], (*p)[3], 0 };
                  char *e2;
                  gunichar u = (gunichar) strtoul (hex, &e2, 16);
                  if (*e2 == '\0' && u && g_unichar_validate (u))
                    g_string_append_unichar (out, u);
                  *p += 4;
                }
              break;
            default: g_string_append_c (out, e); break;
            }
        }
      else
        g_string_append_c (out, c);
    }
  if (*p < end)
    (*p)++;   /* the closing quote */
  return g_string_free (out, FALSE);
}

/* Parses one value at *p; NULL on a syntax error (what was read before stays usable). */
static JNode *
json_value (const char **p, const char *end, int depth)
{
  JNode *n;
  json_skip (p, end);
  if (*p >= end || depth > 16)
    return NULL;
  n = g_new0 (JNode, 1);
  if (**p == '{' || **p == '[')
    {
      gboolean obj = **p == '{';
      char close = obj ? '}' : ']';
      n->type = obj ? 'o' : 'a';
      n->kids = g_ptr_array_new_with_free_func (jnode_free);
      (*p)++;
      for (;;)
        {
          char *key = NULL;
          JNode *kid;
          json_skip (p, end);
          if (*p < end && **p == close)
            {
              (*p)++;
              return n;
            }
          if (obj)
            {
              if (*p >= end || **p != '"')
                break;
              key = json_string (p, end);
              json_skip (p, end);
              if (*p >= end || **p != ':')
                {
                  g_free (key);
                  break;
                }
              (*p)++;
            }
          kid = json_value (p, end, depth + 1);
          if (kid == NULL)
            {
              g_free (key);
              break;
            }
          kid->key = key;
          g_ptr_array_add (n->kids, kid);
          json_skip (p, end);
          if (*p < end && **p == ',')
            (*p)++;
          else if (!(*p < end && **p == close))
            break;
        }
      return n;   /* cut short: keep what was read */
    }
  if (**p == '"')
    {
      n->type = 's';
      n->str = json_string (p, end);
      return n;
    }
  {
    const char *b = *p;
    while (*p < end && (g_ascii_isalnum (**p) || **p == '.' || **p == '-' || **p == '+'))
      (*p)++;
    if (*p == b)
      {
        jnode_free (n);
        return NULL;
      }
    n->type = 'v';
    n->str = g_strndup (b, (gsize) (*p - b));
    return n;
  }
}

static const JNode *
jget (const JNode *n, const char *key)
{
  for (guint i = 0; n && n->type == 'o' && i < n->kids->len; i++)
    {
      const JNode *k = n->kids->pdata[i];
      if (k->key && g_str_equal (k->key, key))
        return k;
    }
  return NULL;
}

static const char *
jstr (const JNode *n, const char *key)
{
  const JNode *k = jget (n, key);
  return k && k->type == 's' ? k->str : NULL;
}

/* The verdict of a recipient of an automatic message that is no bounce: the field that
 * marks the message (Auto-Submitted of RFC 3834, Feedback-Type of RFC 5965) is the text,
 * and the patterns of bounces.codes say what such a message means. */
static SmtpcodesVerdict *
notice_verdict (SmtpcodesRegistry *reg, const char *field)
{
  SmtpcodesReply *reply = smtpcodes_reply_new (0, NULL, field, NULL, NULL, NULL);
  SmtpcodesVerdict *v;
  if (reply == NULL)
    reply = smtpcodes_reply_new (0, NULL, "", NULL, NULL, NULL);
  v = smtpcodes_registry_explain (reg, reply, NULL);
  smtpcodes_reply_unref (reply);
  return v;
}

/* An Amazon SES notification ({"notificationType":"Bounce", ...}, or the SNS envelope
 * that carries it as a string in "Message"): one recipient per bounced, complained-about or
 * delivered address. Returns FALSE when text is no such notification. */
static gboolean
parse_ses_json (SmtpcodesReport *rep, const char *text)
{
  const char *p = text, *end = text + strlen (text);
  JNode *root, *inner = NULL;
  const JNode *n;
  const char *type;
  gboolean done = FALSE;

  json_skip (&p, end);
  if (p >= end || *p != '{' || strstr (p, "notificationType") == NULL)
    return FALSE;
  root = json_value (&p, end, 0);
  n = root;
  if (jstr (root, "Message") && jstr (root, "notificationType") == NULL)
    {
      const char *m = jstr (root, "Message"), *me = m + strlen (m);
      inner = json_value (&m, me, 0);
      n = inner;
    }
  type = jstr (n, "notificationType");
  if (type && (g_str_equal (type, "Bounce") || g_str_equal (type, "Delivery") || g_str_equal (type, "Complaint")))
    {
      gboolean bounce = g_str_equal (type, "Bounce"), complaint = g_str_equal (type, "Complaint");
      const JNode *sect = jget (n, bounce ? "bounce" : complaint ? "complaint" : "delivery");
      const JNode *list = jget (sect, bounce ? "bouncedRecipients" : complaint ? "complainedRecipients" : "recipients");
      const char *mta = jstr (sect, "reportingMTA");
      rep->format = "json";
      if (mta && rep->reporting_mta == NULL)
        rep->reporting_mta = g_strdup (after_type (mta));
      for (guint i = 0; list && list->type == 'a' && i < list->kids->len && rep->recipients->len < MAX_RECIPIENTS; i++)
        {
          const JNode *e = list->kids->pdata[i];
          SmtpcodesRecipient *r = g_new0 (SmtpcodesRecipient, 1);
          const char *addr = e->type == 's' ? e->str : jstr (e, "emailAddress");
          if (addr == NULL)
            {
              g_free (r);
              continue;
            }
          r->address = address_in (addr, strlen (addr));
          if (r->address == NULL)
            r->address = g_strdup (addr);
          if (complaint)
            {
              r->verdict = notice_verdict (rep->registry, "Feedback-Type: abuse");
              r->reason = "feedback";
              r->status = g_strdup ("");
              rep->kind = SMTPCODES_REPORT_FEEDBACK;
            }
          else
            {
              const char *diag = bounce ? jstr (e, "diagnosticCode") : jstr (sect, "smtpResponse");
              const char *st = bounce ? jstr (e, "status") : NULL;
              const char *action = bounce ? jstr (e, "action") : "delivered";
              r->action = g_ascii_strdown (action ? action : "failed", -1);
              if (diag && *diag)
                r->diagnostic = squeeze (after_type (diag));
              Evidence ev = { r->diagnostic, st, r->diagnostic, NULL, NULL, bounce ? '5' : '2', FALSE, FALSE, FALSE };
              classify (rep->registry, r, &ev);
            }
          report_add (rep, r);
        }
      done = TRUE;
    }
  jnode_free (inner);
  jnode_free (root);
  return done;
}

static void
parse_arf (SmtpcodesReport *rep, Parts *p)
{
  Dsn d = { NULL, g_ptr_array_new_with_free_func (dsn_rcpt_free) };
  SmtpcodesRecipient *r = g_new0 (SmtpcodesRecipient, 1);
  const char *s = p->arf->str;
  (void) d;
  g_ptr_array_unref (d.rcpts);
  /* Original-Rcpt-To names the recipient who complained */
  for (const char *l = s; l && *l; l = strchr (l, '\n'), l = l ? l + 1 : NULL)
    if (ci_prefix (l, strlen (l), "original-rcpt-to:") || (r->address == NULL && ci_prefix (l, strlen (l), "removal-recipient:")))
      {
        const char *e = strchr (l, '\n');
        g_free (r->address);
        r->address = address_in (l, e ? (gsize) (e - l) : strlen (l));
        break;
      }
  if (r->address == NULL && p->complained)
    r->address = g_strdup (p->complained);
  if (r->address == NULL && p->orig_to)
    r->address = g_strdup (p->orig_to);
  r->verdict = notice_verdict (rep->registry, "Feedback-Type: abuse");
  r->reason = "feedback";
  r->status = g_strdup ("");
  report_add (rep, r);
}

static void
parts_init (Parts *p, const Msg *m)
{
  memset (p, 0, sizeof *p);
  p->msg = m;
  p->text = g_string_new (NULL);
  p->html = g_string_new (NULL);
  p->dsn = g_string_new (NULL);
  p->arf = g_string_new (NULL);
}

static void
parts_clear (Parts *p)
{
  g_string_free (p->text, TRUE);
  g_string_free (p->html, TRUE);
  g_string_free (p->dsn, TRUE);
  g_string_free (p->arf, TRUE);
  g_free (p->orig_to);
  g_free (p->report_type);
  g_free (p->complained);
  g_clear_object (&p->inner_report);
}

/* Collects the parts of m into p (initialised here): read here when it is written
 * plainly, else from the tree GMime makes of it. FALSE when GMime makes nothing of it. */
static gboolean
parts_collect (Msg *m, Parts *p)
{
  GMimeObject *top;
  parts_init (p, m);
  if (light_collect (m, p))
    return TRUE;
  parts_clear (p);
  parts_init (p, m);
  top = msg_top (m);
  if (top == NULL)
    {
      parts_clear (p);
      return FALSE;
    }
  collect (top, p, 0);
  if (p->text->len == 0 && p->dsn->len == 0 && GMIME_IS_MULTIPART (top))
    {
      /* boundaries that never occur: GMime leaves everything in the prologue */
      const char *pro = g_mime_multipart_get_prologue (GMIME_MULTIPART (top));
      if (pro)
        append_capped (p->text, pro, strlen (pro));
    }
  return TRUE;
}

static void
analyse (SmtpcodesReport *rep, Msg *m, int depth)
{
  SmtpcodesRegistry *reg = rep->registry;
  const Head *h = &m->head;
  Parts p;
  Dsn d = { NULL, NULL };
  GArray *lines;
  const char *from_h = h->from;
  const char *subject = h->subject;
  char *from, *to;
  const char *failed = h->failed;
  gboolean autoreply, exim;

  if (!parts_collect (m, &p))
    return;
  from = from_h ? address_in (from_h, strlen (from_h)) : NULL;
  to = h->to ? address_in (h->to, strlen (h->to)) : NULL;
  if (depth == 0)
    {
      rep->from = g_strdup (from_h);
      rep->subject = g_strdup (subject);
      rep->message_id = g_strdup (h->message_id);
    }

  if (p.text->len == 0 && p.html->len)
    html_to_text (p.text, p.html->str);

  if (depth == 0 && (p.inner_report || (p.returned_report && m->ret.found)) && !p.has_dsn && !p.has_arf
      && !p.multipart_report)
    {
      /* the notice only passes a delivery report on: that report tells what happened */
      Msg inner = { 0 };
      if (p.inner_report)
        {
          head_from_message (&inner.head, p.inner_report);
          inner.top = g_object_ref (g_mime_message_get_mime_part (p.inner_report));
          inner.parsed = TRUE;
        }
      else
        msg_parse (&inner, m->base, m->data, m->ret.start, m->ret.end);
      analyse (rep, &inner, 1);
      msg_clear (&inner);
      d.rcpts = NULL;
      goto out;
    }

  autoreply = looks_autoreply (h) && !looks_daemon (from_h) && failed == NULL
              && !p.multipart_report && !p.has_dsn;

  if (p.has_arf || (p.report_type && g_str_equal (p.report_type, "feedback-report"))
      || (p.complained && !p.has_dsn))
    {
      rep->kind = SMTPCODES_REPORT_FEEDBACK;
      rep->format = "arf";
      parse_arf (rep, &p);
      goto out;
    }

  d.rcpts = g_ptr_array_new_with_free_func (dsn_rcpt_free);
  if (!p.has_dsn && parse_ses_json (rep, p.text->str))
    goto kinds;
  if (p.has_dsn)
    dsn_parse (&d, p.dsn->str, p.dsn->len);
  if (d.rcpts->len == 0 && p.text->len)
    {
      /* RFC 3464 fields written into the text, as some MTAs do */
      dsn_parse (&d, p.text->str, p.text->len);
    }
  lines = notice_lines (p.text->str, &p.orig_to);
  rep->reporting_mta = g_strdup (d.reporting_mta);
  /* Exim names the failed addresses in X-Failed-Recipients and opens its notice with a
   * fixed sentence (Google's notices carry the header too, with other text) */
  exim = failed != NULL && ci_find (p.text->str, MIN (p.text->len, 4096), "created automatically by mail delivery software");

  if (d.rcpts->len)
    {
      GPtrArray *others = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < d.rcpts->len && i < 50; i++)
        {
          DsnRcpt *dr = d.rcpts->pdata[i];
          const char *fr = dr->final_rcpt ? dr->final_rcpt : dr->orig_rcpt;
          char *a = address_in (fr, strlen (fr));
          if (a)
            g_ptr_array_add (others, a);
        }
      rep->format = p.has_dsn ? "rfc3464" : "rfc3464-text";
      for (guint i = 0; i < d.rcpts->len; i++)
        {
          DsnRcpt *dr = d.rcpts->pdata[i];
          SmtpcodesRecipient *r = g_new0 (SmtpcodesRecipient, 1);
          const char *fr = dr->final_rcpt ? dr->final_rcpt : dr->orig_rcpt;
          char *addr = address_in (fr, strlen (fr));
          char *text = NULL;
          if (addr == NULL)
            addr = g_strdup (after_type (fr));
          r->address = unescape_xtext (addr);
          g_free (addr);
          if (dr->orig_rcpt)
            {
              char *o = address_in (dr->orig_rcpt, strlen (dr->orig_rcpt));
              r->original = o ? unescape_xtext (o) : NULL;
              g_free (o);
            }
          r->action = dr->action ? g_strdup (dr->action) : NULL;
          if (r->action)
            {
              char *sp = strpbrk (r->action, " \t(;");
              if (sp)
                *sp = '\0';
            }
          r->remote_mta = dr->remote_mta ? g_strdup (dr->remote_mta) : NULL;
          if (dr->diag && *after_type (dr->diag))
            {
              r->diagnostic = squeeze (after_type (dr->diag));
              text = g_strdup (r->diagnostic);
            }
          {
            /* the notice often quotes the reply in more detail than the report */
            char *block = block_for (lines, r->address, d.rcpts->len <= 50 ? others : NULL);
            char *type = NULL;
            if (block)
              drop_local_codes (block, r->address, FALSE);
            if (d.rcpts->len == 1 && lines->len && text == NULL)
              g_clear_pointer (&block, g_free);   /* the whole notice is about it, see below */
            if (block == NULL && d.rcpts->len == 1 && lines->len && !has_status (text))
              {
                /* a single recipient's notice is about it as a whole: it need not name it
                 * where it states the cause ("The user(s) account is disabled." above the
                 * line that quotes the reply) */
                block = lines_text (lines, 0, lines->len);
                drop_local_codes (block, r->address, FALSE);
              }
            if (block && !has_status (text))
              {
                char *joined = text ? g_strconcat (text, "\n", block, NULL) : g_strdup (block);
                g_free (text);
                text = joined;
                if (r->diagnostic == NULL)
                  r->diagnostic = squeeze (block);
                g_clear_pointer (&block, g_free);
              }
            if (dr->diag && after_type (dr->diag) != dr->diag)
              type = strip_dup (dr->diag, strcspn (dr->diag, ";"));
            {
              Evidence ev = { text, dr->status, dr->diag, type, block, '5', FALSE, exim, FALSE };
              classify (reg, r, &ev);
            }
            g_free (type);
            g_free (block);
          }
          g_free (text);
          report_add (rep, r);
        }
      g_ptr_array_unref (others);
    }
  else
    {
      /* an automatic answer names people in its text; they are not failed recipients */
      GArray *tr = autoreply ? g_array_new (FALSE, TRUE, sizeof (TextRcpt)) : text_recipients (lines, to, from);
      rep->format = "text";
      if (tr->len == 0 && failed && !autoreply)
        {
          char **v = g_strsplit (failed, ",", -1);
          for (guint i = 0; v[i]; i++)
            {
              char *a = address_in (v[i], strlen (v[i]));
              if (a)
                {
                  TextRcpt t = { a, 0 };
                  g_array_append_val (tr, t);
                }
            }
          g_strfreev (v);
        }
      if (tr->len == 0 && (looks_daemon (from_h) || p.multipart_report || looks_bounce_subject (subject)
                           || (p.has_original && !looks_forward (subject))) && !autoreply)
        {
          /* "There was an error delivering your mail to <a@b>.", also in a notice that
           * returns the message but has neither a daemon's name nor a telling subject (a
           * carrier's notice in Japanese from a no-reply address) */
          for (guint i = 0; i < lines->len && tr->len == 0; i++)
            {
              Line *l = &g_array_index (lines, Line, i);
              const char *lt = memchr (l->s, '<', l->len);
              gsize st, al;
              while (lt && tr->len == 0)
                {
                  gsize rest = l->len - (gsize) (lt - l->s);
                  if (find_address (lt, rest, &st, &al) && st == 1 && lt[1 + al] == '>')
                    {
                      char *a = g_strndup (lt + 1, al);
                      if (same_address (a, to) || same_address (a, from))
                        g_free (a);
                      else
                        {
                          TextRcpt t = { a, i };
                          g_array_append_val (tr, t);
                        }
                    }
                  lt = memchr (lt + 1, '<', rest - 1);
                }
            }
        }
      if (tr->len == 0 && (looks_daemon (from_h) || p.multipart_report || looks_bounce_subject (subject)) && !autoreply)
        {
          /* "undeliverable to a@b", "returned permanent errors: a@b.": the first address
           * named mid-sentence that is neither the notice's sender nor its addressee, and
           * not in a quoted header line of the returned message */
          for (guint i = 0; i < lines->len && tr->len == 0; i++)
            {
              Line *l = &g_array_index (lines, Line, i);
              const char *q = l->s;
              gsize rest = l->len, st, al;
              gsize skip = 0;
              while (skip < rest && (q[skip] == ' ' || q[skip] == '\t'))
                skip++;
              if (is_header_line (q + skip, rest - skip))
                continue;
              while (rest && find_address (q, rest, &st, &al))
                {
                  char *a = g_strndup (q + st, al);
                  if (same_address (a, to) || same_address (a, from))
                    {
                      g_free (a);
                      q += st + al;
                      rest -= st + al;
                      continue;
                    }
                  {
                    TextRcpt t = { a, i };
                    g_array_append_val (tr, t);
                  }
                  break;
                }
            }
        }
      if (tr->len == 0 && p.orig_to && (looks_daemon (from_h) || p.multipart_report || looks_bounce_subject (subject)) && !autoreply)
        {
          TextRcpt t = { g_strdup (p.orig_to), 0 };
          g_array_append_val (tr, t);
        }
      if (autoreply && tr->len == 0)
        {
          SmtpcodesRecipient *r = g_new0 (SmtpcodesRecipient, 1);
          r->address = from ? g_strdup (from) : NULL;
          r->verdict = notice_verdict (reg, "Auto-Submitted: auto-replied");
          r->reason = "vacation";
          r->status = g_strdup ("");
          rep->kind = SMTPCODES_REPORT_AUTOREPLY;
          rep->format = "rfc3834";
          report_add (rep, r);
        }
      for (guint i = 0; i < tr->len; i++)
        {
          TextRcpt *t = &g_array_index (tr, TextRcpt, i);
          SmtpcodesRecipient *r = g_new0 (SmtpcodesRecipient, 1);
          guint end = transcript_end (lines, t->line, i + 1 < tr->len ? g_array_index (tr, TextRcpt, i + 1).line : lines->len,
                                      t->address);
          char *text = t->line < end ? lines_text (lines, t->line, end) : NULL;
          gboolean silent = !says_something (text, t->address), quoted_above = FALSE;
          r->address = t->address;
          t->address = NULL;
          if (!has_status (text) && tr->len == 1 && t->line > 0)
            {
              /* a single recipient's reply may stand anywhere in the notice */
              char *before = lines_text (lines, 0, t->line);
              char *joined = text ? g_strconcat (text, "\n", before, NULL) : g_strdup (before);
              quoted_above = strstr (before, "<<< ") != NULL;
              g_free (before);
              g_free (text);
              text = joined;
            }
          if (text == NULL)
            text = tr->len == 1 ? lines_text (lines, 0, lines->len) : g_strdup ("");
          drop_local_codes (text, r->address, quoted_above);
          r->diagnostic = squeeze (text);
          if (strlen (r->diagnostic) > 1024)
            {
              char *cut = r->diagnostic + 1024;
              while (cut > r->diagnostic && (*cut & 0xC0) == 0x80)
                cut--;
              *cut = '\0';
            }
          r->action = g_strdup ("failed");
          {
            Evidence ev = { text, NULL, NULL, NULL, NULL, '5', TRUE, exim, silent };
            classify (reg, r, &ev);
          }
          g_free (text);
          report_add (rep, r);
        }
      for (guint i = 0; i < tr->len; i++)
        g_free (g_array_index (tr, TextRcpt, i).address);
      g_array_unref (tr);
    }
  g_array_unref (lines);

kinds:
  if (rep->kind == SMTPCODES_REPORT_NOT_BOUNCE && rep->recipients->len)
    {
      gboolean any_failed = FALSE, any_delayed = FALSE;
      for (guint i = 0; i < rep->recipients->len; i++)
        {
          SmtpcodesRecipient *r = rep->recipients->pdata[i];
          if (r->action && g_str_equal (r->action, "delayed"))
            any_delayed = TRUE;
          else if (!g_str_equal (r->reason, "delivered"))
            any_failed = TRUE;
        }
      rep->kind = any_failed ? SMTPCODES_REPORT_BOUNCE
                  : any_delayed ? SMTPCODES_REPORT_DELAY : SMTPCODES_REPORT_DELIVERY;
    }
  if (rep->kind == SMTPCODES_REPORT_NOT_BOUNCE && autoreply)
    rep->format = "rfc3834";
  if (rep->kind == SMTPCODES_REPORT_NOT_BOUNCE)
    rep->format = "none";

out:
  if (d.rcpts)
    g_ptr_array_unref (d.rcpts);
  g_free (d.reporting_mta);
  parts_clear (&p);
  g_free (from);
  g_free (to);
}

/**
 * smtpcodes_report_parse:
 * @registry: a #SmtpcodesRegistry
 * @data: (array length=length) (element-type guint8): one message (RFC 5322), raw bytes
 * @length: length of @data in bytes
 * @error: return location for a #GError
 *
 * Reads one message and reports, per recipient, what happened to it. A message that is no
 * bounce, auto-reply, feedback report or delivery notice gives a report of kind
 * %SMTPCODES_REPORT_NOT_BOUNCE with no recipients. Only the first
 * %SMTPCODES_REPORT_SCAN_LIMIT bytes are read.
 *
 * Returns: (transfer full) (nullable): the report, or %NULL with @error set
 *   (%SMTPCODES_ERROR_SYNTAX) when @data is empty or holds no message header at all
 * Since: 1.0
 */
SmtpcodesReport *
smtpcodes_report_parse (SmtpcodesRegistry *registry, const char *data, gsize length, GError **error)
{
  SmtpcodesReport *rep;
  GMimeStream *stream;
  GByteArray *arr;
  Msg msg;
  gsize i = 0;

  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* skip an mbox "From " line and leading blank lines */
  while (i < length && (data[i] == '\r' || data[i] == '\n'))
    i++;
  if (length - i >= 5 && memcmp (data + i, "From ", 5) == 0)
    {
      const char *nl = memchr (data + i, '\n', length - i);
      i = nl ? (gsize) (nl - data) + 1 : length;
    }
  data += i;
  length -= i;
  if (length == 0)
    {
      g_set_error_literal (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX, "empty input: no message to read");
      return NULL;
    }
  if (length > SMTPCODES_REPORT_SCAN_LIMIT)
    length = SMTPCODES_REPORT_SCAN_LIMIT;
  /* a message starts with a header field: a name of printable characters and a colon */
  {
    gsize k = 0;
    while (k < length && k < 1000 && data[k] > ' ' && data[k] < 127 && data[k] != ':')
      k++;
    if (k == 0 || k >= length || data[k] != ':')
      {
        g_set_error_literal (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX,
                             "not an e-mail message: the input does not start with a header field");
        return NULL;
      }
  }

  if (!_smtpcodes_gmime_load (error))
    return NULL;

  rep = g_atomic_rc_box_new0 (SmtpcodesReport);
  rep->registry = smtpcodes_registry_ref (registry);
  rep->recipients = g_ptr_array_new_with_free_func (recipient_free);
  rep->kind = SMTPCODES_REPORT_NOT_BOUNCE;
  rep->format = "none";

  /* GMime reads the caller's bytes in place */
  arr = g_byte_array_new ();
  arr->data = (guint8 *) data;
  arr->len = (guint) length;
  stream = g_mime_stream_mem_new_with_byte_array (arr);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  msg_parse (&msg, stream, data, 0, length);
  analyse (rep, &msg, 0);
  msg_clear (&msg);
  g_object_unref (stream);
  arr->data = NULL;
  arr->len = 0;
  g_byte_array_unref (arr);
  return rep;
}

/**
 * smtpcodes_report_get_kind:
 * @report: a #SmtpcodesReport
 *
 * Returns: what kind of message the report was read from
 * Since: 1.0
 */
SmtpcodesReportKind
smtpcodes_report_get_kind (const SmtpcodesReport *report)
{
  g_return_val_if_fail (report != NULL, SMTPCODES_REPORT_NOT_BOUNCE);
  return report->kind;
}

/**
 * smtpcodes_report_kind_to_string:
 * @kind: a #SmtpcodesReportKind
 *
 * Returns: (transfer none): "not-bounce", "bounce", "delay", "delivery", "autoreply" or
 *   "feedback"
 * Since: 1.0
 */
const char *
smtpcodes_report_kind_to_string (SmtpcodesReportKind kind)
{
  switch (kind)
    {
    case SMTPCODES_REPORT_BOUNCE: return "bounce";
    case SMTPCODES_REPORT_DELAY: return "delay";
    case SMTPCODES_REPORT_DELIVERY: return "delivery";
    case SMTPCODES_REPORT_AUTOREPLY: return "autoreply";
    case SMTPCODES_REPORT_FEEDBACK: return "feedback";
    case SMTPCODES_REPORT_NOT_BOUNCE:
    default: return "not-bounce";
    }
}

/**
 * smtpcodes_report_get_format:
 * @report: a #SmtpcodesReport
 *
 * Returns: (transfer none): the structure the report was read from: "rfc3464" (a
 *   delivery status part), "rfc3464-text" (the same fields in a text part), "text" (a
 *   notice without fields), "json" (a sending service's notification in JSON, such as
 *   Amazon SES's), "arf", "rfc3834" or "none"
 * Since: 1.0
 */
const char *
smtpcodes_report_get_format (const SmtpcodesReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return report->format;
}

/**
 * smtpcodes_report_get_reporting_mta:
 * @report: a #SmtpcodesReport
 *
 * Returns: (transfer none) (nullable): the Reporting-MTA of an RFC 3464 report
 * Since: 1.0
 */
const char *
smtpcodes_report_get_reporting_mta (const SmtpcodesReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return report->reporting_mta;
}

/**
 * smtpcodes_report_get_from:
 * @report: a #SmtpcodesReport
 *
 * Returns: (transfer none) (nullable): the From header of the message, as written
 * Since: 1.0
 */
const char *
smtpcodes_report_get_from (const SmtpcodesReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return report->from;
}

/**
 * smtpcodes_report_get_subject:
 * @report: a #SmtpcodesReport
 *
 * Returns: (transfer none) (nullable): the decoded Subject of the message
 * Since: 1.0
 */
const char *
smtpcodes_report_get_subject (const SmtpcodesReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return report->subject;
}

/**
 * smtpcodes_report_get_message_id:
 * @report: a #SmtpcodesReport
 *
 * Returns: (transfer none) (nullable): the Message-ID of the message, without angle brackets
 * Since: 1.0
 */
const char *
smtpcodes_report_get_message_id (const SmtpcodesReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return report->message_id;
}

/**
 * smtpcodes_report_get_n_recipients:
 * @report: a #SmtpcodesReport
 *
 * Returns: how many recipients the report covers, in the order the message names them
 * Since: 1.0
 */
guint
smtpcodes_report_get_n_recipients (const SmtpcodesReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->recipients->len;
}

/**
 * smtpcodes_report_get_recipient:
 * @report: a #SmtpcodesReport
 * @index: 0 to smtpcodes_report_get_n_recipients() - 1
 *
 * Returns: (transfer none): the recipient, owned by @report
 * Since: 1.0
 */
const SmtpcodesRecipient *
smtpcodes_report_get_recipient (const SmtpcodesReport *report, guint index)
{
  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (index < report->recipients->len, NULL);
  return report->recipients->pdata[index];
}

/**
 * smtpcodes_recipient_get_address:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: (transfer none) (nullable): the recipient address (Final-Recipient), UTF-8
 * Since: 1.0
 */
const char *
smtpcodes_recipient_get_address (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->address;
}

/**
 * smtpcodes_recipient_get_original_address:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: (transfer none) (nullable): the Original-Recipient, when the report gives one
 * Since: 1.0
 */
const char *
smtpcodes_recipient_get_original_address (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->original;
}

/**
 * smtpcodes_recipient_get_action:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: (transfer none) (nullable): "failed", "delayed", "delivered", "relayed" or
 *   "expanded" (RFC 3464), lower case
 * Since: 1.0
 */
const char *
smtpcodes_recipient_get_action (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->action;
}

/**
 * smtpcodes_recipient_get_status:
 * @recipient: a #SmtpcodesRecipient
 *
 * The enhanced status code: the one the report states, a more precise one from the quoted
 * reply when the report only says X.0.0, or, when none is stated, the code the established
 * bounce processors use for the reason (class.0.9NN, e.g. 5.0.911 for userunknown).
 *
 * Returns: (transfer none): the status, "" for feedback reports and auto-replies
 * Since: 1.0
 */
const char *
smtpcodes_recipient_get_status (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->status;
}

/**
 * smtpcodes_recipient_get_reply_code:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: the SMTP reply code the remote server gave, or 0 if the report quotes none
 * Since: 1.0
 */
int
smtpcodes_recipient_get_reply_code (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, 0);
  return recipient->reply_code;
}

/**
 * smtpcodes_recipient_get_diagnostic:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: (transfer none) (nullable): the diagnostic text (Diagnostic-Code without its
 *   type, or the notice's text about this recipient), white space collapsed
 * Since: 1.0
 */
const char *
smtpcodes_recipient_get_diagnostic (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->diagnostic;
}

/**
 * smtpcodes_recipient_get_remote_mta:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: (transfer none) (nullable): the remote MTA (Remote-MTA, or the host the notice
 *   names)
 * Since: 1.0
 */
const char *
smtpcodes_recipient_get_remote_mta (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->remote_mta;
}

/**
 * smtpcodes_recipient_get_command:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: (transfer none) (nullable): the SMTP command that failed ("RCPT", "DATA", ...),
 *   when the report says
 * Since: 1.0
 */
const char *
smtpcodes_recipient_get_command (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->command;
}

/**
 * smtpcodes_recipient_get_reason:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: (transfer none): a reason from the vocabulary (smtpcodes_registry_list_reasons());
 *   "delivered" for success notices, "vacation" for auto-replies, "feedback" for feedback
 *   reports, "expired" for delays without a more precise cause
 * Since: 1.0
 */
const char *
smtpcodes_recipient_get_reason (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->reason;
}

/**
 * smtpcodes_recipient_is_hard_bounce:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: %TRUE when retrying can never succeed for this address: the reason is
 *   userunknown, hostunknown or hasmoved, or notaccept with a permanent code
 * Since: 1.0
 */
gboolean
smtpcodes_recipient_is_hard_bounce (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, FALSE);
  return recipient->hard;
}

/**
 * smtpcodes_recipient_get_retry:
 * @recipient: a #SmtpcodesRecipient
 *
 * Returns: %TRUE when sending again later can succeed
 * Since: 1.0
 */
gboolean
smtpcodes_recipient_get_retry (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, FALSE);
  return recipient->retry;
}

/**
 * smtpcodes_recipient_get_verdict:
 * @recipient: a #SmtpcodesRecipient
 *
 * The verdict on the recipient's reply, for the explanation and advice in a language
 * (smtpcodes_verdict_get_explanation()) and the evidence. Its reason may be less precise
 * than smtpcodes_recipient_get_reason(), which also weighs the report's Action.
 *
 * Returns: (transfer none): the verdict, owned by the report
 * Since: 1.0
 */
const SmtpcodesVerdict *
smtpcodes_recipient_get_verdict (const SmtpcodesRecipient *recipient)
{
  g_return_val_if_fail (recipient != NULL, NULL);
  return recipient->verdict;
}

/* ---- reader: one file, mbox, maildir, directory ------------------------------------------- */

struct _SmtpcodesReportReader {
  SmtpcodesRegistry *registry;
  GPtrArray         *files;     /* remaining files, when reading a directory */
  guint              next_file;
  char              *path;
  GMappedFile       *map;
  GByteArray        *buf;       /* a small file, read */
  GBytes            *bytes;
  const char        *data;
  gsize              length;
  gsize              offset;
  guint              index;     /* message number within the current file */
  gboolean           empty_reported;
  char              *source;
};

static void
reader_close_current (SmtpcodesReportReader *rd)
{
  g_clear_pointer (&rd->map, g_mapped_file_unref);
  g_clear_pointer (&rd->bytes, g_bytes_unref);
  rd->data = NULL;
  rd->length = rd->offset = 0;
  rd->index = 0;
}

/* Files up to this size are read into the reader's buffer, larger ones mapped: for a
 * message of a few kilobytes the map costs more than the read (the unmap, a page fault). */
#define READ_LIMIT (1024 * 1024)

static gboolean
reader_open (SmtpcodesReportReader *rd, const char *file, GError **error)
{
  GError *e = NULL;
  struct stat st;
  int fd = g_open (file, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO, "%s: %s", file, g_strerror (err));
      return FALSE;
    }
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size <= READ_LIMIT)
    {
      gsize want = (gsize) st.st_size, got = 0;
      if (rd->buf == NULL)
        rd->buf = g_byte_array_new ();
      g_byte_array_set_size (rd->buf, (guint) want);
      while (got < want)
        {
          gssize n = read (fd, rd->buf->data + got, want - got);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              int err = errno;
              g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO, "%s: %s", file, g_strerror (err));
              close (fd);
              return FALSE;
            }
          if (n == 0)
            break;   /* it shrank */
          got += (gsize) n;
        }
      close (fd);
      rd->data = got ? (const char *) rd->buf->data : "";
      rd->length = got;
      return TRUE;
    }
  close (fd);
  rd->map = g_mapped_file_new (file, FALSE, &e);
  if (rd->map == NULL)
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO, "%s", e->message);
      g_error_free (e);
      return FALSE;
    }
  rd->data = g_mapped_file_get_contents (rd->map);
  rd->length = g_mapped_file_get_length (rd->map);
  if (rd->data == NULL)
    rd->data = "";
  return TRUE;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
list_dir (GPtrArray *out, const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)))
    {
      char *full;
      if (name[0] == '.')
        continue;
      full = g_build_filename (dir, name, NULL);
      if (g_file_test (full, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, full);
      else
        g_free (full);
    }
  g_dir_close (d);
  g_ptr_array_sort (names, cmp_str);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (out, g_strdup (names->pdata[i]));
  g_ptr_array_unref (names);
}

/**
 * smtpcodes_report_reader_new:
 * @registry: a #SmtpcodesRegistry
 * @path: a message file, an mbox, a maildir (with cur/ and new/), or a directory of
 *   message files; "-" reads standard input
 * @error: return location for a #GError
 *
 * Opens @path for smtpcodes_report_reader_next(). A file of up to 1 MB is read into a
 * buffer the reader keeps, a larger one (an mbox) is mapped, not read into memory; an mbox
 * is split at its "From " lines.
 *
 * Returns: (transfer full) (nullable): the reader, or %NULL with @error set
 *   (%SMTPCODES_ERROR_IO) when @path cannot be opened
 * Since: 1.0
 */
SmtpcodesReportReader *
smtpcodes_report_reader_new (SmtpcodesRegistry *registry, const char *path, GError **error)
{
  SmtpcodesReportReader *rd;
  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_equal (path, "-"))
    {
      /* standard input: read what one message may need, then stop */
      GByteArray *buf = g_byte_array_new ();
      guint8 chunk[65536];
      gsize n;
      while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0)
        {
          if (buf->len < 64u * 1024 * 1024)
            g_byte_array_append (buf, chunk, (guint) n);
        }
      if (ferror (stdin))
        {
          g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO, "standard input: %s", g_strerror (errno));
          g_byte_array_unref (buf);
          return NULL;
        }
      rd = smtpcodes_report_reader_new_for_data (registry, g_byte_array_free_to_bytes (buf));
      g_bytes_unref (rd->bytes);  /* the reader took its own reference */
      g_free (rd->path);
      rd->path = g_strdup ("-");
      return rd;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO, "%s: %s", path, g_strerror (ENOENT));
      return NULL;
    }
  rd = g_new0 (SmtpcodesReportReader, 1);
  rd->registry = smtpcodes_registry_ref (registry);
  rd->files = g_ptr_array_new_with_free_func (g_free);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      char *cur = g_build_filename (path, "cur", NULL), *new = g_build_filename (path, "new", NULL);
      if (g_file_test (cur, G_FILE_TEST_IS_DIR) || g_file_test (new, G_FILE_TEST_IS_DIR))
        {
          list_dir (rd->files, new);
          list_dir (rd->files, cur);
        }
      else
        list_dir (rd->files, path);
      g_free (cur);
      g_free (new);
    }
  else
    g_ptr_array_add (rd->files, g_strdup (path));
  return rd;
}

/**
 * smtpcodes_report_reader_new_for_data:
 * @registry: a #SmtpcodesRegistry
 * @data: one message or an mbox
 *
 * Returns: (transfer full): a reader over the messages in @data
 * Since: 1.0
 */
SmtpcodesReportReader *
smtpcodes_report_reader_new_for_data (SmtpcodesRegistry *registry, GBytes *data)
{
  SmtpcodesReportReader *rd;
  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  rd = g_new0 (SmtpcodesReportReader, 1);
  rd->registry = smtpcodes_registry_ref (registry);
  rd->files = g_ptr_array_new_with_free_func (g_free);
  rd->bytes = g_bytes_ref (data);
  rd->data = g_bytes_get_data (data, &rd->length);
  if (rd->data == NULL)
    rd->data = "";   /* empty bytes give NULL: still one (empty) input, reported as such */
  rd->path = g_strdup ("-");
  return rd;
}

/* Length of the message at data[0..len): up to the next mbox "From " line that follows a
 * line break. */
static gsize
mbox_message_length (const char *data, gsize len)
{
  gsize i = 5;
  /* only an mbox (starting with a "From " line) holds more than one message; a single
   * message is not scanned beyond what the parser reads */
  if (len < 5 || memcmp (data, "From ", 5) != 0)
    return len;
  while (i < len)
    {
      const char *nl = memchr (data + i, '\n', len - i);
      gsize at;
      if (nl == NULL)
        return len;
      at = (gsize) (nl - data) + 1;
      if (at + 5 <= len && memcmp (data + at, "From ", 5) == 0)
        {
          /* a "From " line in an mbox follows a blank line and carries a date after the
           * address; accept it after a blank line or when the line reads like one */
          gboolean blank_before = at >= 2 && (data[at - 2] == '\n' || (at >= 3 && data[at - 2] == '\r' && data[at - 3] == '\n'));
          if (blank_before)
            return at;
        }
      i = at;
    }
  return len;
}

/**
 * smtpcodes_report_reader_next:
 * @reader: a #SmtpcodesReportReader
 * @error: return location for a #GError
 *
 * Reads the next message. A message that cannot be read (an empty file, no header) gives
 * %NULL with @error set; call again to go on with the next one.
 *
 * Returns: (transfer full) (nullable): the next report, or %NULL at the end (with @error
 *   unset) or on error
 * Since: 1.0
 */
SmtpcodesReport *
smtpcodes_report_reader_next (SmtpcodesReportReader *reader, GError **error)
{
  SmtpcodesReportReader *rd = reader;
  gsize mlen;
  const char *mdata;
  g_return_val_if_fail (reader != NULL, NULL);

  for (;;)
    {
      const char *file;
      if (rd->data != NULL && rd->offset < rd->length)
        break;
      if (rd->data != NULL && rd->length == 0 && !rd->empty_reported)
        {
          /* an empty input is one message that cannot be read */
          rd->empty_reported = TRUE;
          g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX, "%s: empty input: no message to read",
                       rd->source ? rd->source : rd->path);
          return NULL;
        }
      if (rd->bytes)
        return NULL;
      reader_close_current (rd);
      if (rd->next_file >= rd->files->len)
        return NULL;
      file = rd->files->pdata[rd->next_file++];
      g_free (rd->source);
      rd->source = g_strdup (file);
      rd->empty_reported = FALSE;
      if (!reader_open (rd, file, error))
        return NULL;
    }
  if (rd->source == NULL)
    rd->source = g_strdup (rd->path);
  mdata = rd->data + rd->offset;
  mlen = mbox_message_length (mdata, rd->length - rd->offset);
  rd->offset += mlen;
  rd->index++;
  {
    GError *e = NULL;
    SmtpcodesReport *rep = smtpcodes_report_parse (rd->registry, mdata, mlen, &e);
    /* say which file (and which message of an mbox) could not be read */
    if (rep == NULL && e != NULL)
      {
        if (rd->index > 1 || mlen < rd->length)
          g_prefix_error (&e, "%s, message %u: ", rd->source, rd->index);
        else
          g_prefix_error (&e, "%s: ", rd->source);
        g_propagate_error (error, e);
      }
    return rep;
  }
}

/**
 * smtpcodes_report_reader_get_source:
 * @reader: a #SmtpcodesReportReader
 *
 * Returns: (transfer none) (nullable): the file the last message came from ("-" for
 *   standard input or data)
 * Since: 1.0
 */
const char *
smtpcodes_report_reader_get_source (const SmtpcodesReportReader *reader)
{
  g_return_val_if_fail (reader != NULL, NULL);
  return reader->source ? reader->source : reader->path;
}

/**
 * smtpcodes_report_reader_free:
 * @reader: (transfer full): a #SmtpcodesReportReader
 *
 * Closes the reader. Reports it returned stay valid.
 *
 * Since: 1.0
 */
void
smtpcodes_report_reader_free (SmtpcodesReportReader *reader)
{
  if (reader == NULL)
    return;
  reader_close_current (reader);
  if (reader->buf)
    g_byte_array_unref (reader->buf);
  g_ptr_array_unref (reader->files);
  smtpcodes_registry_unref (reader->registry);
  g_free (reader->path);
  g_free (reader->source);
  g_free (reader);
}
