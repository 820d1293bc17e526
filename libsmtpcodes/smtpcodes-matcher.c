/* smtpcodes-matcher.c: Aho-Corasick multi-substring search, ASCII case-insensitive
 *
 * All text patterns and vendor markers of a registry go into one automaton, so that
 * classifying a reply reads its text once, whatever the number of patterns. Markers go
 * into a trie as they are added; building numbers its nodes breadth-first, computes the
 * fail links and turns the shallow part into a deterministic automaton over byte classes:
 * every byte that occurs in some marker has a class of its own, all other bytes share
 * class 0, and each step of the scan in a shallow state is one table look-up. Deep states
 * (few, and rarely more than one child each) keep their edges in a list and a fail code.
 */
#include "config.h"

#include <string.h>

#include "smtpcodes-private.h"
#include "smtpcodes-builtin.h"

typedef struct {
  SmtpcodesMatch match;
  guint32        next;   /* next output of the same node, or NONE */
} Out;

/* A deep (sparse) state. Most have one child or none: that edge is inline, the others in
 * a list. A state without children has class 0 and code 0 (the root) inline, which is
 * right: no marker has a byte of class 0, so every state goes to the root on it. Deep
 * states are numbered depth first, so that a text following a marker walks consecutive
 * entries (a state's first child comes right after it). */
typedef SmtpcodesSparse32 Sparse;
/* first_code: the first child's code; fail_code: the code of its fail state, without
 * HAS_OUT; edge: the other children are edge_cls/edge_code[edge .. edge + n_edges) */

/* (gen-builtin stores the built-in automaton's with this layout) */
typedef SmtpcodesSparse16 Sparse16;

struct _SmtpcodesMatcher {
  /* the trie, while markers are added (freed by build) */
  guint32     n_trie, cap;
  guint8     *node_byte;   /* the lower-cased byte of the edge into the node */
  guint32    *child_first;
  guint32    *child_next;
  guint32    *trie_out;    /* first Out of the node, or NONE */
  guint32    *root_child;  /* 256: the root's children by byte */
  Out        *outs;
  guint32     n_outs, outs_cap;

  /* the automaton */
  gboolean    built;
  guint32     n_nodes;
  guint32     n_dense;     /* nodes 0 .. n_dense-1 (the shallow ones) have full rows */
  guint       shift;       /* a row has 1 << shift cells, at least n_cls */
  guint32     limit;       /* n_dense << shift: codes below are dense rows */
  guint8      cls[256];
  guint32    *dense;       /* n_dense rows: codes */
  Sparse     *sparse;      /* per deep node (n - n_dense), plus one to end the last's edges */
  guint8     *edge_cls;
  guint32    *edge_code;
  /* When every code fits in 15 bits (the usual case), the tables are stored again at
   * half the size, which keeps the rows in the first-level cache; the 32-bit ones are
   * freed then. */
  gboolean    narrow;
  guint16    *dense16;
  Sparse16   *sparse16;
  guint16    *edge_code16;
  guint32    *fail;        /* per node: the longest proper suffix in the trie */
  guint32    *dict;        /* per node: nearest node with outputs on the fail chain (itself first), or NONE */
  guint32    *out_head;    /* per node: first Out, or NONE */
  /* per node: where its markers (its own, then its suffixes') start in out_list, which
   * holds them in report order, each run ending with NULL; the scan reads these */
  guint32    *out_at;
  const SmtpcodesMatch **out_list;
  guint32     n_list, n_edges;

  /* a precomputed automaton scanned too (_smtpcodes_matcher_set_base), whose markers come
   * after the first n_pre of outs */
  const SmtpcodesBuiltinAutomaton *base;
  SmtpcodesMatch *base_matches;
  guint32     n_pre;
};

#define NONE G_MAXUINT32
/* States up to this depth get a full transition row: a scan spends most of its time
 * there, and deeper states are few steps from one. */
#define DENSE_DEPTH 2
/* ... unless that takes more than this many cells (4 MiB) */
#ifndef MAX_DENSE_CELLS
#define MAX_DENSE_CELLS (1u << 20)
#endif
/* Scan states are codes: a dense node's code is the offset of its row (no multiplication
 * per byte), a deep node's is limit + its number minus n_dense. The top bit of a code in a
 * row or an edge says that a marker ends at the target. */
#define HAS_OUT 0x80000000u

SmtpcodesMatcher *
_smtpcodes_matcher_new (void)
{
  SmtpcodesMatcher *m = g_new0 (SmtpcodesMatcher, 1);
  m->cap = 512;
  m->node_byte = g_new (guint8, m->cap);
  m->child_first = g_new (guint32, m->cap);
  m->child_next = g_new (guint32, m->cap);
  m->trie_out = g_new (guint32, m->cap);
  m->root_child = g_new (guint32, 256);
  memset (m->root_child, 0xFF, 256 * sizeof (guint32));
  m->n_trie = 1;
  m->node_byte[0] = 0;
  m->child_first[0] = m->child_next[0] = m->trie_out[0] = NONE;
  m->outs_cap = 64;
  m->outs = g_new (Out, m->outs_cap);
  return m;
}

static guint32
trie_node_new (SmtpcodesMatcher *m, guint32 parent, guint8 b)
{
  guint32 c;
  if (m->n_trie == m->cap)
    {
      m->cap *= 2;
      m->node_byte = g_renew (guint8, m->node_byte, m->cap);
      m->child_first = g_renew (guint32, m->child_first, m->cap);
      m->child_next = g_renew (guint32, m->child_next, m->cap);
      m->trie_out = g_renew (guint32, m->trie_out, m->cap);
    }
  c = m->n_trie++;
  m->node_byte[c] = b;
  m->child_first[c] = NONE;
  m->trie_out[c] = NONE;
  m->child_next[c] = m->child_first[parent];
  m->child_first[parent] = c;
  if (parent == 0)
    m->root_child[b] = c;
  return c;
}

void
_smtpcodes_matcher_add (SmtpcodesMatcher *m, const char *marker, guint tag, gconstpointer payload)
{
  guint32 node = 0;
  gsize len;
  Out *o;

  g_return_if_fail (!m->built);
  g_return_if_fail (marker[0] != '\0');
  for (len = 0; marker[len]; len++)
    {
      guint8 b = (guint8) marker[len];
      guint32 c;
      if (b >= 'A' && b <= 'Z')
        b += 'a' - 'A';
      if (node == 0)
        c = m->root_child[b];
      else
        for (c = m->child_first[node]; c != NONE && m->node_byte[c] != b; c = m->child_next[c])
          ;
      node = c != NONE ? c : trie_node_new (m, node, b);
    }
  if (m->n_outs == m->outs_cap)
    {
      m->outs_cap *= 2;
      m->outs = g_renew (Out, m->outs, m->outs_cap);
    }
  o = &m->outs[m->n_outs];
  o->match.payload = payload;
  o->match.length = (guint) len;
  o->match.tag = tag;
  o->match.marker = marker;
  /* a node's outputs run from the last added to the first */
  o->next = m->trie_out[node];
  m->trie_out[node] = m->n_outs++;
}

static void
trie_free (SmtpcodesMatcher *m)
{
  g_clear_pointer (&m->node_byte, g_free);
  g_clear_pointer (&m->child_first, g_free);
  g_clear_pointer (&m->child_next, g_free);
  g_clear_pointer (&m->trie_out, g_free);
  g_clear_pointer (&m->root_child, g_free);
}

static inline guint32
code_node (const SmtpcodesMatcher *m, guint32 code)
{
  code &= ~HAS_OUT;
  return code < m->limit ? code >> m->shift : code - m->limit + m->n_dense;
}

static inline guint32
node_code (const SmtpcodesMatcher *m, guint32 node)
{
  return node < m->n_dense ? node << m->shift : m->limit + (node - m->n_dense);
}

void
_smtpcodes_matcher_build (SmtpcodesMatcher *m)
{
  const guint32 n_trie = m->n_trie;
  const guint8 *node_byte = m->node_byte;
  const guint32 *child_first = m->child_first, *child_next = m->child_next;
  guint32 *order, *bfs_of, *fail, *dict, *out_head, *dense, *edge_code;
  guint8 *depth, *edge_cls, *cls = m->cls;
  Sparse *sparse;
  guint32 head = 0, tail = 0, n_cls = 1, n_dense, limit, e = 0;
  guint shift = 0;

  g_return_if_fail (!m->built);

  /* byte classes, from the bytes the markers use (upper-case letters scan like lower-case) */
  memset (cls, 0, sizeof m->cls);
  for (guint32 c = 1; c < n_trie; c++)
    if (cls[node_byte[c]] == 0)
      cls[node_byte[c]] = (guint8) n_cls++;   /* at most 1 + 255 - 26 classes */
  for (int b = 'A'; b <= 'Z'; b++)
    cls[b] = cls[b - 'A' + 'a'];
  while ((1u << shift) < n_cls)
    shift++;

  /* Number the nodes in breadth-first order, so that the shallow ones come first. */
  order = g_new (guint32, n_trie);     /* BFS id -> trie node */
  bfs_of = g_new (guint32, n_trie);    /* trie node -> BFS id */
  depth = g_new (guint8, n_trie);      /* by BFS id, capped */
  order[tail] = 0;
  depth[tail++] = 0;
  for (; head < tail; head++)
    {
      guint32 t = order[head];
      guint8 d = (guint8) MIN (depth[head] + 1, 255);
      bfs_of[t] = head;
      for (guint32 c = child_first[t]; c != NONE; c = child_next[c])
        {
          depth[tail] = d;
          order[tail++] = c;
        }
    }
  n_dense = 0;
  while (n_dense < n_trie && depth[n_dense] <= DENSE_DEPTH)
    n_dense++;
  if (((gsize) n_dense << shift) > MAX_DENSE_CELLS)
    {
      /* markers over many distinct bytes: rows for the root and its children only */
      n_dense = 0;
      while (n_dense < n_trie && depth[n_dense] <= 1)
        n_dense++;
    }
  limit = n_dense << shift;
  m->n_nodes = n_trie;
  m->n_dense = n_dense;
  m->shift = shift;
  m->limit = limit;

  m->fail = fail = g_new (guint32, n_trie);
  m->dict = dict = g_new (guint32, n_trie);
  m->out_head = out_head = g_new (guint32, n_trie);
  m->sparse = sparse = g_new (Sparse, MAX (n_trie - n_dense, 1));
  m->edge_cls = edge_cls = g_new (guint8, n_trie);
  m->edge_code = edge_code = g_new (guint32, n_trie);
  /* every row but the root's is copied from its fail state's row before its own edges */
  m->dense = dense = g_new (guint32, (gsize) n_dense << shift);
  memset (dense, 0, sizeof (guint32) << shift);

#define CODE_NODE(code) (((code) & ~HAS_OUT) < limit ? ((code) & ~HAS_OUT) >> shift \
                                                     : ((code) & ~HAS_OUT) - limit + n_dense)
#define NODE_CODE(node) ((node) < n_dense ? (node) << shift : limit + ((node) - n_dense))
  /* Fail links, outputs and transitions in BFS order: a node's fail link is shallower, so
   * its row (dense) or its fail chain (deep) is complete when the node's children need it. */
  /* Node numbers: the shallow (dense) nodes keep their BFS numbers; the deep ones are
   * numbered depth first, first child first (bfs_of becomes trie node -> number). */
  {
    guint32 *stack = g_new (guint32, n_trie), top = 0, next = n_dense;
    stack[top++] = 0;
    while (top)
      {
        guint32 t = stack[--top], k = top;
        if (bfs_of[t] >= n_dense)
          bfs_of[t] = next++;
        /* push the children so that the first is popped first */
        for (guint32 c = child_first[t]; c != NONE; c = child_next[c])
          stack[top++] = c;
        for (guint32 a = k, b = top; a + 1 < b; a++, b--)
          {
            guint32 x = stack[a];
            stack[a] = stack[b - 1];
            stack[b - 1] = x;
          }
      }
    g_free (stack);
  }
  fail[0] = 0;
  dict[0] = NONE;
  for (guint32 n = 0; n < n_trie; n++)
    out_head[bfs_of[order[n]]] = m->trie_out[order[n]];
  /* in BFS order (order[] is still by BFS id) */
  for (guint32 bn = 0; bn < n_trie; bn++)
    {
      guint32 t = order[bn], n = bfs_of[t], fn = fail[n];
      guint32 *row = NULL;
      if (n < n_dense)
        {
          row = dense + ((gsize) n << shift);
          if (n != 0)
            memcpy (row, dense + ((gsize) fn << shift), sizeof (guint32) << shift);
        }
      else
        {
          sparse[n - n_dense].first_cls = 0;
          sparse[n - n_dense].first_code = 0;
          sparse[n - n_dense].edge = e;
          sparse[n - n_dense].n_edges = 0;
          sparse[n - n_dense].unused = 0;
          sparse[n - n_dense].fail_code = NODE_CODE (fn);
        }
      for (guint32 tc = child_first[t]; tc != NONE; tc = child_next[tc])
        {
          guint32 c = bfs_of[tc], f = 0, target;
          guint cl = cls[node_byte[tc]];
          if (n != 0)
            /* the transition on cl from n's suffix: a row, or edges then its fail link */
            for (f = fn;;)
              {
                guint32 k, end;
                if (f < n_dense)
                  {
                    f = CODE_NODE (dense[((gsize) f << shift) + cl]);
                    break;
                  }
                if (sparse[f - n_dense].first_cls == cl)
                  {
                    f = CODE_NODE (sparse[f - n_dense].first_code);
                    break;
                  }
                k = sparse[f - n_dense].edge;
                end = k + sparse[f - n_dense].n_edges;
                while (k < end && edge_cls[k] != cl)
                  k++;
                if (k < end)
                  {
                    f = CODE_NODE (edge_code[k]);
                    break;
                  }
                f = fail[f];
              }
          fail[c] = f;
          dict[c] = out_head[c] != NONE ? c : dict[f];
          target = NODE_CODE (c) | (dict[c] != NONE ? HAS_OUT : 0);
          if (row)
            row[cl] = target;
          else if (tc == child_first[t])
            {
              sparse[n - n_dense].first_cls = cl;
              sparse[n - n_dense].first_code = target;
            }
          else
            {
              edge_cls[e] = (guint8) cl;
              edge_code[e] = target;
              e++;
              sparse[n - n_dense].n_edges++;   /* at most 228: one class each */
            }
        }
    }
#undef CODE_NODE
#undef NODE_CODE
  /* every node's markers in one run, in the order the dict and fail links give them */
  {
    guint32 n_list = 0, k = 0;
    m->out_at = g_new (guint32, n_trie);
    for (guint32 n = 0; n < n_trie; n++)
      if (dict[n] != NONE)
        {
          for (guint32 d = dict[n]; d != NONE; d = dict[fail[d]])
            for (guint32 o = out_head[d]; o != NONE; o = m->outs[o].next)
              n_list++;
          n_list++;
        }
    m->out_list = g_new (const SmtpcodesMatch *, MAX (n_list, 1));
    m->n_list = n_list;
    for (guint32 n = 0; n < n_trie; n++)
      {
        m->out_at[n] = k;
        if (dict[n] == NONE)
          continue;
        for (guint32 d = dict[n]; d != NONE; d = dict[fail[d]])
          for (guint32 o = out_head[d]; o != NONE; o = m->outs[o].next)
            m->out_list[k++] = &m->outs[o].match;
        m->out_list[k++] = NULL;
      }
  }
  m->n_edges = e;
  /* the narrow tables, when every code fits (codes < 0x8000, with 0x8000 for HAS_OUT) */
  if ((gsize) limit + (n_trie - n_dense) <= 0x7FFF)
    {
      gsize cells = (gsize) n_dense << shift;
#define NARROW(code) ((guint16) (((code) & ~HAS_OUT) | ((code) & HAS_OUT ? 0x8000u : 0)))
      m->dense16 = g_new (guint16, MAX (cells, 1));
      for (gsize i = 0; i < cells; i++)
        m->dense16[i] = NARROW (dense[i]);
      m->sparse16 = g_new (Sparse16, MAX (n_trie - n_dense, 1));
      for (guint32 i = 0; i < n_trie - n_dense; i++)
        {
          m->sparse16[i].first_code = NARROW (sparse[i].first_code);
          m->sparse16[i].fail_code = NARROW (sparse[i].fail_code);
          m->sparse16[i].edge = (guint16) sparse[i].edge;   /* < n_trie */
          m->sparse16[i].first_cls = sparse[i].first_cls;
          m->sparse16[i].n_edges = sparse[i].n_edges;
        }
      m->edge_code16 = g_new (guint16, MAX (e, 1));
      for (guint32 i = 0; i < e; i++)
        m->edge_code16[i] = NARROW (edge_code[i]);
#undef NARROW
      m->narrow = TRUE;
      g_clear_pointer (&m->dense, g_free);
      g_clear_pointer (&m->sparse, g_free);
      g_clear_pointer (&m->edge_code, g_free);
    }
  /* the scan needs none of these */
  g_clear_pointer (&m->fail, g_free);
  g_clear_pointer (&m->dict, g_free);
  g_clear_pointer (&m->out_head, g_free);
  g_free (order);
  g_free (bfs_of);
  g_free (depth);
  trie_free (m);
  m->built = TRUE;
}

void
_smtpcodes_matcher_free (SmtpcodesMatcher *m)
{
  if (m == NULL)
    return;
  trie_free (m);
  g_free (m->outs);
  g_free (m->dense);
  g_free (m->sparse);
  g_free (m->edge_cls);
  g_free (m->edge_code);
  g_free (m->dense16);
  g_free (m->sparse16);
  g_free (m->edge_code16);
  g_free (m->fail);
  g_free (m->dict);
  g_free (m->out_head);
  g_free (m->out_at);
  g_free (m->out_list);
  g_free (m->base_matches);
  g_free (m);
}

/* Reports every marker that ends at the node (its own, then those of its suffixes); FALSE
 * when the callback says stop. */
static gboolean G_GNUC_NO_INLINE
report (const SmtpcodesMatcher *m, guint32 node, gsize end, SmtpcodesMatchFunc func, gpointer user_data)
{
  for (const SmtpcodesMatch *const *o = m->out_list + m->out_at[node]; *o; o++)
    if (!func (*o, end, user_data))
      return FALSE;
  return TRUE;
}

/* The scan, for 32-bit or 16-bit tables (CELL, SPARSE, OUT_BIT, and the arrays); REPORT
 * (code, end) reports the markers of the state code (without OUT_BIT), FALSE to stop. */
#define SCAN_BODY(CELL, SPARSE, OUT_BIT, DENSE, SPARSES, EDGE_CODE, CLS, EDGE_CLS, LIMIT, REPORT) \
  const CELL *dense = DENSE; \
  const SPARSE *sparse = SPARSES; \
  const CELL *edge_code = EDGE_CODE; \
  const guint8 *cls = CLS, *edge_cls = EDGE_CLS; \
  const guint8 *p = (const guint8 *) text, *end = p + len; \
  const gsize limit = LIMIT; \
  gsize code = 0; \
  for (;;) \
    { \
      /* the shallow states: one look-up a byte, four at a time (a code at or above \
       * limit is a deep state or has outputs) */ \
      while (G_LIKELY (code < limit)) \
        { \
          if (G_LIKELY (end - p >= 4)) \
            { \
              code = dense[code + cls[p[0]]]; \
              if (G_UNLIKELY (code >= limit)) \
                { \
                  p += 1; \
                  break; \
                } \
              code = dense[code + cls[p[1]]]; \
              if (G_UNLIKELY (code >= limit)) \
                { \
                  p += 2; \
                  break; \
                } \
              code = dense[code + cls[p[2]]]; \
              if (G_UNLIKELY (code >= limit)) \
                { \
                  p += 3; \
                  break; \
                } \
              code = dense[code + cls[p[3]]]; \
              p += 4; \
            } \
          else \
            { \
              if (p == end) \
                return; \
              code = dense[code + cls[*p++]]; \
            } \
        } \
      if (G_UNLIKELY (code & OUT_BIT)) \
        { \
          code &= ~(gsize) OUT_BIT; \
          if (!(REPORT ((guint32) code, (gsize) (p - 1 - (const guint8 *) text)))) \
            return; \
          continue; \
        } \
      if (p == end) \
        return; \
      { \
        /* a deep state: its first child, its other edges, else the transition of its \
         * fail state */ \
        guint cl = cls[*p++]; \
        for (;;) \
          { \
            const SPARSE *sp = &sparse[code - limit]; \
            guint32 e, e_end; \
            if (sp->first_cls == cl) \
              { \
                code = sp->first_code; \
                break; \
              } \
            for (e = sp->edge, e_end = e + sp->n_edges; e < e_end; e++) \
              if (edge_cls[e] == cl) \
                break; \
            if (e < e_end) \
              { \
                code = edge_code[e]; \
                break; \
              } \
            code = sp->fail_code; \
            if (code < limit) \
              { \
                code = dense[code + cl]; \
                break; \
              } \
          } \
      } \
    }

#define REPORT_OWN(code, at) report (m, code_node (m, code), at, func, user_data)

static void
scan_narrow (const SmtpcodesMatcher *m, const char *text, gsize len, SmtpcodesMatchFunc func, gpointer user_data)
{
  SCAN_BODY (guint16, Sparse16, 0x8000u, m->dense16, m->sparse16, m->edge_code16, m->cls, m->edge_cls,
             m->limit, REPORT_OWN)
}

static void
scan_wide (const SmtpcodesMatcher *m, const char *text, gsize len, SmtpcodesMatchFunc func, gpointer user_data)
{
  SCAN_BODY (guint32, Sparse, HAS_OUT, m->dense, m->sparse, m->edge_code, m->cls, m->edge_cls,
             m->limit, REPORT_OWN)
}

static void
scan_own (const SmtpcodesMatcher *m, const char *text, gsize len, SmtpcodesMatchFunc func, gpointer user_data)
{
  if (m->n_nodes <= 1)
    return;
  if (m->narrow)
    scan_narrow (m, text, len, func, user_data);
  else
    scan_wide (m, text, len, func, user_data);
}

/* ---- with a precomputed automaton: two scans, one order ---------------------------------- */

/* A match of either automaton, with its place in the order of all markers (rank): the
 * matcher's own first n_pre markers, then the base's, then the matcher's others. One
 * automaton over all of them reports by end, then longest first (the fail chain), then the
 * last added first (a node's outputs). */
typedef struct {
  const SmtpcodesMatch *match;
  gsize                 end;
  guint32               rank;
} Hit;

typedef struct {
  const SmtpcodesMatcher *m;
  Hit                    *hits;
  guint32                 n, cap, next;
  Hit                     buf[32];
  SmtpcodesMatchFunc      func;
  gpointer                user_data;
  gboolean                stopped;
} Merge;

static inline gboolean
hit_before (const Hit *a, gsize end, guint length, guint32 rank)
{
  if (a->end != end)
    return a->end < end;
  if (a->match->length != length)
    return a->match->length > length;
  return a->rank > rank;
}

static gboolean
collect_own (const SmtpcodesMatch *match, gsize end, gpointer user_data)
{
  Merge *mg = user_data;
  guint32 idx = (guint32) ((const Out *) (gconstpointer) match - mg->m->outs);
  Hit *h;
  if (G_UNLIKELY (mg->n == mg->cap))
    {
      mg->cap *= 2;
      if (mg->hits == mg->buf)
        {
          mg->hits = g_new (Hit, mg->cap);
          memcpy (mg->hits, mg->buf, sizeof mg->buf);
        }
      else
        mg->hits = g_renew (Hit, mg->hits, mg->cap);
    }
  h = &mg->hits[mg->n++];
  h->match = match;
  h->end = end;
  h->rank = idx < mg->m->n_pre ? idx : idx + mg->m->base->n_outs;
  return TRUE;
}

/* Reports the base's markers of a state, after the matcher's own that come first. */
static gboolean G_GNUC_NO_INLINE
report_base (Merge *mg, guint32 code, gsize end)
{
  const SmtpcodesBuiltinAutomaton *b = mg->m->base;
  guint32 node = code < b->limit ? code >> b->shift : code - b->limit + b->n_dense;
  for (const guint32 *o = b->out_list + b->out_at[node]; *o != SMTPCODES_BUILTIN_NONE; o++)
    {
      const SmtpcodesMatch *match = &mg->m->base_matches[*o];
      guint32 rank = mg->m->n_pre + *o;
      while (mg->next < mg->n && hit_before (&mg->hits[mg->next], end, match->length, rank))
        {
          const Hit *h = &mg->hits[mg->next++];
          if (!mg->func (h->match, h->end, mg->user_data))
            return !(mg->stopped = TRUE);
        }
      if (!mg->func (match, end, mg->user_data))
        return !(mg->stopped = TRUE);
    }
  return TRUE;
}

#define REPORT_BASE(code, at) report_base (mg, code, at)

static void
scan_base_narrow (Merge *mg, const char *text, gsize len)
{
  const SmtpcodesBuiltinAutomaton *b = mg->m->base;
  SCAN_BODY (guint16, Sparse16, 0x8000u, b->dense, b->sparse, b->edge_code, b->cls, b->edge_cls,
             b->limit, REPORT_BASE)
}

static void
scan_base_wide (Merge *mg, const char *text, gsize len)
{
  const SmtpcodesBuiltinAutomaton *b = mg->m->base;
  SCAN_BODY (guint32, Sparse, HAS_OUT, b->dense32, b->sparse32, b->edge_code32, b->cls, b->edge_cls,
             b->limit, REPORT_BASE)
}

static void
scan_merged (const SmtpcodesMatcher *m, const char *text, gsize len, SmtpcodesMatchFunc func, gpointer user_data)
{
  Merge mg;
  mg.m = m;
  mg.hits = mg.buf;
  mg.n = mg.next = 0;
  mg.cap = G_N_ELEMENTS (mg.buf);
  mg.func = func;
  mg.user_data = user_data;
  mg.stopped = FALSE;
  /* the matcher's own (usually a few cues), then the base's with them in order */
  scan_own (m, text, len, collect_own, &mg);
  if (m->base->n_nodes > 1)
    {
      if (m->base->dense32)
        scan_base_wide (&mg, text, len);
      else
        scan_base_narrow (&mg, text, len);
    }
  if (!mg.stopped)
    while (mg.next < mg.n)
      {
        const Hit *h = &mg.hits[mg.next++];
        if (!func (h->match, h->end, user_data))
          break;
      }
  if (mg.hits != mg.buf)
    g_free (mg.hits);
}

void
_smtpcodes_matcher_scan (const SmtpcodesMatcher *m, const char *text, gsize len,
                         SmtpcodesMatchFunc func, gpointer user_data)
{
  if (!m->built)
    return;
  if (m->base)
    scan_merged (m, text, len, func, user_data);
  else
    scan_own (m, text, len, func, user_data);
}

gboolean
_smtpcodes_matcher_is_narrow (const SmtpcodesMatcher *m)
{
  return m->narrow;
}

void
_smtpcodes_matcher_set_base (SmtpcodesMatcher *m, const SmtpcodesBuiltinAutomaton *base, SmtpcodesMatch *matches)
{
  g_return_if_fail (!m->built && m->base == NULL);
  m->base = base;
  m->base_matches = matches;
  m->n_pre = m->n_outs;
}

gboolean
_smtpcodes_matcher_export (const SmtpcodesMatcher *m, SmtpcodesBuiltinAutomaton *out,
                           guint32 *n_edges, guint32 *n_list)
{
  guint32 *list;

  g_return_val_if_fail (m->built && m->base == NULL, FALSE);
  memset (out, 0, sizeof *out);
  out->n_nodes = m->n_nodes;
  out->n_dense = m->n_dense;
  out->shift = m->shift;
  out->limit = m->limit;
  out->n_outs = m->n_outs;
  memcpy (out->cls, m->cls, sizeof out->cls);
  if (m->narrow)
    {
      out->dense = m->dense16;
      out->sparse = m->sparse16;
      out->edge_code = m->edge_code16;
    }
  else
    {
      out->dense32 = m->dense;
      out->sparse32 = m->sparse;
      out->edge_code32 = m->edge_code;
    }
  out->edge_cls = m->edge_cls;
  out->out_at = m->out_at;
  list = g_new (guint32, MAX (m->n_list, 1));
  for (guint32 i = 0; i < m->n_list; i++)
    list[i] = m->out_list[i] ? (guint32) ((const Out *) (gconstpointer) m->out_list[i] - m->outs)
                             : SMTPCODES_BUILTIN_NONE;
  out->out_list = list;
  *n_edges = m->n_edges;
  *n_list = m->n_list;
  return TRUE;
}
