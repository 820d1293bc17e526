/* np-util.c: states, threshold ranges, perfdata and sanitising for check_smtp_reply. */
#include "config.h"

#include "np-util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

const char *
np_state_name (NpState state)
{
  return (unsigned) state <= NP_UNKNOWN ? state_names[state] : "UNKNOWN";
}

gboolean
np_state_parse (const char *text, NpState *state)
{
  static const char *const words[] = { "ok", "warning", "critical", "unknown" };
  static const char *const shorts[] = { "o", "w", "c", "u" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_ascii_strcasecmp (text, words[i]) == 0 || g_ascii_strcasecmp (text, shorts[i]) == 0
        || (text[0] == (char) ('0' + i) && text[1] == '\0'))
      {
        *state = (NpState) i;
        return TRUE;
      }
  return FALSE;
}

/* CRITICAL > WARNING > UNKNOWN > OK: a step that could not be judged must not hide behind
 * the steps that went well, and a real failure outranks "could not tell". */
int
np_state_rank (NpState state)
{
  switch (state)
    {
    case NP_OK: return 0;
    case NP_UNKNOWN: return 1;
    case NP_WARNING: return 2;
    case NP_CRITICAL: return 3;
    default: return 1;
    }
}

NpState
np_state_worst (NpState a, NpState b)
{
  return np_state_rank (b) > np_state_rank (a) ? b : a;
}

static gboolean
parse_number (const char *s, gsize len, double *out)
{
  char *buf, *end;
  double v;

  if (len == 0)
    return FALSE;
  buf = g_strndup (s, len);
  errno = 0;
  v = g_ascii_strtod (buf, &end);
  if (errno != 0 || *end != '\0' || end == buf || !isfinite (v))
    {
      g_free (buf);
      return FALSE;
    }
  g_free (buf);
  *out = v;
  return TRUE;
}

gboolean
np_range_parse (const char *text, NpRange *range, GError **error)
{
  const char *p = text, *colon;

  memset (range, 0, sizeof *range);
  if (text == NULL || *text == '\0')
    goto bad;
  if (*p == '@')
    {
      range->inside = TRUE;
      p++;
    }
  colon = strchr (p, ':');
  if (colon)
    {
      if (colon - p == 1 && *p == '~')
        range->start_inf = TRUE;
      else if (colon == p)
        range->start = 0;
      else if (!parse_number (p, colon - p, &range->start))
        goto bad;
      p = colon + 1;
      if (*p == '\0')
        range->end_inf = TRUE;
      else if (!parse_number (p, strlen (p), &range->end))
        goto bad;
    }
  else
    {
      range->start = 0;
      if (!parse_number (p, strlen (p), &range->end))
        goto bad;
    }
  if (!range->start_inf && !range->end_inf && range->start > range->end)
    goto bad;
  range->set = TRUE;
  range->text = g_strdup (text);
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "'%s' is not a threshold range ([@][start:][end], e.g. 10, 10:, ~:10, @10:20)",
               text ? text : "");
  memset (range, 0, sizeof *range);
  return FALSE;
}

gboolean
np_range_alert (const NpRange *range, double value)
{
  gboolean within;

  if (range == NULL || !range->set)
    return FALSE;
  within = (range->start_inf || value >= range->start) && (range->end_inf || value <= range->end);
  return range->inside ? within : !within;
}

void
np_range_clear (NpRange *range)
{
  g_free (range->text);
  memset (range, 0, sizeof *range);
}

void
np_perfdata_append (GString *out, const char *label, const char *fmt, double value,
                    const char *uom, const char *warn, const char *crit,
                    const char *min, const char *max)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean quote = strpbrk (label, " ='") != NULL;

  if (out->len)
    g_string_append_c (out, ' ');
  if (quote)
    g_string_append_c (out, '\'');
  for (; *label; label++)
    g_string_append_c (out, *label == '\'' ? '_' : *label);
  if (quote)
    g_string_append_c (out, '\'');
  g_ascii_formatd (num, sizeof num, fmt, value);
  g_string_append_printf (out, "=%s%s;%s;%s;%s;%s", num, uom ? uom : "", warn ? warn : "",
                          crit ? crit : "", min ? min : "", max ? max : "");
  /* trailing empty fields may be dropped */
  while (out->len && out->str[out->len - 1] == ';')
    g_string_truncate (out, out->len - 1);
}

void
np_truncate_utf8 (GString *s, gsize max_bytes)
{
  gsize cut;

  if (s->len <= max_bytes)
    return;
  cut = max_bytes;
  while (cut > 0 && ((guchar) s->str[cut] & 0xC0) == 0x80)
    cut--;
  g_string_truncate (s, cut);
}

char *
np_sanitize (const char *text, gssize length, gsize max_bytes)
{
  GString *out;
  char *valid;
  const char *p;
  gboolean space = FALSE;

  if (text == NULL)
    return g_strdup ("");
  valid = g_utf8_make_valid (text, length);
  out = g_string_sized_new (MIN (strlen (valid), max_bytes) + 4);
  for (p = valid; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c < 0x20 || c == 0x7f)
        {
          /* line breaks and tabs become one space; other control characters vanish */
          if ((c == '\n' || c == '\r' || c == '\t') && !space && out->len)
            {
              g_string_append_c (out, ' ');
              space = TRUE;
            }
          continue;
        }
      space = c == ' ';
      g_string_append_c (out, c == '|' ? '/' : (char) c);
      if (out->len > max_bytes + 8)
        break;
    }
  g_free (valid);
  while (out->len && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  if (out->len > max_bytes)
    {
      np_truncate_utf8 (out, max_bytes > 3 ? max_bytes - 3 : 0);
      g_string_append (out, "...");
    }
  return g_string_free (out, FALSE);
}
