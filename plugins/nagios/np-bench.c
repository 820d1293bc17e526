/* np-bench: runs commands N times each and prints, per command, the median wall time, the
 * median CPU time (user + system) and the peak resident memory of the whole process, from
 * wait4().
 *
 *   np-bench N LABEL -- [VAR=VALUE...] COMMAND [ARG...] [:: LABEL -- [VAR=VALUE...] COMMAND...]...
 *
 * The commands take turns (run 1 of each, run 2 of each, ...), so that what the machine
 * does meanwhile (another build, a frequency change) weighs on all of them alike, not on
 * whichever ran in that second. VAR=VALUE words before a command go into its environment
 * only. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

typedef struct {
  const char *label;
  char      **env;     /* VAR=VALUE words, up to argv */
  char      **argv;    /* NULL-terminated */
  double     *wall, *cpu;
  long        maxrss;
  int         rc;
} Command;

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static int
usage (void)
{
  fprintf (stderr, "usage: np-bench N LABEL -- [VAR=VALUE...] COMMAND [ARG...] [:: LABEL -- ...]...\n");
  return 2;
}

int
main (int argc, char **argv)
{
  int n, nc = 0, i, c;
  Command *cmds;

  if (argc < 5)
    return usage ();
  n = atoi (argv[1]);
  if (n < 1)
    n = 1;
  cmds = calloc ((size_t) argc, sizeof *cmds);
  if (!cmds)
    return 2;
  for (i = 2; i < argc;)
    {
      Command *cmd = &cmds[nc++];
      if (i + 2 >= argc || strcmp (argv[i + 1], "--") != 0)
        return usage ();
      cmd->label = argv[i];
      i += 2;
      cmd->env = &argv[i];
      while (i < argc && strchr (argv[i], '=') && argv[i][0] != '=' && argv[i][0] != '/')
        i++;
      cmd->argv = &argv[i];
      while (i < argc && strcmp (argv[i], "::") != 0)
        i++;
      if (cmd->argv == &argv[i])
        return usage ();
      if (i < argc)
        argv[i++] = NULL;   /* ends this command's argv */
      cmd->wall = calloc ((size_t) n, sizeof (double));
      cmd->cpu = calloc ((size_t) n, sizeof (double));
      cmd->rc = -1;
      if (!cmd->wall || !cmd->cpu)
        return 2;
    }
  for (i = 0; i < n; i++)
    for (c = 0; c < nc; c++)
      {
        Command *cmd = &cmds[c];
        struct timespec t0, t1;
        struct rusage ru;
        int status;
        pid_t pid;

        clock_gettime (CLOCK_MONOTONIC, &t0);
        pid = fork ();
        if (pid < 0)
          return 2;
        if (pid == 0)
          {
            int null = open ("/dev/null", O_WRONLY);
            if (null >= 0)
              {
                dup2 (null, 1);
                dup2 (null, 2);
              }
            for (char **e = cmd->env; e < cmd->argv; e++)
              putenv (*e);
            execvp (cmd->argv[0], cmd->argv);
            _exit (127);
          }
        if (wait4 (pid, &status, 0, &ru) < 0)
          return 2;
        clock_gettime (CLOCK_MONOTONIC, &t1);
        cmd->wall[i] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
        cmd->cpu[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
                      + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        if (ru.ru_maxrss > cmd->maxrss)
          cmd->maxrss = ru.ru_maxrss;
        if (cmd->rc < 0)
          cmd->rc = WIFEXITED (status) ? WEXITSTATUS (status) : 255;
      }
  for (c = 0; c < nc; c++)
    {
      Command *cmd = &cmds[c];
      qsort (cmd->wall, (size_t) n, sizeof (double), cmp_double);
      qsort (cmd->cpu, (size_t) n, sizeof (double), cmp_double);
      printf ("%-18s runs %3d  exit %d  wall median %7.2f ms (min %6.2f)  cpu median %6.2f ms  peak RSS %6.1f MB\n",
              cmd->label, n, cmd->rc, cmd->wall[n / 2], cmd->wall[0], cmd->cpu[n / 2], cmd->maxrss / 1024.0);
      free (cmd->wall);
      free (cmd->cpu);
    }
  free (cmds);
  return 0;
}
