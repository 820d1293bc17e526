/* bench-core: figures for the registry, look-ups, parsing and the smtpcodes command.
 * Prints figures; asserts nothing (targets are in the closing notes and the README). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsmtpcodes/smtpcodes.h>

static double
now (void)
{
  return (double) g_get_monotonic_time () / 1e6;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, (size_t) n, sizeof *v, cmp_double);
  return v[n / 2];
}

static void
bench_ready (const char *label, const char * const *path, SmtpcodesLoadFlags flags)
{
  double t[200];
  for (int i = 0; i < 200; i++)
    {
      double t0 = now ();
      SmtpcodesRegistry *r = smtpcodes_registry_new (path, flags, NULL);
      t[i] = now () - t0;
      smtpcodes_registry_unref (r);
    }
  double med = median (t, 200);
  printf ("registry ready (%s): median %.3f ms, best %.3f ms\n", label, med * 1e3, t[0] * 1e3);
}

int
main (int argc, char **argv)
{
  char *opt_smtpcodes = NULL, *opt_replies = NULL, *opt_modules = NULL;
  GOptionEntry entries[] = {
    { "smtpcodes", 0, 0, G_OPTION_ARG_FILENAME, &opt_smtpcodes, "smtpcodes binary", "PATH" },
    { "replies", 0, 0, G_OPTION_ARG_FILENAME, &opt_replies, "reply lines", "FILE" },
    { "modules", 0, 0, G_OPTION_ARG_FILENAME, &opt_modules, "shipped modules directory", "DIR" },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("- libsmtpcodes benchmarks");
  const char *empty[] = { NULL };
  SmtpcodesRegistry *reg;
  char **lines = NULL;
  GPtrArray *replies = g_ptr_array_new ();

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, NULL) || !opt_replies || !opt_modules)
    {
      fprintf (stderr, "usage: bench-core --replies FILE --modules DIR [--smtpcodes PATH]\n");
      return 2;
    }
  g_option_context_free (ctx);
  printf ("libsmtpcodes benchmarks (one core; targets: ready < 1 ms, >= 5M look-ups/s, >= 1M parse+verdict/s,\n"
          "  smtpcodes explain 550 < 5 ms)\n");

  bench_ready ("built-in modules", empty, SMTPCODES_LOAD_DEFAULT);
  {
    const char *path[] = { opt_modules, NULL };
    bench_ready ("all shipped modules, from their files", path, SMTPCODES_LOAD_DEFAULT);
  }

  reg = smtpcodes_registry_new (empty, SMTPCODES_LOAD_DEFAULT, NULL);
  {
    const char *codes[] = { "550", "5.7.1", "550 5.1.1", "421", "4.4.7", "554 5.7.1", "250", "5.7.99" };
    guint n = 0, k = 0;
    double t0 = now (), dt;
    do
      {
        for (int i = 0; i < 10000; i++)
          {
            GPtrArray *l = smtpcodes_registry_lookup (reg, NULL, codes[k++ & 7], NULL);
            n += l->len ? 1 : 0;
            g_ptr_array_unref (l);
          }
      }
    while ((dt = now () - t0) < 1.0);
    printf ("look-ups: %.2f million/s (%u in %.2f s)\n", n / dt / 1e6, n, dt);
  }

  {
    char *text = NULL;
    if (!g_file_get_contents (opt_replies, &text, NULL, NULL))
      {
        fprintf (stderr, "cannot read %s\n", opt_replies);
        return 2;
      }
    lines = g_strsplit (text, "\n", -1);
    g_free (text);
    for (guint i = 0; lines[i]; i++)
      if (*lines[i])
        g_ptr_array_add (replies, lines[i]);
  }
  {
    guint n = 0, k = 0;
    gsize bytes = 0;
    double t0 = now (), dt;
    do
      {
        for (int i = 0; i < 10000; i++)
          {
            const char *line = replies->pdata[k++ % replies->len];
            SmtpcodesVerdict *v = smtpcodes_registry_explain_text (reg, line, -1, NULL, NULL);
            if (v)
              {
                n++;
                smtpcodes_verdict_unref (v);
              }
            bytes += strlen (line);
          }
      }
    while ((dt = now () - t0) < 1.0);
    printf ("parse + verdict: %.2f million/s over %u real-looking lines (%.0f MB/s of text)\n",
            n / dt / 1e6, replies->len, bytes / dt / 1e6);
  }
  smtpcodes_registry_unref (reg);

  if (opt_smtpcodes)
    {
      /* the same command without and with the vendor modules on the search path (as after
       * 'make install'); nothing else of the machine's (an installed copy) takes part */
      static const char *const cases[] = { "built-in modules", "with the shipped vendor modules" };
      for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
        {
          double t[100];
          char **env = g_get_environ ();
          env = g_environ_setenv (env, "SMTPCODES_MODULE_PATH", c == 0 ? "" : opt_modules, TRUE);
          env = g_environ_setenv (env, "XDG_DATA_HOME", "/nonexistent", TRUE);
          env = g_environ_setenv (env, "XDG_DATA_DIRS", "/nonexistent", TRUE);
          for (int i = 0; i < 100; i++)
            {
              const char *args[] = { opt_smtpcodes, "explain", "550", NULL };
              double t0 = now ();
              int status;
              g_spawn_sync (NULL, (char **) args, env, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                            NULL, NULL, NULL, NULL, &status, NULL);
              t[i] = now () - t0;
            }
          g_strfreev (env);
          double med = median (t, 100);
          printf ("whole process 'smtpcodes explain 550', %s: median %.2f ms, best %.2f ms (100 runs)\n",
                  cases[c], med * 1e3, t[0] * 1e3);
        }
    }
  g_ptr_array_unref (replies);
  g_strfreev (lines);
  return 0;
}
