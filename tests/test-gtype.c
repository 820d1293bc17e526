/* test-gtype: the library does not link GObject (smtpcodes-private.h). A program that uses
 * it without GObject, as this one (linked with GLib only), never loads GObject; the first
 * call of a _get_type() function loads it, from any thread, and registers real boxed types. */
#include "config.h"

#include <dlfcn.h>
#include <string.h>
#include <libsmtpcodes/smtpcodes.h>
#include "test-common.h"

static gboolean
gobject_loaded (void)
{
  void *h = dlopen (SMTPCODES_GOBJECT_SONAME, RTLD_NOW | RTLD_NOLOAD);
  if (h)
    dlclose (h);   /* (only the reference NOLOAD took) */
  return h != NULL;
}

/* a GObject function, looked up: this program cannot call GObject directly */
static gpointer
gobject_func (const char *name)
{
  void *h = dlopen (SMTPCODES_GOBJECT_SONAME, RTLD_NOW | RTLD_NOLOAD);
  void *sym;
  g_assert_nonnull (h);
  sym = dlsym (h, name);
  dlclose (h);
  g_assert_nonnull (sym);
  return sym;
}

/* Loading modules, parsing, explaining, listing: no GObject. */
static void
test_not_loaded (void)
{
  SmtpcodesRegistry *reg;
  SmtpcodesReply *reply;
  SmtpcodesVerdict *v;

  g_assert_false (gobject_loaded ());
  reg = smtpcodes_registry_new (NULL, SMTPCODES_LOAD_DEFAULT, NULL);
  g_assert_nonnull (reg);
  reply = smtpcodes_registry_parse_reply (reg, "550 5.1.1 <x@example.org>: Recipient address rejected", -1, NULL);
  g_assert_nonnull (reply);
  v = smtpcodes_registry_explain (reg, reply, NULL);
  g_assert_nonnull (v);
  {
    char *summary = smtpcodes_verdict_get_summary (v, NULL);
    g_assert_nonnull (summary);
    g_free (summary);
  }
  smtpcodes_verdict_unref (v);
  smtpcodes_reply_unref (reply);
  smtpcodes_registry_unref (reg);
  g_assert_false (gobject_loaded ());
}

typedef GType (*GetType) (void);
static const struct { GetType get_type; const char *name; } types[] = {
  { smtpcodes_entry_get_type, "SmtpcodesEntry" },
  { smtpcodes_reply_get_type, "SmtpcodesReply" },
  { smtpcodes_verdict_get_type, "SmtpcodesVerdict" },
  { smtpcodes_report_get_type, "SmtpcodesReport" },
  { smtpcodes_recipient_get_type, "SmtpcodesRecipient" },
};

static GMutex start_lock;
static GCond start_cond;
static gboolean started;

static gpointer
get_types (gpointer data)
{
  GType *out = g_new (GType, G_N_ELEMENTS (types));
  g_mutex_lock (&start_lock);
  while (!started)
    g_cond_wait (&start_cond, &start_lock);
  g_mutex_unlock (&start_lock);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    out[i] = types[(i + GPOINTER_TO_UINT (data)) % G_N_ELEMENTS (types)].get_type ();
  return out;
}

/* The first calls, from four threads at once: each type is registered once, as a boxed type
 * of its name, whose copy takes a reference. */
static void
test_types (void)
{
  GThread *t[4];
  GType *got[4];

  g_assert_false (gobject_loaded ());
  for (guint k = 0; k < G_N_ELEMENTS (t); k++)
    t[k] = g_thread_new ("get-type", get_types, GUINT_TO_POINTER (k));
  g_mutex_lock (&start_lock);
  started = TRUE;
  g_cond_broadcast (&start_cond);
  g_mutex_unlock (&start_lock);
  for (guint k = 0; k < G_N_ELEMENTS (t); k++)
    got[k] = g_thread_join (t[k]);
  g_assert_true (gobject_loaded ());
  {
    const char *(*name_of) (GType);
    GType (*fundamental) (GType);
    gpointer (*boxed_copy) (GType, gconstpointer);
    void (*boxed_free) (GType, gpointer);
    gpointer f;
    SmtpcodesReply *reply, *copy;

    f = gobject_func ("g_type_name");
    memcpy (&name_of, &f, sizeof f);
    f = gobject_func ("g_type_fundamental");
    memcpy (&fundamental, &f, sizeof f);
    f = gobject_func ("g_boxed_copy");
    memcpy (&boxed_copy, &f, sizeof f);
    f = gobject_func ("g_boxed_free");
    memcpy (&boxed_free, &f, sizeof f);
    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      {
        GType type = types[i].get_type ();
        g_assert_cmpuint (type, !=, 0);
        for (guint k = 0; k < G_N_ELEMENTS (t); k++)
          g_assert_cmpuint (got[k][(i + G_N_ELEMENTS (types) - k) % G_N_ELEMENTS (types)], ==, type);
        g_assert_cmpstr (name_of (type), ==, types[i].name);
        g_assert_cmpuint (fundamental (type), ==, G_TYPE_BOXED);
      }
    reply = smtpcodes_reply_parse ("250 2.0.0 Ok", -1, NULL);
    g_assert_nonnull (reply);
    copy = boxed_copy (smtpcodes_reply_get_type (), reply);
    g_assert_true (copy == reply);   /* a reference */
    boxed_free (smtpcodes_reply_get_type (), copy);
    smtpcodes_reply_unref (reply);
  }
  for (guint k = 0; k < G_N_ELEMENTS (t); k++)
    g_free (got[k]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* in this order: the first needs GObject not loaded yet */
  g_test_add_func ("/gtype/not-loaded", test_not_loaded);
  g_test_add_func ("/gtype/types", test_types);
  return g_test_run ();
}
