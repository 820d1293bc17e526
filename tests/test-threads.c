/* test-threads: one registry shared by eight threads, with no locks */
#include <string.h>
#include <libsmtpcodes/smtpcodes.h>

static const char *const replies[] = {
  "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table",
  "451 4.7.1 Greylisted: this server defers first-time senders, retry soon",
  "552 5.2.2 Mailbox full",
  "571",
  "5.7.99",
  "450 5.2.3 too large",
  "250 2.0.0 Ok: queued",
  "Diagnostic-Code: smtp; 554 5.7.1 Message rejected as spam",
};

typedef struct {
  SmtpcodesRegistry *reg;
  char              *expected[G_N_ELEMENTS (replies)];
  gboolean           ok;
} Work;

static char *
fingerprint (SmtpcodesRegistry *reg, const char *text)
{
  SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg, text, -1, NULL, NULL);
  char *expl = smtpcodes_verdict_get_explanation (v, (strlen (text) % 2) ? "de" : "en");
  char *fp = g_strdup_printf ("%s|%s|%d|%u|%s", smtpcodes_verdict_get_reason (v),
                              smtpcodes_class_to_string (smtpcodes_verdict_get_class (v)),
                              smtpcodes_verdict_is_hard_bounce (v),
                              smtpcodes_verdict_get_n_alternatives (v), expl);
  g_free (expl);
  smtpcodes_verdict_unref (v);
  return fp;
}

static gpointer
worker (gpointer data)
{
  Work *w = data;
  for (int round = 0; round < 2000; round++)
    {
      guint i = (guint) round % G_N_ELEMENTS (replies);
      char *fp = fingerprint (w->reg, replies[i]);
      GPtrArray *list = smtpcodes_registry_lookup (w->reg, NULL, "550 5.7.1", NULL);
      if (!g_str_equal (fp, w->expected[i]) || list->len == 0)
        w->ok = FALSE;
      g_ptr_array_unref (list);
      g_free (fp);
    }
  return NULL;
}

static void
test_shared_registry (void)
{
  Work w = { 0 };
  GThread *threads[8];
  const char *empty[] = { NULL };

  w.reg = smtpcodes_registry_new (empty, SMTPCODES_LOAD_DEFAULT, NULL);
  w.ok = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    w.expected[i] = fingerprint (w.reg, replies[i]);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("worker", worker, &w);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_true (w.ok);
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    g_free (w.expected[i]);
  smtpcodes_registry_unref (w.reg);
}

/* The automaton is built by the first text explained: eight threads explaining texts the
 * moment a fresh registry exists get what a registry built beforehand gives. */
/* all threads start together: they wait for the gate to open (with a condition, not a
 * spin, which valgrind's one-thread-at-a-time scheduler runs for minutes) */
typedef struct {
  GMutex   lock;
  GCond    cond;
  gboolean open;
} Gate;

typedef struct {
  SmtpcodesRegistry *reg;
  Gate              *gate;
  guint              start;   /* where the thread starts in the list */
  char              *got[G_N_ELEMENTS (replies)];
} First;

static gpointer
first_scan (gpointer data)
{
  First *f = data;
  g_mutex_lock (&f->gate->lock);
  while (!f->gate->open)
    g_cond_wait (&f->gate->cond, &f->gate->lock);
  g_mutex_unlock (&f->gate->lock);
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    f->got[i] = fingerprint (f->reg, replies[(i + f->start) % G_N_ELEMENTS (replies)]);
  return NULL;
}

static void
first_scan_concurrent (const char *const *path)
{
  SmtpcodesRegistry *ref = smtpcodes_registry_new (path, SMTPCODES_LOAD_DEFAULT, NULL);
  char *expected[G_N_ELEMENTS (replies)];

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    expected[i] = fingerprint (ref, replies[i]);
  for (int round = 0; round < 20; round++)
    {
      First f[8];
      GThread *threads[8];
      Gate gate;
      SmtpcodesRegistry *reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_DEFAULT, NULL);
      g_mutex_init (&gate.lock);
      g_cond_init (&gate.cond);
      gate.open = FALSE;
      for (guint t = 0; t < 8; t++)
        {
          f[t].reg = reg;
          f[t].gate = &gate;
          f[t].start = t;
          threads[t] = g_thread_new ("first", first_scan, &f[t]);
        }
      g_mutex_lock (&gate.lock);
      gate.open = TRUE;
      g_cond_broadcast (&gate.cond);
      g_mutex_unlock (&gate.lock);
      for (guint t = 0; t < 8; t++)
        {
          g_thread_join (threads[t]);
          for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
            {
              g_assert_cmpstr (f[t].got[i], ==, expected[(i + t) % G_N_ELEMENTS (replies)]);
              g_free (f[t].got[i]);
            }
        }
      smtpcodes_registry_unref (reg);
      g_cond_clear (&gate.cond);
      g_mutex_clear (&gate.lock);
    }
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    g_free (expected[i]);
  smtpcodes_registry_unref (ref);
}

static void
test_first_scan_concurrent (void)
{
  const char *empty[] = { NULL };
  first_scan_concurrent (empty);
}

/* the same with the shipped module files on the search path: loaded from their
 * precompiled form, with the automaton made when the library was built */
static void
test_first_scan_concurrent_shipped (void)
{
  char *dir = g_test_build_filename (G_TEST_DIST, "..", "data", "modules", NULL);
  const char *path[] = { dir, NULL };
  first_scan_concurrent (path);
  g_free (dir);
}

static gpointer
get_default (gpointer data)
{
  return smtpcodes_registry_get_default ();
}

/* The default registry is built once, even when many threads ask at the same moment. */
static void
test_default_once (void)
{
  GThread *threads[8];
  gpointer seen[8];
  for (guint i = 0; i < 8; i++)
    threads[i] = g_thread_new ("default", get_default, NULL);
  for (guint i = 0; i < 8; i++)
    seen[i] = g_thread_join (threads[i]);
  for (guint i = 1; i < 8; i++)
    g_assert_true (seen[i] == seen[0]);
  g_assert_nonnull (seen[0]);
}

/* Registries and entries passed between threads, the last reference dropped anywhere. */
static gpointer
drop_ref (gpointer data)
{
  smtpcodes_entry_unref (data);
  return NULL;
}

static void
test_refs_across_threads (void)
{
  const char *empty[] = { NULL };
  for (int round = 0; round < 20; round++)
    {
      SmtpcodesRegistry *reg = smtpcodes_registry_new (empty, SMTPCODES_LOAD_DEFAULT, NULL);
      GPtrArray *list = smtpcodes_registry_lookup (reg, NULL, "5.1.1", NULL);
      GThread *threads[4];
      for (guint i = 0; i < 4; i++)
        threads[i] = g_thread_new ("drop", drop_ref, smtpcodes_entry_ref (list->pdata[0]));
      g_ptr_array_unref (list);
      smtpcodes_registry_unref (reg);
      for (guint i = 0; i < 4; i++)
        g_thread_join (threads[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/threads/shared-registry", test_shared_registry);
  g_test_add_func ("/threads/first-scan-concurrent", test_first_scan_concurrent);
  g_test_add_func ("/threads/first-scan-concurrent-shipped", test_first_scan_concurrent_shipped);
  g_test_add_func ("/threads/default-once", test_default_once);
  g_test_add_func ("/threads/refs-across-threads", test_refs_across_threads);
  return g_test_run ();
}
