/* test-common.h: small helpers shared by the C tests */
#pragma once
#include <glib.h>

/* The lines of tests/data/NAME that are neither empty nor comments; g_strfreev() them. */
static inline char **
test_data_lines (const char *name)
{
  char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  char *text = NULL;
  char **all;
  GPtrArray *keep = g_ptr_array_new ();

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  all = g_strsplit (text, "\n", -1);
  for (guint i = 0; all[i]; i++)
    {
      const char *l = g_strstrip (all[i]);
      if (*l && *l != '#')
        g_ptr_array_add (keep, g_strdup (l));
    }
  g_ptr_array_add (keep, NULL);
  g_strfreev (all);
  g_free (text);
  g_free (path);
  return (char **) g_ptr_array_free (keep, FALSE);
}
