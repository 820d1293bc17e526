/* np-bench: runs a command N times and prints the median wall time, the median CPU time
 * (user + system) and the peak resident memory of the whole process, from wait4(). */
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

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int n, i, expect_rc = -1;
  double *wall, *cpu;
  long maxrss = 0;
  const char *label;

  if (argc < 5 || strcmp (argv[3], "--") != 0)
    {
      fprintf (stderr, "usage: np-bench N LABEL -- COMMAND [ARG...]\n");
      return 2;
    }
  n = atoi (argv[1]);
  label = argv[2];
  if (n < 1)
    n = 1;
  wall = calloc (n, sizeof *wall);
  cpu = calloc (n, sizeof *cpu);
  if (!wall || !cpu)
    return 2;
  for (i = 0; i < n; i++)
    {
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
          execvp (argv[4], argv + 4);
          _exit (127);
        }
      if (wait4 (pid, &status, 0, &ru) < 0)
        return 2;
      clock_gettime (CLOCK_MONOTONIC, &t1);
      wall[i] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
      cpu[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
               + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
      if (ru.ru_maxrss > maxrss)
        maxrss = ru.ru_maxrss;
      if (expect_rc < 0)
        expect_rc = WIFEXITED (status) ? WEXITSTATUS (status) : 255;
    }
  qsort (wall, n, sizeof *wall, cmp_double);
  qsort (cpu, n, sizeof *cpu, cmp_double);
  printf ("%-18s runs %3d  exit %d  wall median %7.2f ms (min %6.2f)  cpu median %6.2f ms  peak RSS %6.1f MB\n",
          label, n, expect_rc, wall[n / 2], wall[0], cpu[n / 2], maxrss / 1024.0);
  free (wall);
  free (cpu);
  return 0;
}
