/* smtpcodes-matcher.c: Aho-Corasick multi-substring search, ASCII case-insensitive
 *
 * All text patterns and vendor markers of a registry go into one automaton, so that
 * classifying a reply reads its text once, whatever the number of patterns. After the
 * trie is built it is turned into a deterministic automaton over byte classes: every
 * byte that occurs in some marker has a class of its own, all other bytes share class 0,
 * and each step of the scan is one table look-up.
 */
#include "config.h"

#include <string.h>

#include "smtpcodes-private.h"

typedef struct {
  SmtpcodesMatch match;
  guint32        next;   /* next output of the same node, or NONE */
} Out;

typedef struct {
  gsize          lower;     /* offset of the marker in lower case in lowered */
  SmtpcodesMatch match;
} Pending;

struct _SmtpcodesMatcher {
  GArray     *pending;     /* Pending, until built */
  GString    *lowered;     /* the pending markers in lower case, each ending with a NUL */
  GArray     *outs;        /* Out */
  guint32     n_nodes;
  guint32     n_dense;     /* nodes 0 .. n_dense-1 (the shallow ones) have full rows */
  guint8      cls[256];
  guint       n_cls;
  guint32    *dense;       /* n_dense * n_cls: target node */
  guint32    *edge_start;  /* per node + 1: its children in edge_cls/edge_to (sparse nodes) */
  guint8     *edge_cls;
  guint32    *edge_to;
  guint32    *fail;        /* per node: the longest proper suffix in the trie */
  guint32    *dict;        /* per node: nearest node with outputs on the fail chain (itself first), or NONE */
  guint32    *out_head;    /* per node: first Out, or NONE */
  gboolean    built;
};

#define NONE G_MAXUINT32
/* States up to this depth get a full transition row: a scan spends nearly all its time
 * there, and deeper states are few steps from one. */
#define DENSE_DEPTH 2
/* In dense rows the top bit says that a marker ends at the target. */
#define HAS_OUT 0x80000000u

SmtpcodesMatcher *
_smtpcodes_matcher_new (void)
{
  SmtpcodesMatcher *m = g_new0 (SmtpcodesMatcher, 1);
  m->pending = g_array_sized_new (FALSE, FALSE, sizeof (Pending), 1024);
  m->lowered = g_string_sized_new (16 * 1024);
  m->outs = g_array_new (FALSE, FALSE, sizeof (Out));
  return m;
}

void
_smtpcodes_matcher_add (SmtpcodesMatcher *m, const char *marker, guint tag, gconstpointer payload)
{
  Pending p;

  g_return_if_fail (!m->built);
  g_return_if_fail (marker[0] != '\0');
  p.lower = m->lowered->len;
  p.match.payload = payload;
  p.match.length = (guint) strlen (marker);
  for (guint i = 0; i < p.match.length; i++)
    g_string_append_c (m->lowered, g_ascii_tolower (marker[i]));
  g_string_append_c (m->lowered, '\0');
  p.match.tag = tag;
  p.match.marker = marker;
  g_array_append_val (m->pending, p);
}

static int
cmp_pending (gconstpointer a, gconstpointer b, gpointer lowered)
{
  return strcmp ((const char *) lowered + ((const Pending *) a)->lower,
                 (const char *) lowered + ((const Pending *) b)->lower);
}

void
_smtpcodes_matcher_build (SmtpcodesMatcher *m)
{
  guint32 *child_first, *child_next, *path, *trie_out, *bfs_of, *order, *depth;
  guint8 *node_byte;
  guint head = 0, tail = 0, max_len = 1, total = 1, n_trie = 1;
  const char *prev = "";

  g_return_if_fail (!m->built);
  /* The trie, from the markers in sorted order: each marker shares the path of its longest
   * common prefix with the one before it, so no look-up is needed to find children. */
  g_array_sort_with_data (m->pending, cmp_pending, m->lowered->str);
  for (guint i = 0; i < m->pending->len; i++)
    {
      guint l = g_array_index (m->pending, Pending, i).match.length;
      max_len = MAX (max_len, l);
      total += l;
    }
  node_byte = g_new0 (guint8, total);
  child_first = g_new (guint32, total);
  child_next = g_new (guint32, total);
  trie_out = g_new (guint32, total);
  memset (child_first, 0xFF, total * sizeof (guint32));
  memset (child_next, 0xFF, total * sizeof (guint32));
  memset (trie_out, 0xFF, total * sizeof (guint32));
  path = g_new (guint32, max_len + 1);
  path[0] = 0;
  memset (m->cls, 0, sizeof m->cls);
  m->n_cls = 1;
  for (guint i = 0; i < m->pending->len; i++)
    {
      Pending *p = &g_array_index (m->pending, Pending, i);
      const char *lower = m->lowered->str + p->lower;
      gsize l = 0, len = p->match.length;
      Out o;
      while (prev[l] && prev[l] == lower[l])
        l++;
      for (gsize d = l; d < len; d++)
        {
          guint32 c = n_trie++;
          guint8 b = (guint8) lower[d];
          node_byte[c] = b;
          child_next[c] = child_first[path[d]];
          child_first[path[d]] = c;
          path[d + 1] = c;
          if (m->cls[b] == 0)
            m->cls[b] = (guint8) m->n_cls++;
        }
      o.match = p->match;
      o.next = trie_out[path[len]];
      g_array_append_val (m->outs, o);
      trie_out[path[len]] = m->outs->len - 1;
      prev = lower;
    }
  for (int b = 'A'; b <= 'Z'; b++)   /* upper-case letters scan like lower-case ones */
    m->cls[b] = m->cls[b - 'A' + 'a'];

  /* Number the nodes in breadth-first order, so that the shallow ones come first. */
  m->n_nodes = n_trie;
  order = g_new (guint32, n_trie);     /* BFS id -> trie node */
  bfs_of = g_new (guint32, n_trie);    /* trie node -> BFS id */
  depth = g_new0 (guint32, n_trie);    /* by BFS id */
  order[tail++] = 0;
  while (head < tail)
    {
      guint32 t = order[head];
      bfs_of[t] = head;
      for (guint32 c = child_first[t]; c != NONE; c = child_next[c])
        {
          depth[tail] = depth[head] + 1;
          order[tail++] = c;
        }
      head++;
    }
  m->n_dense = 0;
  while (m->n_dense < n_trie && depth[m->n_dense] <= DENSE_DEPTH)
    m->n_dense++;

  m->fail = g_new0 (guint32, n_trie);
  m->dict = g_new (guint32, n_trie);
  m->out_head = g_new (guint32, n_trie);
  m->edge_start = g_new (guint32, n_trie + 1);
  m->edge_cls = g_new (guint8, MAX (1, n_trie - 1));
  m->edge_to = g_new (guint32, MAX (1, n_trie - 1));
  m->dense = g_new0 (guint32, (gsize) m->n_dense * m->n_cls);
  {
    guint32 e = 0;
    for (guint32 n = 0; n < n_trie; n++)
      {
        guint32 t = order[n];
        m->out_head[n] = trie_out[t];
        m->edge_start[n] = e;
        for (guint32 c = child_first[t]; c != NONE; c = child_next[c])
          {
            m->edge_cls[e] = m->cls[node_byte[c]];
            m->edge_to[e] = bfs_of[c];
            e++;
          }
      }
    m->edge_start[n_trie] = e;
  }
  /* fail links and dense rows, in BFS order (a node's fail link is shallower) */
  m->dict[0] = NONE;
  for (guint32 n = 0; n < n_trie; n++)
    {
      if (n < m->n_dense && n != 0)
        memcpy (m->dense + (gsize) n * m->n_cls, m->dense + (gsize) m->fail[n] * m->n_cls,
                m->n_cls * sizeof (guint32));
      for (guint32 e = m->edge_start[n]; e < m->edge_start[n + 1]; e++)
        {
          guint32 c = m->edge_to[e];
          guint cl = m->edge_cls[e];
          if (n == 0)
            m->fail[c] = 0;
          else
            {
              /* follow fail links from n's suffix until one has a child for cl */
              guint32 f = m->fail[n];
              for (;;)
                {
                  guint32 next = NONE;
                  if (f < m->n_dense)
                    {
                      next = m->dense[(gsize) f * m->n_cls + cl];
                      m->fail[c] = next;
                      break;
                    }
                  for (guint32 k = m->edge_start[f]; k < m->edge_start[f + 1]; k++)
                    if (m->edge_cls[k] == cl)
                      next = m->edge_to[k];
                  if (next != NONE)
                    {
                      m->fail[c] = next;
                      break;
                    }
                  f = m->fail[f];
                }
            }
          m->dict[c] = m->out_head[c] != NONE ? c : m->dict[m->fail[c]];
          if (n < m->n_dense)
            m->dense[(gsize) n * m->n_cls + cl] = c;
        }
    }
  /* Scan states are codes, not node numbers: a dense node's code is the offset of its row
   * (no multiplication per byte), a sparse node's is limit + its number; the top bit of a
   * dense entry says that a marker ends at the target. */
  {
    gsize cells = (gsize) m->n_dense * m->n_cls;
    for (gsize i = 0; i < cells; i++)
      {
        guint32 target = m->dense[i];
        m->dense[i] = (target < m->n_dense ? target * m->n_cls : (guint32) cells + target)
                      | (m->dict[target] != NONE ? HAS_OUT : 0);
      }
  }
  g_free (order);
  g_free (bfs_of);
  g_free (depth);
  g_free (path);
  g_free (node_byte);
  g_free (child_first);
  g_free (child_next);
  g_free (trie_out);
  g_clear_pointer (&m->pending, g_array_unref);
  g_string_free (m->lowered, TRUE);
  m->lowered = NULL;
  m->built = TRUE;
}

void
_smtpcodes_matcher_free (SmtpcodesMatcher *m)
{
  if (m == NULL)
    return;
  if (m->pending)
    g_array_unref (m->pending);
  if (m->lowered)
    g_string_free (m->lowered, TRUE);
  g_array_unref (m->outs);
  g_free (m->dense);
  g_free (m->edge_start);
  g_free (m->edge_cls);
  g_free (m->edge_to);
  g_free (m->fail);
  g_free (m->dict);
  g_free (m->out_head);
  g_free (m);
}

void
_smtpcodes_matcher_scan (const SmtpcodesMatcher *m, const char *text, gsize len,
                         SmtpcodesMatchFunc func, gpointer user_data)
{
  guint32 state = 0;
  const guint32 *dense = m->dense, *fail = m->fail, *dict = m->dict, *out_head = m->out_head;
  const guint32 *edge_start = m->edge_start, *edge_to = m->edge_to;
  const guint8 *edge_cls = m->edge_cls;
  const Out *outs = (const Out *) (gconstpointer) m->outs->data;
  const guint n_cls = m->n_cls, n_dense = m->n_dense;
  const guint8 *cls = m->cls;

  const guint32 limit = n_dense * n_cls;
  guint32 code = 0;

  if (!m->built || m->n_nodes <= 1)
    return;
  (void) state;
  for (gsize i = 0; i < len; i++)
    {
      guint cl = cls[(guint8) text[i]];
      guint32 node;
      if (G_LIKELY (code < limit))
        {
          code = dense[code + cl];
          if (G_LIKELY (!(code & HAS_OUT)))
            continue;
          code &= ~HAS_OUT;
          node = code < limit ? code / n_cls : code - limit;
        }
      else
        {
          /* a deep state: its own edges, else its fail links down to a dense state */
          node = code - limit;
          for (;;)
            {
              guint32 next = NONE;
              if (node < n_dense)
                {
                  code = dense[(gsize) node * n_cls + cl] & ~HAS_OUT;
                  node = code < limit ? code / n_cls : code - limit;
                  break;
                }
              for (guint32 e = edge_start[node]; e < edge_start[node + 1]; e++)
                if (edge_cls[e] == cl)
                  {
                    next = edge_to[e];
                    break;
                  }
              if (next != NONE)
                {
                  node = next;
                  code = node < n_dense ? node * n_cls : (guint32) limit + node;
                  break;
                }
              node = fail[node];
            }
        }
      /* every marker ending here: this node's, then those of its suffixes */
      for (guint32 d = dict[node]; d != NONE; d = dict[fail[d]])
        {
          for (guint32 o = out_head[d]; o != NONE; o = outs[o].next)
            if (!func (&outs[o].match, i, user_data))
              return;
          if (d == 0)
            break;
        }
    }
}
