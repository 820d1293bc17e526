/* smtpcodes-module.c: the data module loader (docs/module-format.md is normative)
 *
 * A small parser for the GLib key-file syntax instead of GKeyFile itself: it knows the
 * line of every key (GKeyFile does not), rejects repeated groups and keys (GKeyFile
 * silently keeps the last one), and is fast enough to load the built-in modules in well
 * under a millisecond.  tests/test-modules.c pins that shipped modules also parse with
 * GKeyFile, so the files stay plain key files.
 */
#include "config.h"

#include <string.h>
#if defined (__SSE2__) && defined (__GNUC__)
#include <emmintrin.h>
#endif

#include "smtpcodes-private.h"
#include "smtpcodes-builtin.h"

const char *const _smtpcodes_reasons[] = {
#define SMTPCODES_REASON_NAME(name) #name,
  SMTPCODES_REASON_LIST (SMTPCODES_REASON_NAME)
#undef SMTPCODES_REASON_NAME
  NULL
};

G_STATIC_ASSERT (G_N_ELEMENTS (_smtpcodes_reasons) == SMTPCODES_N_REASONS + 1);

int
_smtpcodes_reason_index (const char *name, gssize len)
{
  gsize n = len < 0 ? strlen (name) : (gsize) len;
  int lo = 0, hi = SMTPCODES_N_REASONS;
  if (n == 0)
    return -1;
  /* the list is in alphabetical order (test-registry checks it) */
  while (lo < hi)
    {
      int mid = (lo + hi) / 2;
      const char *r = _smtpcodes_reasons[mid];
      int c = strncmp (r, name, n);
      if (c == 0)
        {
          if (r[n] == '\0')
            return mid;
          c = 1;   /* r is longer */
        }
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return -1;
}

void
_smtpcodes_arena_init (SmtpcodesArena *arena)
{
  arena->blocks = g_ptr_array_new_with_free_func (g_free);
  arena->cur = NULL;
  arena->left = 0;
}

void
_smtpcodes_arena_clear (SmtpcodesArena *arena)
{
  g_clear_pointer (&arena->blocks, g_ptr_array_unref);
  arena->cur = NULL;
  arena->left = 0;
}

/* Zeroed memory that lives as long as the arena: small requests come from 64 KiB chunks,
 * so that loading thousands of entries costs a few dozen allocations, not thousands. */
#define ARENA_CHUNK (64 * 1024)
gpointer
_smtpcodes_arena_alloc (SmtpcodesArena *arena, gsize size)
{
  gpointer p;

  size = (size + 15) & ~(gsize) 15;
  if (size > ARENA_CHUNK / 8)
    {
      p = g_malloc0 (size);
      g_ptr_array_add (arena->blocks, p);
      return p;
    }
  if (size > arena->left)
    {
      arena->cur = g_malloc0 (ARENA_CHUNK);
      arena->left = ARENA_CHUNK;
      g_ptr_array_add (arena->blocks, arena->cur);
    }
  p = arena->cur;
  arena->cur += size;
  arena->left -= size;
  return p;
}

char *
_smtpcodes_arena_strndup (SmtpcodesArena *arena, const char *s, gsize len)
{
  char *d = _smtpcodes_arena_alloc (arena, len + 1);
  memcpy (d, s, len);
  return d;
}

void
_smtpcodes_arena_adopt (SmtpcodesArena *arena, gpointer block)
{
  g_ptr_array_add (arena->blocks, block);
}

/* the i-th string of l10n (blob: the precompiled module's, else NULL); NULL at its end */
static inline const char *
l10n_at (const char *blob, SmtpcodesL10n l10n, gsize i)
{
  if (blob == NULL)
    return l10n.ptrs[i];
  return l10n.offs[i] == SMTPCODES_BUILTIN_NONE ? NULL : blob + l10n.offs[i];
}

const char *
_smtpcodes_l10n_get (const SmtpcodesModule *module, SmtpcodesL10n l10n, const char *lang)
{
  const char *english = NULL, *l;
  const char *blob = module->precompiled ? ((const SmtpcodesBuiltin *) module->precompiled)->blob : NULL;

  if (l10n.ptrs == NULL)
    return NULL;
  for (gsize i = 0; (l = l10n_at (blob, l10n, i)); i += 2)
    if (l[0] == '\0')
      {
        english = l10n_at (blob, l10n, i + 1);
        break;
      }
  if (lang == NULL || lang[0] == '\0' || g_str_equal (lang, "C") || g_str_equal (lang, "en"))
    return english;

  /* Try "de_AT.UTF-8@euro" -> "de_AT" -> "de": the variants g_get_locale_variants() would give
   * for what matters here, without allocating. */
  {
    gsize full = strcspn (lang, ".@");
    gsize base = strcspn (lang, "_.@");
    for (int pass = 0; pass < 2; pass++)
      {
        gsize want = pass == 0 ? full : base;
        for (gsize i = 0; (l = l10n_at (blob, l10n, i)); i += 2)
          if (l[0] && strlen (l) == want && strncmp (l, lang, want) == 0)
            return l10n_at (blob, l10n, i + 1);
        if (full == base)
          break;
      }
  }
  return english;
}

gboolean
_smtpcodes_parse_status (const char *s, gsize len, gboolean allow_wild,
                         guint *c, guint *sub, guint *det)
{
  guint parts[3];
  gsize i = 0;

  /* the common form, C.S.D in digits ("5.7.1", "4.7.26"): read directly */
  if (len >= 5 && (s[0] == '2' || s[0] == '4' || s[0] == '5') && s[1] == '.')
    {
      guint v[2] = { 0, 0 };
      gsize j = 2, d;
      gboolean plain = TRUE;
      for (int part = 0; part < 2 && plain; part++)
        {
          for (d = 0; j < len && s[j] >= '0' && s[j] <= '9' && d < 4; j++, d++)
            v[part] = v[part] * 10 + (guint) (s[j] - '0');
          plain = d >= 1 && d <= 3 && (part == 1 ? j == len : j < len && s[j] == '.');
          j++;
        }
      if (plain)
        {
          if (v[0] > 126 || v[1] > 1022)
            return FALSE;
          *c = (guint) (s[0] - '0');
          *sub = v[0];
          *det = v[1];
          return TRUE;
        }
    }

  for (int p = 0; p < 3; p++)
    {
      gsize start = i, digits = 0;
      guint v = 0;

      if (p > 0)
        {
          if (i >= len || s[i] != '.')
            return FALSE;
          start = ++i;
        }
      if (p == 0)
        {
          if (i < len && (s[i] == 'X' || (allow_wild && s[i] == 'x')))
            {
              parts[0] = STATUS_CLASS_X;
              i++;
              continue;
            }
          if (i < len && (s[i] == '2' || s[i] == '4' || s[i] == '5'))
            {
              parts[0] = (guint) (s[i] - '0');
              i++;
              continue;
            }
          return FALSE;
        }
      if (i + 3 <= len && memcmp (s + i, "XXX", 3) == 0)
        {
          parts[p] = p == 1 ? STATUS_ANY_SUBJECT : STATUS_ANY_DETAIL;
          i += 3;
          continue;
        }
      if (allow_wild && i < len && (s[i] == 'x' || s[i] == 'X'))
        {
          gsize j = i;
          while (j < len && (s[j] == 'x' || s[j] == 'X') && j - i < 3)
            j++;
          parts[p] = p == 1 ? STATUS_ANY_SUBJECT : STATUS_ANY_DETAIL;
          i = j;
          continue;
        }
      while (i < len && g_ascii_isdigit (s[i]) && digits < 3)
        {
          v = v * 10 + (guint) (s[i] - '0');
          i++;
          digits++;
        }
      if (digits == 0 || i - start != digits)
        return FALSE;
      /* "01" is not a valid subject or detail in RFC 3463 grammar, but servers write 5.01.1
       * rarely; accept it, the number is what counts. */
      if (p == 1)
        parts[1] = v > 126 ? STATUS_ANY_SUBJECT - 0 : v;
      else
        parts[2] = v > 1022 ? STATUS_ANY_DETAIL : v;
      if ((p == 1 && v > 126) || (p == 2 && v > 1022))
        return FALSE;
    }
  if (i != len)
    return FALSE;
  /* A class wildcard with a concrete subject is fine (X.1.1), but 5.XXX.1 is not. */
  if (parts[1] == STATUS_ANY_SUBJECT && parts[2] != STATUS_ANY_DETAIL)
    return FALSE;
  if (parts[0] == STATUS_CLASS_X && parts[1] == STATUS_ANY_SUBJECT)
    return FALSE;
  *c = parts[0];
  *sub = parts[1];
  *det = parts[2];
  return TRUE;
}

/* The first byte of s..end that is not well-formed UTF-8, or end. Skips ASCII eight bytes at
 * a time: module text and replies are mostly ASCII, and this runs on every module file at
 * start-up and on every reply. */
const char *
_smtpcodes_utf8_first_invalid (const char *s, const char *end)
{
  const guchar *p = (const guchar *) s, *e = (const guchar *) end;

  while (p < e)
    {
      guint32 cp;
      int n;
#if defined (__SSE2__) && defined (__GNUC__)
      /* sixteen bytes at a time where SSE2 is there (every x86-64) */
      if (e - p >= 16)
        {
          int high = _mm_movemask_epi8 (_mm_loadu_si128 ((const __m128i *) (gconstpointer) p));
          if (!high)
            {
              p += 16;
              continue;
            }
          p += __builtin_ctz ((unsigned) high);   /* the ASCII bytes before the first high one */
        }
      else
#endif
      if (p + 8 <= e)
        {
          guint64 w, high;
          memcpy (&w, p, sizeof w);
          high = w & G_GUINT64_CONSTANT (0x8080808080808080);
          if (!high)
            {
              p += 8;
              continue;
            }
#if G_BYTE_ORDER == G_LITTLE_ENDIAN && defined (__GNUC__)
          /* the ASCII bytes before the first high one */
          p += __builtin_ctzll (high) >> 3;
#endif
        }
      if (*p < 0x80)
        {
          p++;
          continue;
        }
      /* two bytes (German letters): C2..DF then a continuation byte */
      if (*p >= 0xC2 && *p <= 0xDF && e - p > 1 && (p[1] & 0xC0) == 0x80)
        {
          p += 2;
          continue;
        }
      if ((*p & 0xE0) == 0xC0)
        n = 1, cp = *p & 0x1Fu;
      else if ((*p & 0xF0) == 0xE0)
        n = 2, cp = *p & 0x0Fu;
      else if ((*p & 0xF8) == 0xF0)
        n = 3, cp = *p & 0x07u;
      else
        return (const char *) p;
      if (e - p <= n)
        return (const char *) p;
      for (int i = 1; i <= n; i++)
        {
          if ((p[i] & 0xC0) != 0x80)
            return (const char *) p;
          cp = (cp << 6) | (p[i] & 0x3Fu);
        }
      if ((n == 1 && cp < 0x80) || (n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
          || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
        return (const char *) p;
      p += n + 1;
    }
  return end;
}

/* ---------------------------------------------------------------------------------------- */

/* Every key the format knows, so that the parser compares numbers, not strings. */
typedef enum {
  KEY_Id,
  KEY_Name,
  KEY_Kind,
  KEY_Version,
  KEY_FormatVersion,
  KEY_Description,
  KEY_DetectText,
  KEY_DetectHost,
  KEY_Summary,
  KEY_Explanation,
  KEY_Advice,
  KEY_Class,
  KEY_Reason,
  KEY_Generic,
  KEY_Retry,
  KEY_Source,
  KEY_Usage,
  KEY_Status,
  KEY_ReplyCodes,
  KEY_Commands,
  KEY_Match,
  KEY_Classes,
  KEY_Priority,
  KEY_ObsoletedBy,
  KEY_Aliases
} KeyId;

#define KEY_NAME_LIST(X) \
  X (Id) X (Name) X (Kind) X (Version) X (FormatVersion) X (Description) X (DetectText) X (DetectHost) \
  X (Summary) X (Explanation) X (Advice) X (Class) X (Reason) X (Generic) X (Retry) X (Source) X (Usage) \
  X (Status) X (ReplyCodes) X (Commands) X (Match) X (Classes) X (Priority) X (ObsoletedBy) X (Aliases)
static const char *const key_names[] = {
#define KEY_NAME_STRING(name) #name,
  KEY_NAME_LIST (KEY_NAME_STRING)
#undef KEY_NAME_STRING
};
static const guint8 key_len[] = {
#define KEY_NAME_LENGTH(name) sizeof #name - 1,
  KEY_NAME_LIST (KEY_NAME_LENGTH)
#undef KEY_NAME_LENGTH
};
G_STATIC_ASSERT (G_N_ELEMENTS (key_names) == KEY_Aliases + 1);
/* check_keys uses one bit per key */
G_STATIC_ASSERT (G_N_ELEMENTS (key_names) <= 32);

/* The keys by first letter (at most three share one), plus one so that 0 ends a row:
 * naming a key costs one comparison, and the parser names one for every line and every
 * key it asks for. */
static const guint8 keys_by_letter[26][4] = {
  ['A' - 'A'] = { KEY_Advice + 1, KEY_Aliases + 1 },
  ['C' - 'A'] = { KEY_Class + 1, KEY_Classes + 1, KEY_Commands + 1 },
  ['D' - 'A'] = { KEY_Description + 1, KEY_DetectText + 1, KEY_DetectHost + 1 },
  ['E' - 'A'] = { KEY_Explanation + 1 },
  ['F' - 'A'] = { KEY_FormatVersion + 1 },
  ['G' - 'A'] = { KEY_Generic + 1 },
  ['I' - 'A'] = { KEY_Id + 1 },
  ['K' - 'A'] = { KEY_Kind + 1 },
  ['M' - 'A'] = { KEY_Match + 1 },
  ['N' - 'A'] = { KEY_Name + 1 },
  ['O' - 'A'] = { KEY_ObsoletedBy + 1 },
  ['P' - 'A'] = { KEY_Priority + 1 },
  ['R' - 'A'] = { KEY_Reason + 1, KEY_Retry + 1, KEY_ReplyCodes + 1 },
  ['S' - 'A'] = { KEY_Summary + 1, KEY_Source + 1, KEY_Status + 1 },
  ['U' - 'A'] = { KEY_Usage + 1 },
  ['V' - 'A'] = { KEY_Version + 1 },
};

/* The KeyId of the key k[0..n), or -1. */
static int
key_id_n (const char *k, gsize n)
{
  const guint8 *c;
  if (n == 0 || k[0] < 'A' || k[0] > 'Z')
    return -1;
  c = keys_by_letter[k[0] - 'A'];
  for (int i = 0; i < 4 && c[i]; i++)
    if (key_len[c[i] - 1] == n && memcmp (key_names[c[i] - 1], k, n) == 0)
      return c[i] - 1;
  return -1;
}

#define N_KEYS ((int) G_N_ELEMENTS (key_names))

typedef struct {
  int         kid;      /* index into key_names, or -1 */
  const char *key;      /* arena string, without locale */
  const char *lang;     /* "" for the plain key */
  const char *value;    /* unescaped */
  guint       line;
  gboolean    used;
  int         next;     /* the next KV of the group with the same kid (kid >= 0), or -1 */
} KV;

typedef struct {
  const char        *filename;
  SmtpcodesLoadFlags flags;
  SmtpcodesArena    *arena;
  /* the current group's keys, in file order; for each known key, its first and last KV
   * and its plain (untranslated) one, -1 if none */
  KV                *kvs;
  guint              n_kvs, kvs_cap;
  int                first[N_KEYS], last[N_KEYS], plain[N_KEYS];
  const char        *group;     /* current group name */
  guint              group_line;
  GError            *error;
} Parser;

#define STRICT(p) (((p)->flags & SMTPCODES_LOAD_STRICT) != 0)

static void G_GNUC_PRINTF (5, 6)
fail (Parser *p, int code, guint line, const char *key, const char *fmt, ...)
{
  va_list ap;
  char *msg;
  const char *base;

  if (p->error)
    return;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  base = p->filename;
  if (p->group && key)
    g_set_error (&p->error, SMTPCODES_ERROR, code, "%s:%u: [%s]: %s: %s", base, line, p->group, key, msg);
  else if (p->group)
    g_set_error (&p->error, SMTPCODES_ERROR, code, "%s:%u: [%s]: %s", base, line, p->group, msg);
  else if (key)
    g_set_error (&p->error, SMTPCODES_ERROR, code, "%s:%u: %s: %s", base, line, key, msg);
  else
    g_set_error (&p->error, SMTPCODES_ERROR, code, "%s:%u: %s", base, line, msg);
  g_free (msg);
}

/* Unescapes the key-file value s[0..len) in place (the result is never longer) and ends
 * it with a NUL; "\\;" stays as it is, for list splitting. */
static const char *
unescape (Parser *p, char *s, gsize len, guint line, const char *key)
{
  char *w;
  gsize i;

  if (len == 0 || (w = memchr (s, '\\', len)) == NULL)
    {
      s[len] = '\0';
      return s;
    }
  for (i = (gsize) (w - s); i < len; i++)
    {
      if (s[i] != '\\')
        {
          *w++ = s[i];
          continue;
        }
      if (++i >= len)
        {
          fail (p, SMTPCODES_ERROR_SYNTAX, line, key, "value ends with a lone backslash");
          break;
        }
      switch (s[i])
        {
        case 's': *w++ = ' '; break;
        case 'n': *w++ = '\n'; break;
        case 't': *w++ = '\t'; break;
        case 'r': *w++ = '\r'; break;
        case '\\': *w++ = '\\'; break;
        case ';': *w++ = '\\'; *w++ = ';'; break;   /* kept for list splitting */
        default:
          fail (p, SMTPCODES_ERROR_SYNTAX, line, key, "unknown escape '\\%c'", s[i]);
          break;
        }
    }
  *w = '\0';
  return s;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* One list item a[0..b): trimmed in place and added to arr, or refused when it is empty
 * (an empty last item, as after a trailing ';', is allowed). */
static void
take_item (Parser *p, char *a, char *b, gboolean last, const char **arr, guint *k, guint line, const char *key)
{
  *b = '\0';
  while (is_blank (*a))
    a++;
  while (b > a && is_blank (b[-1]))
    *--b = '\0';
  if (*a)
    arr[(*k)++] = a;
  else if (!last)
    fail (p, SMTPCODES_ERROR_INVALID_VALUE, line, key, "empty list item");
}

/* Splits a list value at ';' ("\\;" is a literal ';') in place: the value belongs to one
 * key and is read as a list only, so its text can become the items. */
static const char *const *
split_list (Parser *p, const char *value, guint line, const char *key)
{
  char *r = (char *) value, *w = (char *) value, *item = (char *) value;
  const char **arr;
  guint n = 1, k = 0;
  gsize vlen = strlen (value);

  for (const char *q = value; (q = memchr (q, ';', vlen - (gsize) (q - value))); q++)
    n++;
  arr = _smtpcodes_arena_alloc (p->arena, (n + 1) * sizeof (char *));
  if (memchr (value, '\\', vlen) == NULL)
    {
      /* no escaped ';': the items are cut out where they are */
      const char *end = value + vlen;
      for (char *a = (char *) value;;)
        {
          char *sep = memchr (a, ';', (gsize) (end - a));
          take_item (p, a, sep ? sep : (char *) end, sep == NULL, arr, &k, line, key);
          if (sep == NULL)
            break;
          a = sep + 1;
        }
    }
  else
    for (;;)
      {
        gboolean last = *r == '\0';
        if (last || *r == ';')
          {
            take_item (p, item, w, last, arr, &k, line, key);
            if (last)
              break;
            item = ++w;
            r++;
            continue;
          }
        if (r[0] == '\\' && r[1] == ';')
          {
            *w++ = ';';
            r += 2;
            continue;
          }
        *w++ = *r++;
      }
  if (k == 0)
    fail (p, SMTPCODES_ERROR_INVALID_VALUE, line, key, "empty list");
  return arr;
}

static gboolean
same_lang (const char *a, const char *b)
{
  return a[0] == '\0' ? b[0] == '\0' : strcmp (a, b) == 0;
}

static KV *
find_kv_id (Parser *p, int kid, const char *key, const char *lang)
{
  if (kid >= 0)
    {
      if (lang[0] == '\0')
        return p->plain[kid] >= 0 ? &p->kvs[p->plain[kid]] : NULL;
      for (int i = p->first[kid]; i >= 0; i = p->kvs[i].next)
        if (same_lang (p->kvs[i].lang, lang))
          return &p->kvs[i];
      return NULL;
    }
  for (guint i = 0; i < p->n_kvs; i++)
    {
      KV *kv = &p->kvs[i];
      if (kv->kid < 0 && strcmp (kv->key, key) == 0 && same_lang (kv->lang, lang))
        return kv;
    }
  return NULL;
}

/* Adds a key of the current group (a copy of *kv). */
static void
kv_add (Parser *p, const KV *kv)
{
  KV *n;
  if (p->n_kvs == p->kvs_cap)
    {
      p->kvs_cap *= 2;
      p->kvs = g_renew (KV, p->kvs, p->kvs_cap);
    }
  n = &p->kvs[p->n_kvs];
  *n = *kv;
  n->next = -1;
  if (kv->kid >= 0)
    {
      if (p->first[kv->kid] < 0)
        p->first[kv->kid] = (int) p->n_kvs;
      else
        p->kvs[p->last[kv->kid]].next = (int) p->n_kvs;
      p->last[kv->kid] = (int) p->n_kvs;
      if (kv->lang[0] == '\0')
        p->plain[kv->kid] = (int) p->n_kvs;
    }
  p->n_kvs++;
}

/* Forgets the current group's keys. */
static void
kvs_reset (Parser *p)
{
  for (guint i = 0; i < p->n_kvs; i++)
    if (p->kvs[i].kid >= 0)
      p->first[p->kvs[i].kid] = p->last[p->kvs[i].kid] = p->plain[p->kvs[i].kid] = -1;
  p->n_kvs = 0;
}

/* The plain value of a known key (marked used), or NULL */
static const char *
get_value (Parser *p, int kid, gboolean required)
{
  KV *kv = p->plain[kid] >= 0 ? &p->kvs[p->plain[kid]] : NULL;
  if (kv == NULL)
    {
      if (required)
        fail (p, SMTPCODES_ERROR_MISSING_KEY, p->group_line, key_names[kid], "required key is missing");
      return NULL;
    }
  kv->used = TRUE;
  return kv->value;
}

static guint
kv_line (Parser *p, int kid)
{
  return p->plain[kid] >= 0 ? p->kvs[p->plain[kid]].line : p->group_line;
}

static SmtpcodesL10n
get_l10n (Parser *p, int kid, gboolean required)
{
  guint n = 0, j = 0;
  const char **arr;
  SmtpcodesL10n none = { NULL };
  gboolean has_en = FALSE, has_de = FALSE;
  const char *key = key_names[kid];

  for (int i = p->first[kid]; i >= 0; i = p->kvs[i].next)
    {
      const KV *kv = &p->kvs[i];
      n++;
      has_en |= kv->lang[0] == '\0';
      has_de |= kv->lang[0] == 'd' && kv->lang[1] == 'e' && kv->lang[2] == '\0';
    }
  if (n == 0)
    {
      if (required)
        fail (p, SMTPCODES_ERROR_MISSING_KEY, p->group_line, key, "required key is missing");
      return none;
    }
  if (!has_en)
    {
      fail (p, SMTPCODES_ERROR_MISSING_KEY, p->kvs[p->first[kid]].line, key,
            "a translation is given but the English text (plain key) is missing");
      return none;
    }
  if (!has_de && STRICT (p))
    fail (p, SMTPCODES_ERROR_MISSING_TRANSLATION, kv_line (p, kid), key,
          "German translation %s[de] is missing", key);
  arr = _smtpcodes_arena_alloc (p->arena, (2 * n + 1) * sizeof (char *));
  for (int i = p->first[kid]; i >= 0; i = p->kvs[i].next)
    {
      KV *kv = &p->kvs[i];
      kv->used = TRUE;
      if (kv->value[0] == '\0')
        fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv->line, key, "text is empty");
      arr[j++] = kv->lang;
      arr[j++] = kv->value;
    }
  return (SmtpcodesL10n) { .ptrs = arr };
}

static gboolean
get_bool (Parser *p, int kid, gboolean *set, gboolean dflt)
{
  const char *v = get_value (p, kid, FALSE);
  const char *key = key_names[kid];
  if (set)
    *set = v != NULL;
  if (v == NULL)
    return dflt;
  if (strcmp (v, "true") == 0)
    return TRUE;
  if (strcmp (v, "false") == 0)
    return FALSE;
  fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, kid), key,
        "'%s' is not a boolean (true or false)", v);
  return dflt;
}

static SmtpcodesClass
parse_class (Parser *p, const char *v, guint line, const char *key)
{
  static const char *const names[] = { "", "success", "intermediate", "transient", "permanent" };
  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    if (strcmp (v, names[i]) == 0)
      return (SmtpcodesClass) i;
  fail (p, SMTPCODES_ERROR_INVALID_VALUE, line, key,
        "'%s' is not a class (success, intermediate, transient or permanent)", v);
  return SMTPCODES_CLASS_UNKNOWN;
}

static gboolean
valid_name (const char *s, gboolean upper)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!(upper ? (g_ascii_isupper (*s) || g_ascii_isdigit (*s) || *s == '-')
                : (g_ascii_islower (*s) || g_ascii_isdigit (*s) || *s == '-')))
      return FALSE;
  return TRUE;
}

typedef struct {
  const char *name;     /* NULL ends a spec */
  gboolean    l10n;
  int         kid;      /* KeyId */
} KeySpec;

static const KeySpec module_keys[] = {
  { "Id", FALSE, KEY_Id }, { "Name", TRUE, KEY_Name }, { "Kind", FALSE, KEY_Kind }, { "Version", FALSE, KEY_Version },
  { "FormatVersion", FALSE, KEY_FormatVersion }, { "Description", TRUE, KEY_Description }, { "DetectText", FALSE, KEY_DetectText },
  { "DetectHost", FALSE, KEY_DetectHost }, { NULL, FALSE, -1 }
};
static const KeySpec code_keys[] = {
  { "Summary", TRUE, KEY_Summary }, { "Explanation", TRUE, KEY_Explanation }, { "Advice", TRUE, KEY_Advice }, { "Class", FALSE, KEY_Class },
  { "Reason", FALSE, KEY_Reason }, { "Generic", FALSE, KEY_Generic }, { "Retry", FALSE, KEY_Retry }, { "Source", FALSE, KEY_Source },
  { "Usage", FALSE, KEY_Usage }, { "Status", FALSE, KEY_Status }, { "ReplyCodes", FALSE, KEY_ReplyCodes }, { "Commands", FALSE, KEY_Commands },
  { NULL, FALSE, -1 }
};
static const KeySpec command_keys[] = {
  { "Summary", TRUE, KEY_Summary }, { "Explanation", TRUE, KEY_Explanation }, { "Advice", TRUE, KEY_Advice }, { "Source", FALSE, KEY_Source },
  { "ObsoletedBy", FALSE, KEY_ObsoletedBy }, { "Usage", FALSE, KEY_Usage }, { "Aliases", FALSE, KEY_Aliases }, { NULL, FALSE, -1 }
};
static const KeySpec pattern_keys[] = {
  { "Match", FALSE, KEY_Match }, { "Reason", FALSE, KEY_Reason }, { "Classes", FALSE, KEY_Classes }, { "Status", FALSE, KEY_Status },
  { "Priority", FALSE, KEY_Priority }, { "Summary", TRUE, KEY_Summary }, { "Explanation", TRUE, KEY_Explanation }, { "Advice", TRUE, KEY_Advice },
  { "Source", FALSE, KEY_Source }, { NULL, FALSE, -1 }
};

/* Checks every key of the group against its spec: unknown keys, misplaced locales. */
static void
check_keys (Parser *p, const KeySpec *spec)
{
  guint32 allowed = 0, l10n = 0;

  for (const KeySpec *k = spec; k->name; k++)
    {
      allowed |= 1u << k->kid;
      if (k->l10n)
        l10n |= 1u << k->kid;
    }
  for (guint i = 0; i < p->n_kvs && !p->error; i++)
    {
      KV *kv = &p->kvs[i];
      gboolean known = kv->kid >= 0 && (allowed & (1u << kv->kid));
      char *shown;

      if (kv->kid < 0 && kv->key[0] == 'X' && kv->key[1] == '-')
        {
          kv->used = TRUE;
          continue;
        }
      if (known && (!kv->lang[0] || (l10n & (1u << kv->kid))))
        continue;
      shown = kv->lang[0] ? g_strdup_printf ("%s[%s]", kv->key, kv->lang) : g_strdup (kv->key);
      if (!known)
        fail (p, SMTPCODES_ERROR_UNKNOWN_KEY, kv->line, shown, "unknown key (see docs/module-format.md; private keys start with X-)");
      else
        fail (p, SMTPCODES_ERROR_SYNTAX, kv->line, shown, "this key takes no translations");
      g_free (shown);
    }
}

static const char *
reason_value (Parser *p, int *out)
{
  const char *v = get_value (p, KEY_Reason, TRUE);
  *out = -1;
  if (v == NULL)
    return NULL;
  *out = _smtpcodes_reason_index (v, -1);
  if (*out < 0)
    fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Reason), "Reason",
          "'%s' is not in the reason vocabulary (docs/module-format.md)", v);
  return v;
}

static void
finish_module (Parser *p, SmtpcodesModule *m, const char *expected_id)
{
  const char *v;

  check_keys (p, module_keys);
  m->id = get_value (p, KEY_Id, TRUE);
  m->name = get_l10n (p, KEY_Name, TRUE);
  m->description = get_l10n (p, KEY_Description, FALSE);
  m->kind = get_value (p, KEY_Kind, TRUE);
  m->version = get_value (p, KEY_Version, TRUE);
  v = get_value (p, KEY_FormatVersion, TRUE);
  if (p->error)
    return;
  if (strcmp (v, "1") != 0)
    {
      fail (p, SMTPCODES_ERROR_FORMAT_VERSION, kv_line (p, KEY_FormatVersion), "FormatVersion",
            "format version '%s' is not supported (this library reads version 1)", v);
      return;
    }
  if (!valid_name (m->id, FALSE))
    fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Id), "Id",
          "'%s' is not a module id (lower-case letters, digits and '-')", m->id);
  else if (expected_id && strcmp (m->id, expected_id) != 0)
    fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Id), "Id",
          "'%s' does not match the file name (expected '%s')", m->id, expected_id);
  if (strcmp (m->kind, "standard") == 0)
    m->rank = KIND_STANDARD;
  else if (strcmp (m->kind, "vendor") == 0)
    m->rank = KIND_VENDOR;
  else if (strcmp (m->kind, "site") == 0)
    m->rank = KIND_SITE;
  else
    fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Kind), "Kind",
          "'%s' is not a module kind (standard, vendor or site)", m->kind);
  if ((v = get_value (p, KEY_DetectText, FALSE)))
    m->detect_text = split_list (p, v, kv_line (p, KEY_DetectText), "DetectText");
  if ((v = get_value (p, KEY_DetectHost, FALSE)))
    m->detect_host = split_list (p, v, kv_line (p, KEY_DetectHost), "DetectHost");
}

static gboolean
parse_reply_code_n (const char *s, gsize len, int *code)
{
  if (len != 3 || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
    return FALSE;
  *code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  return *code >= 100 && *code <= 599;
}

static gboolean
parse_reply_code (const char *s, int *code)
{
  if (strlen (s) != 3 || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
    return FALSE;
  *code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  return *code >= 100 && *code <= 599;
}

static void
finish_code (Parser *p, SmtpcodesEntry *e, const char *kindword, const char *rest)
{
  const char *v;
  gboolean is_reply = strcmp (kindword, "Reply") == 0;
  /* rest is "550", "550 5.1.1" or "250 ETRN": words split at single spaces */
  const char *sp = strchr (rest, ' ');
  const char *second = sp ? sp + 1 : NULL;
  guint nparts = 1;

  for (const char *q = rest; *q; q++)
    nparts += *q == ' ';
  e->kind = is_reply ? SMTPCODES_ENTRY_REPLY : SMTPCODES_ENTRY_STATUS;
  e->code = rest;
  check_keys (p, code_keys);
  if (is_reply)
    {
      if (nparts > 2 || !parse_reply_code_n (rest, sp ? (gsize) (sp - rest) : strlen (rest), &e->reply))
        fail (p, SMTPCODES_ERROR_INVALID_CODE, p->group_line, NULL,
              "'%s' is not a reply code (three digits 100-599, optionally followed by a status code or a command)", rest);
      else if (nparts == 2)
        {
          guint c, s, d;
          if (_smtpcodes_parse_status (second, strlen (second), FALSE, &c, &s, &d)
              && c != STATUS_CLASS_X && s != STATUS_ANY_SUBJECT && d != STATUS_ANY_DETAIL)
            {
              e->status = second;
              e->status_key = status_key_make (c, s, d);
            }
          else if (valid_name (second, TRUE) && g_ascii_isalpha (second[0]))
            e->command = second;
          else
            fail (p, SMTPCODES_ERROR_INVALID_CODE, p->group_line, NULL,
                  "'%s' after the reply code is neither a concrete status code nor an SMTP command", second);
        }
      if (get_value (p, KEY_ReplyCodes, FALSE))
        fail (p, SMTPCODES_ERROR_UNKNOWN_KEY, kv_line (p, KEY_ReplyCodes), "ReplyCodes",
              "ReplyCodes belongs to [Status] groups; [Reply] groups use Status");
    }
  else
    {
      guint c, s, d;
      if (nparts != 1 || !_smtpcodes_parse_status (rest, strlen (rest), FALSE, &c, &s, &d))
        fail (p, SMTPCODES_ERROR_INVALID_CODE, p->group_line, NULL,
              "'%s' is not a status code (C.S.D, X.S.D, X.S.XXX or C.XXX.XXX)", rest);
      else
        {
          e->status = e->code;
          e->status_key = status_key_make (c, s, d);
          if (c != STATUS_CLASS_X)
            e->klass = c == 2 ? SMTPCODES_CLASS_SUCCESS : c == 4 ? SMTPCODES_CLASS_TRANSIENT
                                                                  : SMTPCODES_CLASS_PERMANENT;
        }
      if (get_value (p, KEY_Status, FALSE))
        fail (p, SMTPCODES_ERROR_UNKNOWN_KEY, kv_line (p, KEY_Status), "Status",
              "Status belongs to [Reply] groups; [Status] groups use ReplyCodes");
    }
  if (p->error)
    return;

  e->summary = get_l10n (p, KEY_Summary, TRUE);
  e->explanation = get_l10n (p, KEY_Explanation, TRUE);
  e->advice = get_l10n (p, KEY_Advice, TRUE);
  reason_value (p, &e->reason);
  e->source = get_value (p, KEY_Source, TRUE);
  if (is_reply && e->reply)
    {
      int d = e->reply / 100;
      e->klass = d == 2 ? SMTPCODES_CLASS_SUCCESS : d == 3 ? SMTPCODES_CLASS_INTERMEDIATE
               : d == 4 ? SMTPCODES_CLASS_TRANSIENT : d == 5 ? SMTPCODES_CLASS_PERMANENT
               : SMTPCODES_CLASS_UNKNOWN;
    }
  if ((v = get_value (p, KEY_Class, FALSE)))
    {
      if (e->status && e->status[0] == 'X')
        fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Class), "Class",
              "an X. group takes its class from the code looked up; Class is not allowed here");
      else
        e->klass = parse_class (p, v, kv_line (p, KEY_Class), "Class");
    }
  else if (is_reply && e->klass == SMTPCODES_CLASS_UNKNOWN && !p->error)
    fail (p, SMTPCODES_ERROR_MISSING_KEY, p->group_line, "Class",
          "the first digit of %d does not give a class; Class is required", e->reply);
  e->generic = get_bool (p, KEY_Generic, NULL, FALSE);
  e->retry = get_bool (p, KEY_Retry, &e->retry_set, FALSE);
  e->usage = get_value (p, KEY_Usage, FALSE);
  if (e->usage && !g_strv_contains ((const char *const[]) { "standard", "registry", "field", "draft", "obsolete", NULL }, e->usage))
    fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Usage), "Usage",
          "'%s' is not a usage (standard, registry, field, draft or obsolete)", e->usage);
  if (e->usage == NULL)
    e->usage = "standard";
  if ((v = get_value (p, is_reply ? KEY_Status : KEY_ReplyCodes, FALSE)))
    {
      const char *key = is_reply ? "Status" : "ReplyCodes";
      int kid = is_reply ? KEY_Status : KEY_ReplyCodes;
      e->related = split_list (p, v, kv_line (p, kid), key);
      for (guint i = 0; e->related && e->related[i] && !p->error; i++)
        {
          guint c, s, d;
          int rc;
          if (is_reply ? !_smtpcodes_parse_status (e->related[i], strlen (e->related[i]), FALSE, &c, &s, &d)
                       : !parse_reply_code (e->related[i], &rc))
            fail (p, SMTPCODES_ERROR_INVALID_CODE, kv_line (p, kid), key,
                  "'%s' is not a %s", e->related[i], is_reply ? "status code" : "reply code");
        }
    }
  if ((v = get_value (p, KEY_Commands, FALSE)))
    {
      e->commands = split_list (p, v, kv_line (p, KEY_Commands), "Commands");
      for (guint i = 0; e->commands && e->commands[i] && !p->error; i++)
        if (!valid_name (e->commands[i], TRUE))
          fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Commands), "Commands",
                "'%s' is not an SMTP command name (upper case)", e->commands[i]);
    }
}

static void
finish_command (Parser *p, SmtpcodesEntry *e, const char *name)
{
  const char *v;

  e->kind = SMTPCODES_ENTRY_COMMAND;
  e->code = name;
  e->command = e->code;
  check_keys (p, command_keys);
  if (!valid_name (name, TRUE) || !g_ascii_isalpha (name[0]))
    {
      fail (p, SMTPCODES_ERROR_INVALID_VALUE, p->group_line, NULL,
            "'%s' is not an SMTP command name (upper-case letters, digits and '-')", name);
      return;
    }
  e->summary = get_l10n (p, KEY_Summary, TRUE);
  e->explanation = get_l10n (p, KEY_Explanation, TRUE);
  e->advice = get_l10n (p, KEY_Advice, FALSE);
  e->source = get_value (p, KEY_Source, TRUE);
  e->obsoleted_by = get_value (p, KEY_ObsoletedBy, FALSE);
  e->reason = SMTPCODES_REASON_undefined;
  e->usage = get_value (p, KEY_Usage, FALSE);
  if (e->usage && !g_strv_contains ((const char *const[]) { "standard", "field", "obsolete", NULL }, e->usage))
    fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Usage), "Usage",
          "'%s' is not a command usage (standard, field or obsolete)", e->usage);
  if (e->usage == NULL)
    e->usage = "standard";
  if ((v = get_value (p, KEY_Aliases, FALSE)))
    e->aliases = split_list (p, v, kv_line (p, KEY_Aliases), "Aliases");
}

static void
finish_pattern (Parser *p, SmtpcodesEntry *e, const char *name)
{
  const char *v;

  e->kind = SMTPCODES_ENTRY_PATTERN;
  e->code = name;
  check_keys (p, pattern_keys);
  if (!valid_name (name, FALSE))
    {
      fail (p, SMTPCODES_ERROR_INVALID_VALUE, p->group_line, NULL,
            "'%s' is not a pattern name (lower-case letters, digits and '-')", name);
      return;
    }
  if ((v = get_value (p, KEY_Match, TRUE)))
    {
      e->markers = split_list (p, v, kv_line (p, KEY_Match), "Match");
      for (guint i = 0; e->markers && e->markers[i] && !p->error; i++)
        if (strlen (e->markers[i]) < 2)
          fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Match), "Match",
                "marker '%s' is too short to mean anything", e->markers[i]);
    }
  reason_value (p, &e->reason);
  e->summary = get_l10n (p, KEY_Summary, TRUE);
  e->explanation = get_l10n (p, KEY_Explanation, TRUE);
  e->advice = get_l10n (p, KEY_Advice, TRUE);
  e->source = get_value (p, KEY_Source, TRUE);
  e->usage = "standard";
  e->classes = SMTPCODES_CLASS_MASK (SMTPCODES_CLASS_TRANSIENT) | SMTPCODES_CLASS_MASK (SMTPCODES_CLASS_PERMANENT);
  if ((v = get_value (p, KEY_Classes, FALSE)))
    {
      const char *const *list = split_list (p, v, kv_line (p, KEY_Classes), "Classes");
      e->classes = 0;
      for (guint i = 0; list && list[i] && !p->error; i++)
        e->classes |= SMTPCODES_CLASS_MASK (parse_class (p, list[i], kv_line (p, KEY_Classes), "Classes"));
    }
  if ((v = get_value (p, KEY_Status, FALSE)))
    {
      guint c, s, d;
      if (!_smtpcodes_parse_status (v, strlen (v), FALSE, &c, &s, &d) || c == STATUS_CLASS_X
          || s == STATUS_ANY_SUBJECT || d == STATUS_ANY_DETAIL)
        fail (p, SMTPCODES_ERROR_INVALID_CODE, kv_line (p, KEY_Status), "Status",
              "'%s' is not a concrete status code such as 4.7.1", v);
      else
        {
          e->status = v;
          e->status_key = status_key_make (c, s, d);
        }
    }
  if ((v = get_value (p, KEY_Priority, FALSE)))
    {
      char *end;
      gint64 n = g_ascii_strtoll (v, &end, 10);
      if (*v == '\0' || *end != '\0' || n < -1000 || n > 1000)
        fail (p, SMTPCODES_ERROR_INVALID_VALUE, kv_line (p, KEY_Priority), "Priority",
              "'%s' is not an integer from -1000 to 1000", v);
      e->priority = (int) n;
    }
}

typedef enum { GROUP_REPLY, GROUP_STATUS, GROUP_PATTERN, GROUP_COMMAND } GroupKind;

/* The group names seen so far (to reject repeats), open addressing on FNV-1a. */
typedef struct {
  const char *name;    /* NULL: empty */
  guint32     hash;
  guint       line;
} GroupSlot;

typedef struct {
  GroupSlot *slots;
  guint32    mask, n;
} GroupSet;

static guint32
group_hash (const char *s, gsize *len)
{
  guint32 h = 2166136261u;
  const char *q = s;
  for (; *q; q++)
    h = (h ^ (guint8) *q) * 16777619u;
  *len = (gsize) (q - s);
  return h;
}

/* The line where name was seen first, or 0 after adding it at line. */
static guint
group_seen (GroupSet *set, const char *name, guint line)
{
  gsize len;
  guint32 h = group_hash (name, &len), i;
  if (2 * (set->n + 1) > set->mask + 1)
    {
      GroupSlot *old = set->slots;
      guint32 old_size = set->mask + 1;
      set->mask = old_size * 2 - 1;
      set->slots = g_new0 (GroupSlot, set->mask + 1);
      for (guint32 k = 0; k < old_size; k++)
        if (old[k].name)
          {
            for (i = old[k].hash & set->mask; set->slots[i].name; i = (i + 1) & set->mask)
              ;
            set->slots[i] = old[k];
          }
      g_free (old);
    }
  for (i = h & set->mask; set->slots[i].name; i = (i + 1) & set->mask)
    if (set->slots[i].hash == h && strcmp (set->slots[i].name, name) == 0)
      return set->slots[i].line;
  set->slots[i].name = name;
  set->slots[i].hash = h;
  set->slots[i].line = line;
  set->n++;
  return 0;
}

SmtpcodesModule *
_smtpcodes_module_parse (char               *data,
                         gsize               length,
                         const char         *filename,
                         gboolean            builtin,
                         SmtpcodesLoadFlags  flags,
                         SmtpcodesArena     *arena,
                         GError            **error)
{
  Parser p = { .filename = filename, .flags = flags, .arena = arena };
  SmtpcodesModule *m = NULL;
  GArray *entries;
  GroupSet groups = { NULL, 0, 0 };
  char *s = data, *end = data + length;
  const char *bad_utf8;
  guint line = 0;
  char *expected_id = NULL;
  GroupKind gkind = GROUP_REPLY;
  const char *rest = NULL;
  gboolean module_done = FALSE;

  {
    const char *base = strrchr (filename, '/');
    base = base ? base + 1 : filename;
    if (g_str_has_suffix (base, ".codes"))
      expected_id = g_strndup (base, strlen (base) - 6);
  }
  if (length >= 3 && memcmp (s, "\xEF\xBB\xBF", 3) == 0)
    s += 3;
  {
    const char *nul = memchr (data, '\0', length);
    if (nul)
      {
        guint l = 1;
        for (const char *q = data; q < nul; q++)
          l += *q == '\n';
        fail (&p, SMTPCODES_ERROR_SYNTAX, l, NULL, "NUL byte in module text");
        g_propagate_error (error, p.error);
        g_free (expected_id);
        return NULL;
      }
  }

  /* one validation of the whole text; lines are checked one by one only from the first
   * invalid byte on, to name the line */
  {
    /* built-in modules were validated when the library was built (test-all-modules) */
    bad_utf8 = builtin ? end : _smtpcodes_utf8_first_invalid (s, end);
    /* back to the start of that line */
    while (bad_utf8 > s && bad_utf8 < end && bad_utf8[-1] != '\n')
      bad_utf8--;
  }

  m = _smtpcodes_arena_alloc (arena, sizeof *m);
  m->filename = _smtpcodes_arena_strndup (arena, filename, strlen (filename));
  m->builtin = builtin;
  p.kvs_cap = 32;
  p.kvs = g_new (KV, p.kvs_cap);
  memset (p.first, 0xFF, sizeof p.first);
  memset (p.last, 0xFF, sizeof p.last);
  memset (p.plain, 0xFF, sizeof p.plain);
  entries = g_array_sized_new (FALSE, TRUE, sizeof (SmtpcodesEntry), 128);
  groups.mask = 255;
  groups.slots = g_new0 (GroupSlot, groups.mask + 1);

  /* Each iteration handles one line; a group is finished when the next starts or at EOF.
   * Names and values are cut out of the text in place (a NUL written after each), so that
   * loading copies nothing. */
  for (;;)
    {
      char *eol, *ln, *lend;
      gboolean at_end = s >= end;

      if (!at_end)
        {
          eol = memchr (s, '\n', (gsize) (end - s));
          if (eol == NULL)
            eol = end;
          line++;
          ln = s;
          lend = eol;
          s = eol < end ? eol + 1 : end;
          if (lend > ln && lend[-1] == '\r')
            lend--;
          while (ln < lend && (*ln == ' ' || *ln == '\t'))
            ln++;
          if (G_UNLIKELY (ln >= bad_utf8) && !g_utf8_validate (ln, lend - ln, NULL))
            {
              fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL, "line is not valid UTF-8");
              break;
            }
          if (ln == lend || *ln == '#')
            continue;
        }
      else
        ln = lend = NULL;

      if (at_end || *ln == '[')
        {
          /* finish the current group */
          if (p.group)
            {
              if (!module_done)
                {
                  finish_module (&p, m, builtin ? NULL : expected_id);
                  module_done = TRUE;
                }
              else
                {
                  SmtpcodesEntry e = { 0 };
                  e.line = p.group_line;
                  if (gkind == GROUP_PATTERN)
                    finish_pattern (&p, &e, rest);
                  else if (gkind == GROUP_COMMAND)
                    finish_command (&p, &e, rest);
                  else
                    finish_code (&p, &e, gkind == GROUP_REPLY ? "Reply" : "Status", rest);
                  g_array_append_val (entries, e);
                }
              if (p.error)
                break;
            }
          if (at_end)
            break;
          kvs_reset (&p);
          if (lend[-1] != ']' || lend - ln < 3)
            {
              p.group = NULL;
              fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL, "group header must be '[Name]'");
              break;
            }
          lend[-1] = '\0';
          p.group = ln + 1;
          p.group_line = line;
          {
            guint first = group_seen (&groups, p.group, line);
            if (first)
              {
                fail (&p, SMTPCODES_ERROR_DUPLICATE, line, NULL, "group appears twice (first at line %u)", first);
                break;
              }
          }
          if (!module_done)
            {
              if (strcmp (p.group, "Module") != 0)
                {
                  fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL, "the first group must be [Module]");
                  break;
                }
            }
          else
            {
              const char *sp = strchr (p.group, ' ');
              gsize kl;
              if (sp == NULL || sp[1] == '\0')
                {
                  fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL,
                        "group name must be 'Reply <code>', 'Status <code>', 'Pattern <name>' or 'Command <NAME>'");
                  break;
                }
              kl = (gsize) (sp - p.group);
              rest = sp + 1;
              if (kl == 5 && memcmp (p.group, "Reply", 5) == 0)
                gkind = GROUP_REPLY;
              else if (kl == 6 && memcmp (p.group, "Status", 6) == 0)
                gkind = GROUP_STATUS;
              else if (kl == 7 && memcmp (p.group, "Pattern", 7) == 0)
                gkind = GROUP_PATTERN;
              else if (kl == 7 && memcmp (p.group, "Command", 7) == 0)
                gkind = GROUP_COMMAND;
              else
                {
                  fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL,
                        "unknown group kind '%.*s' (Reply, Status, Pattern or Command)", (int) kl, p.group);
                  break;
                }
            }
          continue;
        }

      /* Key=Value */
      {
        char *eq = memchr (ln, '=', (gsize) (lend - ln));
        char *kend, *vstart, *vend, *lb;
        KV kv = { 0 };

        if (p.group == NULL)
          {
            fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL, "key outside of any group");
            break;
          }
        if (eq == NULL)
          {
            fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL, "line is neither '[Group]' nor 'Key=Value'");
            break;
          }
        kend = eq;
        while (kend > ln && (kend[-1] == ' ' || kend[-1] == '\t'))
          kend--;
        vstart = eq + 1;
        while (vstart < lend && (*vstart == ' ' || *vstart == '\t'))
          vstart++;
        vend = lend;
        while (vend > vstart && (vend[-1] == ' ' || vend[-1] == '\t'))
          vend--;
        lb = memchr (ln, '[', (gsize) (kend - ln));
        if (lb)
          {
            if (kend[-1] != ']' || kend - lb < 3)
              {
                fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL, "malformed locale in key");
                break;
              }
            *lb = '\0';
            kend[-1] = '\0';
            kv.key = ln;
            kv.lang = lb + 1;
            for (const char *q = kv.lang; *q; q++)
              if (!(g_ascii_isalnum (*q) || *q == '_' || *q == '@' || *q == '.' || *q == '-'))
                {
                  fail (&p, SMTPCODES_ERROR_SYNTAX, line, kv.key, "malformed locale '%s'", kv.lang);
                  break;
                }
          }
        else
          {
            *kend = '\0';
            kv.key = ln;
            kv.lang = "";
          }
        if (p.error)
          break;
        if (kv.key[0] == '\0')
          {
            fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL, "empty key name");
            break;
          }
        /* a known key is well-formed; others are checked */
        kv.kid = key_id_n (kv.key, (gsize) ((lb ? lb : kend) - ln));
        if (kv.kid < 0)
          for (const char *q = kv.key; *q; q++)
            if (!(g_ascii_isalnum (*q) || *q == '-'))
              {
                fail (&p, SMTPCODES_ERROR_SYNTAX, line, NULL, "malformed key name '%s'", kv.key);
                break;
              }
        if (p.error)
          break;
        {
          KV *dup = find_kv_id (&p, kv.kid, kv.key, kv.lang);
          if (dup)
            {
              char *shown = kv.lang[0] ? g_strdup_printf ("%s[%s]", kv.key, kv.lang) : g_strdup (kv.key);
              fail (&p, SMTPCODES_ERROR_DUPLICATE, line, shown, "key appears twice in the group (first at line %u)", dup->line);
              g_free (shown);
              break;
            }
        }
        kv.value = unescape (&p, vstart, (gsize) (vend - vstart), line, kv.key);
        kv.line = line;
        if (p.error)
          break;
        kv_add (&p, &kv);
      }
    }

  if (!p.error && !module_done)
    fail (&p, SMTPCODES_ERROR_SYNTAX, line ? line : 1, NULL, "the module has no [Module] group");

  g_free (expected_id);
  g_free (p.kvs);
  g_free (groups.slots);
  if (p.error)
    {
      g_array_unref (entries);
      g_propagate_error (error, p.error);
      return NULL;
    }
  m->n_entries = entries->len;
  m->entries = _smtpcodes_arena_alloc (arena, MAX (1, entries->len) * sizeof (SmtpcodesEntry));
  if (entries->len)
    memcpy (m->entries, entries->data, entries->len * sizeof (SmtpcodesEntry));
  for (guint i = 0; i < m->n_entries; i++)
    m->entries[i].module = m;
  g_array_unref (entries);
  return m;
}
