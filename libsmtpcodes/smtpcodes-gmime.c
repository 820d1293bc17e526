/* smtpcodes-gmime.c: loads GMime on first use (see smtpcodes-gmime.h) */
#include "config.h"

#include <dlfcn.h>
#include <string.h>

#define SMTPCODES_GMIME_LOADER
#include "smtpcodes-gmime.h"
#include "smtpcodes-private.h"

SmtpcodesGMime _smtpcodes_gmime;

static char *load_error;   /* why loading failed, for every later caller too */

static gpointer
load_once (gpointer data)
{
  /* SMTPCODES_GMIME_LIBRARY names another build of GMime (a path or a soname) */
  const char *lib = g_getenv ("SMTPCODES_GMIME_LIBRARY");
  void *h;
  const char *missing = NULL;

  if (lib == NULL || *lib == '\0')
    lib = SMTPCODES_GMIME_SONAME;
  h = dlopen (lib, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      load_error = g_strdup_printf ("reading bounces needs GMime 3 (%s), which cannot be loaded: %s", lib,
                                    dlerror ());
      return NULL;
    }
#define SMTPCODES_GMIME_RESOLVE(name) \
  { \
    void *sym = dlsym (h, #name); \
    if (sym == NULL && missing == NULL) \
      missing = #name; \
    /* object to function pointer: POSIX guarantees dlsym's result converts */ \
    memcpy (&_smtpcodes_gmime.name, &sym, sizeof sym); \
  }
  SMTPCODES_GMIME_SYMBOLS (SMTPCODES_GMIME_RESOLVE)
#undef SMTPCODES_GMIME_RESOLVE
  if (missing)
    {
      load_error = g_strdup_printf ("reading bounces needs GMime 3 (%s), but it lacks %s", lib, missing);
      memset (&_smtpcodes_gmime, 0, sizeof _smtpcodes_gmime);
      dlclose (h);
      return NULL;
    }
  _smtpcodes_gmime.g_mime_init ();
  return h;   /* never closed: GMime registers GTypes, which cannot be unloaded */
}

gboolean
_smtpcodes_gmime_load (GError **error)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, load_once, NULL);
  if (once.retval == NULL)
    {
      g_set_error_literal (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO, load_error);
      return FALSE;
    }
  return TRUE;
}
