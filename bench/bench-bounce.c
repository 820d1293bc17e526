/* bench-bounce: how fast the bounce analyser reads the corpus, side by side with Sisimai,
 * and how long one 15 MB bounce with attachments takes. Prints figures; never fails on
 * speed (make check has the correctness tests). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <libsmtpcodes/smtpcodes.h>

static char *opt_corpus;
static char *opt_sisimai;
static int opt_rounds = 5;

static GOptionEntry entries[] = {
  { "corpus", 0, 0, G_OPTION_ARG_FILENAME, &opt_corpus, "Directory of bounce messages", "DIR" },
  { "sisimai", 0, 0, G_OPTION_ARG_FILENAME, &opt_sisimai, "sisimai-run.pl", "FILE" },
  { "rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds, "Rounds (the best is reported)", "N" },
  { NULL }
};

static double
run_corpus (SmtpcodesRegistry *reg, const char *dir, guint *n_msgs, guint *n_rcpts)
{
  gint64 t0 = g_get_monotonic_time ();
  SmtpcodesReportReader *rd = smtpcodes_report_reader_new (reg, dir, NULL);
  SmtpcodesReport *rep;
  GError *error = NULL;
  *n_msgs = *n_rcpts = 0;
  if (rd == NULL)
    return -1;
  for (;;)
    {
      rep = smtpcodes_report_reader_next (rd, &error);
      if (rep == NULL && error == NULL)
        break;
      (*n_msgs)++;
      if (rep == NULL)
        {
          g_clear_error (&error);
          continue;
        }
      *n_rcpts += smtpcodes_report_get_n_recipients (rep);
      smtpcodes_report_unref (rep);
    }
  smtpcodes_report_reader_free (rd);
  return (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
}

/* a multipart/report of 15 MB: the notice, the report, the returned message with photos */
static GString *
big_bounce (void)
{
  GString *s = g_string_sized_new (16 * 1024 * 1024);
  GRand *rand = g_rand_new_with_seed (15);
  g_string_append (s,
    "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
    "To: alice@example.org\nSubject: Undelivered Mail Returned to Sender\n"
    "Date: Mon, 3 Mar 2025 10:00:00 +0100\nMessage-Id: <big@mx.example.org>\n"
    "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\n\n"
    "--R\nContent-Type: text/plain\n\n<gone@example.net>: host mx.example.net[192.0.2.25] said: 552 5.2.2\n"
    "    Mailbox full (in reply to end of DATA command)\n\n"
    "--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
    "Final-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.2.2\n"
    "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\n\n"
    "--R\nContent-Type: message/rfc822\n\n"
    "From: alice@example.org\nTo: gone@example.net\nSubject: photos\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"M\"\n\n--M\nContent-Type: text/plain\n\nthe photos\n");
  for (int photo = 0; photo < 5; photo++)
    {
      static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      g_string_append_printf (s, "--M\nContent-Type: image/jpeg; name=\"IMG_%04d.jpg\"\n"
                                 "Content-Disposition: attachment; filename=\"IMG_%04d.jpg\"\n"
                                 "Content-Transfer-Encoding: base64\n\n", photo, photo);
      for (int line = 0; line < 3 * 1024 * 1024 / 77; line++)
        {
          char buf[78];
          for (int i = 0; i < 76; i++)
            buf[i] = b64[g_rand_int_range (rand, 0, 64)];
          buf[76] = '\n';
          g_string_append_len (s, buf, 77);
        }
    }
  g_string_append (s, "--M--\n\n--R--\n");
  g_rand_free (rand);
  return s;
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new ("- bounce analyser benchmark");
  SmtpcodesRegistry *reg;
  GError *error = NULL;
  double best = -1, sis = -1;
  guint n_msgs = 0, n_rcpts = 0, sis_rcpts = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bench-bounce: %s\n", error->message);
      return 2;
    }
  g_option_context_free (ctx);
  reg = smtpcodes_registry_get_default ();

  if (opt_corpus && g_file_test (opt_corpus, G_FILE_TEST_IS_DIR))
    {
      for (int r = 0; r < opt_rounds; r++)
        {
          double t = run_corpus (reg, opt_corpus, &n_msgs, &n_rcpts);
          if (best < 0 || t < best)
            best = t;
        }
      printf ("corpus: %u messages, %u recipients\n", n_msgs, n_rcpts);
      printf ("  libsmtpcodes  %8.3f s  (best of %d, one process)\n", best, opt_rounds);
      if (opt_sisimai)
        {
          GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
          GDir *d = g_dir_open (opt_corpus, 0, NULL);
          GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
          const char *name;
          char *out = NULL;
          int status = 0;
          while (d && (name = g_dir_read_name (d)))
            if (name[0] != '.')
              g_ptr_array_add (files, g_build_filename (opt_corpus, name, NULL));
          if (d)
            g_dir_close (d);
          g_ptr_array_add (args, g_strdup ("perl"));
          g_ptr_array_add (args, g_strdup (opt_sisimai));
          for (guint i = 0; i < files->len; i++)
            g_ptr_array_add (args, g_strdup (files->pdata[i]));
          g_ptr_array_add (args, NULL);
          if (g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                            NULL, NULL, &out, NULL, &status, &error)
              && g_spawn_check_exit_status (status, NULL) && out
              && sscanf (out, "%u %lf", &sis_rcpts, &sis) == 2)
            {
              printf ("  Sisimai       %8.3f s  (%u recipients, one process, module loading excluded)\n", sis, sis_rcpts);
              printf ("  ratio         %8.1fx faster (target: 30x)\n", best > 0 ? sis / best : 0.0);
            }
          else
            printf ("  Sisimai       not available (Debian: libsisimai-perl)\n");
          g_clear_error (&error);
          g_free (out);
          g_ptr_array_unref (args);
          g_ptr_array_unref (files);
        }
    }
  else
    printf ("corpus: not found (%s), skipped\n", opt_corpus ? opt_corpus : "no --corpus");

  {
    GString *big = big_bounce ();
    double bt = -1;
    const char *status = "?";
    for (int r = 0; r < opt_rounds; r++)
      {
        gint64 t0 = g_get_monotonic_time ();
        SmtpcodesReport *rep = smtpcodes_report_parse (reg, big->str, big->len, NULL);
        double t = (double) (g_get_monotonic_time () - t0) / 1000.0;
        if (rep && smtpcodes_report_get_n_recipients (rep) == 1)
          status = smtpcodes_recipient_get_reason (smtpcodes_report_get_recipient (rep, 0));
        if (rep)
          smtpcodes_report_unref (rep);
        if (bt < 0 || t < bt)
          bt = t;
      }
    printf ("15 MB bounce with attachments (%.1f MB): %.2f ms (best of %d; target < 50 ms), reason %s\n",
            (double) big->len / (1024.0 * 1024.0), bt, opt_rounds, status);
    g_string_free (big, TRUE);
  }
  return 0;
}
