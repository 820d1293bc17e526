/* test-matcher: the Aho-Corasick matcher (compiled in from its source) against a naive
 * search, on markers that overlap a lot, share prefixes and suffixes, repeat, use bytes
 * above 0x7F and upper case, and on texts long and short. */
#include "config.h"

#include <string.h>

#include "smtpcodes-private.h"
#include "smtpcodes-builtin.h"

typedef struct {
  gsize end;
  guint length;
  guint index;    /* insertion index of the marker */
} Hit;

typedef struct {
  GArray *hits;
  guint   stop_after;   /* 0: never stop */
} Collect;

static gboolean
collect (const SmtpcodesMatch *match, gsize end, gpointer user_data)
{
  Collect *c = user_data;
  Hit h = { end, match->length, GPOINTER_TO_UINT (match->payload) };
  g_assert_cmpuint (match->length, ==, strlen (match->marker));
  g_assert_cmpuint (match->tag, ==, h.index % 3);
  g_array_append_val (c->hits, h);
  return c->stop_after == 0 || c->hits->len < c->stop_after;
}

static int
cmp_hit (gconstpointer a, gconstpointer b)
{
  const Hit *x = a, *y = b;
  /* the matcher's order: by end, longest first, then the last added first */
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  if (x->length != y->length)
    return x->length > y->length ? -1 : 1;
  return x->index > y->index ? -1 : x->index < y->index;
}

static GArray *
naive (char **markers, guint n, const char *text, gsize len)
{
  GArray *hits = g_array_new (FALSE, FALSE, sizeof (Hit));
  GPtrArray *by_first[256];   /* marker indexes by their first byte, lower-cased */
  for (guint b = 0; b < 256; b++)
    by_first[b] = g_ptr_array_new ();
  for (guint k = 0; k < n; k++)
    g_ptr_array_add (by_first[(guint8) g_ascii_tolower (markers[k][0])], GUINT_TO_POINTER (k));
  for (gsize i = 0; i < len; i++)
    {
      GPtrArray *cand = by_first[(guint8) g_ascii_tolower (text[i])];
      for (guint j = 0; j < cand->len; j++)
        {
          guint k = GPOINTER_TO_UINT (cand->pdata[j]);
          gsize ml = strlen (markers[k]);
          /* g_ascii_strncasecmp stops at a NUL; texts here have none */
          if (i + ml <= len && g_ascii_strncasecmp (text + i, markers[k], ml) == 0)
            {
              Hit h = { i + ml - 1, (guint) ml, k };
              g_array_append_val (hits, h);
            }
        }
    }
  for (guint b = 0; b < 256; b++)
    g_ptr_array_unref (by_first[b]);
  g_array_sort (hits, cmp_hit);
  return hits;
}

static char *
random_string (GRand *r, const char *alphabet, guint min, guint max)
{
  guint n = (guint) g_rand_int_range (r, (gint32) min, (gint32) max + 1);
  gsize na = strlen (alphabet);
  char *s = g_malloc (n + 1);
  for (guint i = 0; i < n; i++)
    s[i] = alphabet[g_rand_int_range (r, 0, (gint32) na)];
  s[n] = '\0';
  return s;
}

static guint n_narrow, n_wide;   /* cases with 16-bit and with 32-bit tables */
static guint n_composite;        /* cases also checked with a precomputed part */

static void
check_hits (GArray *got, GArray *want)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < want->len; i++)
    {
      Hit *a = &g_array_index (got, Hit, i), *b = &g_array_index (want, Hit, i);
      g_assert_cmpuint (a->end, ==, b->end);
      g_assert_cmpuint (a->length, ==, b->length);
      g_assert_cmpuint (a->index, ==, b->index);
    }
}

/* The markers [lo, hi) in an automaton of their own, exported as gen-builtin does it and
 * given as the base of a matcher over the others ([0, lo) before it, [hi, n) after): the
 * two scans together must report what one automaton over all of them does, in its order. */
static void
check_composite (char **markers, guint n, guint lo, guint hi, const char *text, gsize len, GArray *want)
{
  SmtpcodesMatcher *part = _smtpcodes_matcher_new (), *m;
  SmtpcodesBuiltinAutomaton a;
  SmtpcodesMatch *matches;
  guint32 n_edges, n_list;
  Collect c = { g_array_new (FALSE, FALSE, sizeof (Hit)), 0 };

  for (guint k = lo; k < hi; k++)
    _smtpcodes_matcher_add (part, markers[k], k % 3, NULL);
  _smtpcodes_matcher_build (part);
  if (!_smtpcodes_matcher_export (part, &a, &n_edges, &n_list))
    {
      _smtpcodes_matcher_free (part);
      g_array_unref (c.hits);
      return;
    }
  n_composite++;
  g_assert_cmpuint (a.n_outs, ==, hi - lo);
  matches = g_new (SmtpcodesMatch, MAX (hi - lo, 1));
  for (guint k = lo; k < hi; k++)
    matches[k - lo] = (SmtpcodesMatch) { GUINT_TO_POINTER (k), (guint) strlen (markers[k]), k % 3, markers[k] };
  m = _smtpcodes_matcher_new ();
  for (guint k = 0; k < lo; k++)
    _smtpcodes_matcher_add (m, markers[k], k % 3, GUINT_TO_POINTER (k));
  _smtpcodes_matcher_set_base (m, &a, matches);
  for (guint k = hi; k < n; k++)
    _smtpcodes_matcher_add (m, markers[k], k % 3, GUINT_TO_POINTER (k));
  _smtpcodes_matcher_build (m);
  _smtpcodes_matcher_scan (m, text, len, collect, &c);
  check_hits (c.hits, want);
  /* stopping inside the base's matches, and inside the matcher's own */
  for (guint stop = 1; stop <= want->len && stop < 40; stop += 1 + stop / 4)
    {
      g_array_set_size (c.hits, 0);
      c.stop_after = stop;
      _smtpcodes_matcher_scan (m, text, len, collect, &c);
      g_assert_cmpuint (c.hits->len, ==, stop);
      for (guint i = 0; i < stop; i++)
        g_assert_cmpuint (g_array_index (c.hits, Hit, i).index, ==, g_array_index (want, Hit, i).index);
    }
  _smtpcodes_matcher_free (m);
  _smtpcodes_matcher_free (part);
  g_free ((gpointer) a.out_list);
  g_array_unref (c.hits);
}

static void
check_case (char **markers, guint n, const char *text, gsize len)
{
  SmtpcodesMatcher *m = _smtpcodes_matcher_new ();
  Collect c = { g_array_new (FALSE, FALSE, sizeof (Hit)), 0 };
  GArray *want = naive (markers, n, text, len);

  for (guint k = 0; k < n; k++)
    _smtpcodes_matcher_add (m, markers[k], k % 3, GUINT_TO_POINTER (k));
  _smtpcodes_matcher_build (m);
  if (_smtpcodes_matcher_is_narrow (m))
    n_narrow++;
  else
    n_wide++;
  _smtpcodes_matcher_scan (m, text, len, collect, &c);
  check_hits (c.hits, want);
  /* the same markers with a precomputed part: in the middle, at the start, at the end,
   * and all of them */
  check_composite (markers, n, n / 3, n - n / 3, text, len, want);
  check_composite (markers, n, 0, n / 2, text, len, want);
  check_composite (markers, n, n / 2, n, text, len, want);
  check_composite (markers, n, 0, n, text, len, want);
  /* a callback that says stop ends the scan at once */
  if (want->len > 3)
    {
      g_array_set_size (c.hits, 0);
      c.stop_after = 3;
      _smtpcodes_matcher_scan (m, text, len, collect, &c);
      g_assert_cmpuint (c.hits->len, ==, 3);
    }
  g_array_unref (c.hits);
  g_array_unref (want);
  _smtpcodes_matcher_free (m);
}

/* Few letters, so that markers overlap, nest and share long prefixes and suffixes (deep
 * states with several children, fail chains through deep states). */
static void
test_random_small_alphabet (void)
{
  GRand *r = g_rand_new_with_seed (1);
  n_narrow = n_wide = n_composite = 0;
  for (int round = 0; round < 200; round++)
    {
      guint n = (guint) g_rand_int_range (r, 1, 60);
      char **markers = g_new0 (char *, n + 1);
      char *text;
      for (guint k = 0; k < n; k++)
        markers[k] = random_string (r, "abcAB c", 1, 9);
      /* repeats of a marker, in another case */
      if (n > 2)
        {
          g_free (markers[n - 1]);
          markers[n - 1] = g_ascii_strup (markers[0], -1);
        }
      text = random_string (r, "abcABC x", 0, 3000);
      check_case (markers, n, text, strlen (text));
      g_free (text);
      g_strfreev (markers);
    }
  g_rand_free (r);
  /* few markers: every code fits in 16 bits */
  g_assert_cmpuint (n_narrow, ==, 200);
  g_assert_cmpuint (n_composite, ==, 4 * 200);
}

/* Words and bytes above 0x7F (UTF-8 text), with bytes no marker has in the text. */
static void
test_random_words (void)
{
  GRand *r = g_rand_new_with_seed (2);
  const char *alpha = "etaoinshrdlu \xC3\xA4\xC3\xB6\xC3\xBC\xE2\x80\x99-.:";
  for (int round = 0; round < 50; round++)
    {
      guint n = (guint) g_rand_int_range (r, 1, 400);
      char **markers = g_new0 (char *, n + 1);
      char *text;
      for (guint k = 0; k < n; k++)
        markers[k] = random_string (r, alpha, 2, 20);
      text = random_string (r, "etaoinshrdluETAOIN \xC3\xA4\xC3\xB6\xC3\xBC\xE2\x80\x99-.:0123<>@", 0, 5000);
      check_case (markers, n, text, strlen (text));
      g_free (text);
      g_strfreev (markers);
    }
  g_rand_free (r);
}

/* So many distinct two-byte prefixes that full rows for depth 2 would be too large: the
 * matcher keeps rows for depth 1 only. */
static void
test_many_bytes (void)
{
  GRand *r = g_rand_new_with_seed (3);
  char alpha[256];
  guint na = 0, n = 6000;
  char **markers = g_new0 (char *, n + 1);
  char *text;
  for (int b = 0x21; b < 0x100; b++)
    if (!(b >= 'A' && b <= 'Z'))
      alpha[na++] = (char) b;
  alpha[na] = '\0';
  for (guint k = 0; k < n; k++)
    markers[k] = random_string (r, alpha, 2, 4);
  text = random_string (r, alpha, 4000, 4000);
  n_narrow = n_wide = 0;
  check_case (markers, n, text, strlen (text));
  /* rows of 256 cells for some 200 states: the codes need 32 bits */
  g_assert_cmpuint (n_wide, ==, 1);
  g_free (text);
  g_strfreev (markers);
  g_rand_free (r);
}

static void
test_edges (void)
{
  char *one[] = { "ab", NULL };
  char *nested[] = { "a", "aa", "aaa", "aaaa", "A", NULL };
  char *chain[] = { "abcdefghijklmnop", "cdefghijklmnopq", "efgh", "p", NULL };
  SmtpcodesMatcher *m;
  Collect c = { g_array_new (FALSE, FALSE, sizeof (Hit)), 0 };

  check_case (one, 1, "", 0);
  check_case (one, 1, "a", 1);
  check_case (one, 1, "xaBab", 5);
  check_case (nested, 5, "aaaaaaaaaaAAAAAAaaaa", 20);
  check_case (chain, 4, "abcdefghijklmnopqrabcdefghijklmnoabcdefghijklmnopq", 50);
  /* a text that stops inside a deep state */
  check_case (chain, 4, "xxabcdefghij", 12);

  /* no markers at all */
  m = _smtpcodes_matcher_new ();
  _smtpcodes_matcher_build (m);
  _smtpcodes_matcher_scan (m, "abc", 3, collect, &c);
  g_assert_cmpuint (c.hits->len, ==, 0);
  _smtpcodes_matcher_free (m);
  /* freed without being built */
  m = _smtpcodes_matcher_new ();
  _smtpcodes_matcher_add (m, "abc", 0, NULL);
  _smtpcodes_matcher_free (m);
  g_array_unref (c.hits);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/matcher/edges", test_edges);
  g_test_add_func ("/matcher/random-small-alphabet", test_random_small_alphabet);
  g_test_add_func ("/matcher/random-words", test_random_words);
  g_test_add_func ("/matcher/many-bytes", test_many_bytes);
  return g_test_run ();
}
