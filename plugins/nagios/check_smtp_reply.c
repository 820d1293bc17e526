/* check_smtp_reply: a Nagios/Icinga/Naemon plugin that runs one SMTP or LMTP dialogue (or
 * reads reply lines offline) and maps every reply, classified by libsmtpcodes, to a
 * monitoring state. It holds no knowledge of SMTP codes of its own: meanings, classes and
 * explanations come from the library's public API.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <dlfcn.h>
#include <glib.h>
#include <glib-unix.h>
#include <libsmtpcodes/smtpcodes.h>

#include "np-gio.h"
#include "np-util.h"

#define PROGNAME        "check_smtp_reply"
#define LABEL           "SMTP_REPLY"
#define STATUS_MAX      200       /* bytes of line 1 before the perfdata */
#define OUTPUT_MAX      8000      /* Nagios 3 / NRPE limit on the whole output */
#define LINE_MAX_BYTES  4096      /* longest reply line we accept (RFC 5321 says 512) */
#define REPLY_MAX_LINES 200       /* longest multi-line reply we accept */
#define TEXT_MAX        300       /* server text in the long output */
#define PASSWORD_ENV    "CHECK_SMTP_REPLY_PASSWORD"

/* ---- steps ------------------------------------------------------------------------------ */

typedef enum {
  STEP_CONNECT,
  STEP_BANNER,
  STEP_EHLO,
  STEP_TLS,
  STEP_AUTH,
  STEP_MAIL,
  STEP_RCPT,
  STEP_DATA,
  STEP_QUIT,
  N_STEPS
} Step;

static const char *const step_names[N_STEPS] = {
  "connect", "banner", "ehlo", "tls", "auth", "mail", "rcpt", "data", "quit"
};

static int
step_parse (const char *s, gsize len)
{
  int i;
  for (i = 0; i < N_STEPS; i++)
    if (strlen (step_names[i]) == len && g_ascii_strncasecmp (s, step_names[i], len) == 0)
      return i;
  return -1;
}

/* ---- --map / --expect rules ---------------------------------------------------------------- */

typedef struct {
  int            step;        /* -1: any step */
  int            rank;        /* 1 (most specific) .. 7 (class) */
  gboolean       has_basic;
  char           basic[4];    /* digits or 'x' */
  gboolean       has_enh;
  char           enh_class;   /* '2', '4', '5' */
  int            enh_subject; /* -1: '*' */
  int            enh_detail;  /* -1: '*' */
  gboolean       has_class;
  SmtpcodesClass klass;
  NpState        state;
  char          *text;        /* as given, for "why" */
} Rule;

static void
rule_free (gpointer p)
{
  Rule *r = p;
  g_free (r->text);
  g_free (r);
}

static gboolean
parse_enh_part (const char *s, gsize len, int *out)
{
  guint64 v;
  char *end;
  char buf[8];

  if (len == 1 && s[0] == '*')
    {
      *out = -1;
      return TRUE;
    }
  if (len == 0 || len > 3)
    return FALSE;
  memcpy (buf, s, len);
  buf[len] = '\0';
  if (!g_ascii_isdigit (buf[0]))
    return FALSE;
  v = g_ascii_strtoull (buf, &end, 10);
  if (*end != '\0' || v > 999)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

/* CODE := BASIC | ENH | BASIC '/' ENH | CLASS; fills the match part of @r and its rank. */
static gboolean
rule_parse_code (const char *code, Rule *r)
{
  const char *slash = strchr (code, '/');
  const char *enh = NULL;
  gsize blen = 0;
  int basic_wild = 0, enh_wild = 0;

  if (g_ascii_strcasecmp (code, "success") == 0)
    r->klass = SMTPCODES_CLASS_SUCCESS;
  else if (g_ascii_strcasecmp (code, "intermediate") == 0)
    r->klass = SMTPCODES_CLASS_INTERMEDIATE;
  else if (g_ascii_strcasecmp (code, "transient") == 0)
    r->klass = SMTPCODES_CLASS_TRANSIENT;
  else if (g_ascii_strcasecmp (code, "permanent") == 0)
    r->klass = SMTPCODES_CLASS_PERMANENT;
  else
    r->klass = SMTPCODES_CLASS_UNKNOWN;
  if (r->klass != SMTPCODES_CLASS_UNKNOWN)
    {
      r->has_class = TRUE;
      r->rank = 7;
      return TRUE;
    }

  if (slash)
    {
      blen = slash - code;
      enh = slash + 1;
    }
  else if (strchr (code, '.'))
    enh = code;
  else
    blen = strlen (code);

  if (blen)
    {
      int i;
      if (blen != 3 || code[0] < '2' || code[0] > '5')
        return FALSE;
      for (i = 0; i < 3; i++)
        {
          char c = g_ascii_tolower (code[i]);
          if (c == 'x' && i > 0)
            basic_wild++;
          else if (!g_ascii_isdigit (c))
            return FALSE;
          r->basic[i] = c;
        }
      r->has_basic = TRUE;
    }
  else if (slash)
    return FALSE;

  if (enh)
    {
      const char *d1 = strchr (enh, '.'), *d2 = d1 ? strchr (d1 + 1, '.') : NULL;
      if (!d1 || !d2 || d1 - enh != 1 || strchr (d2 + 1, '.'))
        return FALSE;
      if (enh[0] != '2' && enh[0] != '4' && enh[0] != '5')
        return FALSE;
      r->enh_class = enh[0];
      if (!parse_enh_part (d1 + 1, d2 - d1 - 1, &r->enh_subject)
          || !parse_enh_part (d2 + 1, strlen (d2 + 1), &r->enh_detail))
        return FALSE;
      enh_wild = (r->enh_subject < 0) + (r->enh_detail < 0);
      r->has_enh = TRUE;
    }

  if (r->has_basic && r->has_enh)
    r->rank = 1;
  else if (r->has_enh)
    r->rank = enh_wild == 0 ? 2 : enh_wild == 1 ? 4 : 6;
  else
    r->rank = basic_wild == 0 ? 3 : basic_wild == 1 ? 5 : 6;
  return TRUE;
}

static gboolean
rule_matches (const Rule *r, int code, const char *enhanced, SmtpcodesClass klass)
{
  if (r->has_class)
    return klass == r->klass;
  if (r->has_basic)
    {
      char digits[8];
      int i;
      if (code < 100 || code > 599)
        return FALSE;
      g_snprintf (digits, sizeof digits, "%03d", code);
      for (i = 0; i < 3; i++)
        if (r->basic[i] != 'x' && r->basic[i] != digits[i])
          return FALSE;
    }
  if (r->has_enh)
    {
      guint64 s, d;
      char *end;
      if (enhanced == NULL || enhanced[0] != r->enh_class || enhanced[1] != '.')
        return FALSE;
      s = g_ascii_strtoull (enhanced + 2, &end, 10);
      if (*end != '.')
        return FALSE;
      d = g_ascii_strtoull (end + 1, &end, 10);
      if ((r->enh_subject >= 0 && (guint64) r->enh_subject != s)
          || (r->enh_detail >= 0 && (guint64) r->enh_detail != d))
        return FALSE;
    }
  return TRUE;
}

/* ---- configuration (filled once by parse_args, const afterwards) --------------------------- */

typedef enum { FORMAT_AUTO, FORMAT_REPLY, FORMAT_POSTFIX, FORMAT_EXIM, FORMAT_DSN } Format;
typedef enum { AUTH_NONE, AUTH_PLAIN, AUTH_LOGIN } AuthMech;

typedef struct {
  Step   step;
  GPtrArray *codes;   /* Rule*, state unused */
  char  *text;
} Expect;

typedef struct {
  /* live */
  char       *host;
  guint16     port;
  int         family;            /* 0, 4, 6 */
  int         timeout;           /* seconds */
  NpState     timeout_state;
  NpRange     warn, crit;
  char       *ehlo_name;
  gboolean    lmtp;
  gboolean    starttls, implicit_tls, require_tls, tls_verify;
  char       *tls_hostname;
  char       *ca_file;
  gboolean    cert_days_set;
  int         cert_warn, cert_crit;
  AuthMech    auth;
  char       *user;
  char       *password;
  gboolean    have_from;
  char       *from;
  GPtrArray  *rcpts;
  gboolean    data;
  char       *data_file;
  int         quit_after;        /* Step, or -1: as far as the options go */
  gboolean    strict_quit;
  GPtrArray  *expects;           /* Expect* */
  GPtrArray  *maps;              /* Rule* in the order given (map file first) */
  char       *vendor;            /* NULL: recognise */
  char       *lang;
  int         verbose;
  /* offline */
  GPtrArray  *replies;
  char       *file;
  Format      format;
} CheckConfig;

/* ---- output ------------------------------------------------------------------------------ */

G_GNUC_NORETURN static void
finish (NpState state, const char *status, const char *perfdata, const char *long_output)
{
  GString *out = g_string_new (LABEL " ");
  GString *line = g_string_new (status);

  np_truncate_utf8 (line, STATUS_MAX);
  g_string_append_printf (out, "%s - %s", np_state_name (state), line->str);
  if (perfdata && *perfdata)
    g_string_append_printf (out, " | %s", perfdata);
  g_string_append_c (out, '\n');
  if (long_output && *long_output)
    {
      GString *lo = g_string_new (long_output);
      gsize room = out->len < OUTPUT_MAX ? OUTPUT_MAX - out->len : 0;
      if (lo->len > room)
        {
          const char *note = "\n[long output cut at 8 KB]";
          np_truncate_utf8 (lo, room > strlen (note) ? room - strlen (note) : 0);
          while (lo->len && lo->str[lo->len - 1] != '\n')
            g_string_truncate (lo, lo->len - 1);
          if (lo->len)
            g_string_truncate (lo, lo->len - 1);
          g_string_append (lo, note);
        }
      g_string_append (out, lo->str);
      if (out->str[out->len - 1] != '\n')
        g_string_append_c (out, '\n');
      g_string_free (lo, TRUE);
    }
  fputs (out->str, stdout);
  fflush (stdout);
  exit (state);
}

static const char usage_text[] =
  "Usage:\n"
  "  " PROGNAME " -H host [-p port] [-4|-6] [-t secs[:state]]\n"
  "      [-w range] [-c range] [--ehlo-name fqdn] [--lmtp]\n"
  "      [-S|-s] [--require-tls] [--tls-verify]\n"
  "      [--tls-hostname name] [--ca-file pem] [-D days[,days]]\n"
  "      [-A plain|login -U user [--authfile file]] [-f from] [-r rcpt]...\n"
  "      [--data[=file]] [--quit-after step] [--strict-quit]\n"
  "      [--expect step=codes]... [--map [step:]code=state]... [--map-file file]\n"
  "      [--vendor auto|NAME] [--lang LANG] [-v]...\n"
  "  " PROGNAME " --reply LINE [--reply LINE]... [--map ...] [-v]\n"
  "  " PROGNAME " --file FILE|- [--format auto|reply|postfix|exim|dsn]\n"
  "      [-w n] [-c n] [--map ...] [-v]\n"
  "  " PROGNAME " -h | -V\n";

G_GNUC_NORETURN static void
usage_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static void
usage_error (const char *fmt, ...)
{
  va_list ap;
  char *msg;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  printf (LABEL " UNKNOWN - %s\n%s", msg, usage_text);
  fflush (stdout);
  exit (NP_UNKNOWN);
}

static void
print_help (void)
{
  printf (PROGNAME " %s (libsmtpcodes)\n"
          "Checks an SMTP or LMTP server by the codes of its replies, or classifies reply lines\n"
          "from logs, and explains them with libsmtpcodes.\n\n%s\n", PACKAGE_VERSION, usage_text);
  fputs (
    "Live mode (one dialogue: banner, EHLO (HELO fallback) or LHLO, STARTTLS, AUTH, MAIL,\n"
    "RCPT, DATA, RSET/QUIT; every reply is classified):\n"
    " -H, --hostname=HOST     host name, IPv4/IPv6 address, or /path of a unix socket\n"
    " -p, --port=PORT         port (default 25; 465 with --tls, 24 with --lmtp)\n"
    " -4, -6                  use IPv4 / IPv6 only\n"
    " -t, --timeout=SECS[:STATE]  one deadline for the whole dialogue (default 10);\n"
    "                         when it passes, the step that hung is named, state CRITICAL\n"
    " -w, --warning=RANGE     total response time (seconds) that gives WARNING\n"
    " -c, --critical=RANGE    total response time (seconds) that gives CRITICAL\n"
    "     --ehlo-name=FQDN    name sent in EHLO/HELO/LHLO (default: this host's name)\n"
    " -L, --lmtp              speak LMTP (LHLO, one reply per recipient after DATA)\n"
    " -S, --starttls          STARTTLS, then EHLO again; not offered = WARNING\n"
    " -s, --tls               implicit TLS (SMTPS) before the banner\n"
    "     --require-tls       STARTTLS not offered = CRITICAL\n"
    "     --tls-verify        certificate errors (unknown CA, name, expiry) = CRITICAL;\n"
    "                         by default they are reported and do not change the state\n"
    "     --tls-hostname=NAME name the certificate must match (default: -H)\n"
    "     --ca-file=PEM       trust these CA certificates instead of the system's\n"
    " -D, --certificate=W[,C] certificate must be valid W (C) more days, else WARNING\n"
    "                         (CRITICAL)\n"
    " -A, --authtype=plain|login  SMTP AUTH; -U, --authuser=USER\n"
    "     --authfile=FILE     first line user, second line password; or set the password\n"
    "                         in the environment variable " PASSWORD_ENV ".\n"
    " -P, --authpass=PASS     discouraged: visible in ps and in the monitoring config\n"
    " -f, --from=ADDR         MAIL FROM address (default <>); the MAIL reply is checked\n"
    " -r, --rcpt=ADDR         RCPT TO address, repeatable; each reply is checked\n"
    "     --data[=FILE]       send DATA: a small test message (or FILE). This is the only\n"
    "                         option that can deliver mail.\n"
    "     --quit-after=STEP   stop after connect, banner, ehlo, tls, auth, mail, rcpt, data\n"
    "     --strict-quit       a failing QUIT changes the state (default: reported only)\n"
    "     --expect=STEP=CODES the STEP's reply must match one of CODES (comma-separated):\n"
    "                         OK when it does, CRITICAL when not (e.g. an open-relay probe:\n"
    "                         -r x@example.net --expect rcpt=5.7.1,554)\n"
    "     --map=[STEP:]CODE=STATE  state for replies matching CODE (repeatable)\n"
    "     --map-file=FILE     [map] group of a key file: [STEP:]CODE = STATE\n"
    "     --vendor=auto|NAME  vendor module for meanings (default: recognised)\n"
    "     --lang=LANG         language of the meanings (default: from the locale)\n"
    "\n"
    "Offline mode:\n"
    "     --reply=LINE        classify a reply (repeatable; 550-... lines are joined)\n"
    "     --file=FILE|-       classify the replies in a log or a DSN (- is stdin)\n"
    "     --format=FMT        auto, reply, postfix, exim or dsn (default auto)\n"
    " -w, -c                  ranges on the number of replies that map to WARNING or\n"
    "                         worse (e.g. -w 5 -c 20); default: the worst state found.\n"
    "                         Keeps no state between runs; feed it e.g.\n"
    "                         journalctl -u postfix --since=-10min -o cat\n"
    "\n"
    " -v, --verbose           more long output (-vvv: the raw transcript)\n"
    " -V, --version           print the version\n"
    " -h, --help              print this help\n"
    "\n"
    "Default state mapping:\n"
    "  connection refused, no route, name not resolved   CRITICAL\n"
    "  timeout (-t)                                      CRITICAL (-t 10:unknown)\n"
    "  banner, EHLO/HELO/LHLO reply not 2xx              CRITICAL\n"
    "  STARTTLS not offered                              WARNING (--require-tls: CRITICAL)\n"
    "  TLS handshake failed                              CRITICAL\n"
    "  TLS support missing (no glib-networking)          UNKNOWN\n"
    "  other replies 2xx (and 354 to DATA, 334 in AUTH)  OK\n"
    "  other replies 4xx                                 WARNING\n"
    "  other replies 5xx                                 CRITICAL\n"
    "  QUIT failed                                       OK, reported (--strict-quit)\n"
    "  connection closed by the server mid-dialogue      CRITICAL\n"
    "  reply not NNN[ -]text (garbage, over-long line)   UNKNOWN\n"
    "  bad arguments, unreadable file                    UNKNOWN\n"
    "  offline: 2xx/3xx OK, 4xx WARNING, 5xx CRITICAL, no code UNKNOWN\n"
    "The enhanced code and the vendor meaning explain; they change no state unless mapped.\n"
    "\n"
    "Overrides (first match wins, in this order):\n"
    "  1. --map with a STEP (e.g. rcpt:5.2.2=warning)   2. --expect for that step\n"
    "  3. --map without a STEP                          4. the defaults above\n"
    "Among --map keys the most specific wins: 550/5.1.1, then 5.1.1, 550, 5.1.*, 55x,\n"
    "5.*.* or 5xx, then a class (success, intermediate, transient, permanent); among\n"
    "equal keys the last given. CODE matches the reply's enhanced code, or the one the\n"
    "library reads from its wording. STATE: ok, warning, critical, unknown or 0-3.\n"
    "STEP: banner, ehlo, tls, auth, mail, rcpt, data, quit.\n"
    "\n"
    "Examples:\n"
    "  " PROGNAME " -H mx.example.org -S -D 21,7\n"
    "  " PROGNAME " -H mx.example.org -f '' -r postmaster@example.org\n"
    "  " PROGNAME " -H mx.example.org -r x@example.net --expect rcpt=5.7.1,554\n"
    "  " PROGNAME " -H /run/dovecot/lmtp --lmtp -r user@example.org --map rcpt:4.2.2=warning\n"
    "  " PROGNAME " --reply '550 5.1.1 <bob@example.org>: User unknown'\n"
    "  journalctl -u postfix --since=-10min -o cat | " PROGNAME " --file - -w 5 -c 20\n",
    stdout);
}

/* ---- argument parsing ---------------------------------------------------------------------- */

enum {
  OPT_EHLO_NAME = 256, OPT_REQUIRE_TLS, OPT_TLS_VERIFY, OPT_TLS_HOSTNAME, OPT_CA_FILE,
  OPT_AUTHFILE, OPT_DATA, OPT_QUIT_AFTER, OPT_STRICT_QUIT, OPT_EXPECT, OPT_MAP, OPT_MAP_FILE,
  OPT_VENDOR, OPT_LANG, OPT_REPLY, OPT_FILE, OPT_FORMAT
};

static const struct option long_options[] = {
  { "hostname", required_argument, NULL, 'H' },
  { "port", required_argument, NULL, 'p' },
  { "timeout", required_argument, NULL, 't' },
  { "warning", required_argument, NULL, 'w' },
  { "critical", required_argument, NULL, 'c' },
  { "ehlo-name", required_argument, NULL, OPT_EHLO_NAME },
  { "fqdn", required_argument, NULL, 'F' },
  { "lmtp", no_argument, NULL, 'L' },
  { "starttls", no_argument, NULL, 'S' },
  { "tls", no_argument, NULL, 's' },
  { "ssl", no_argument, NULL, 's' },
  { "require-tls", no_argument, NULL, OPT_REQUIRE_TLS },
  { "tls-verify", no_argument, NULL, OPT_TLS_VERIFY },
  { "tls-hostname", required_argument, NULL, OPT_TLS_HOSTNAME },
  { "ca-file", required_argument, NULL, OPT_CA_FILE },
  { "certificate", required_argument, NULL, 'D' },
  { "authtype", required_argument, NULL, 'A' },
  { "authuser", required_argument, NULL, 'U' },
  { "authpass", required_argument, NULL, 'P' },
  { "authfile", required_argument, NULL, OPT_AUTHFILE },
  { "from", required_argument, NULL, 'f' },
  { "rcpt", required_argument, NULL, 'r' },
  { "data", optional_argument, NULL, OPT_DATA },
  { "quit-after", required_argument, NULL, OPT_QUIT_AFTER },
  { "strict-quit", no_argument, NULL, OPT_STRICT_QUIT },
  { "expect", required_argument, NULL, OPT_EXPECT },
  { "map", required_argument, NULL, OPT_MAP },
  { "map-file", required_argument, NULL, OPT_MAP_FILE },
  { "vendor", required_argument, NULL, OPT_VENDOR },
  { "lang", required_argument, NULL, OPT_LANG },
  { "reply", required_argument, NULL, OPT_REPLY },
  { "file", required_argument, NULL, OPT_FILE },
  { "format", required_argument, NULL, OPT_FORMAT },
  { "verbose", no_argument, NULL, 'v' },
  { "version", no_argument, NULL, 'V' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 }
};

static gboolean
parse_int (const char *s, long min, long max, long *out)
{
  char *end;
  long v;

  if (s == NULL || *s == '\0')
    return FALSE;
  errno = 0;
  v = strtol (s, &end, 10);
  if (errno || *end || v < min || v > max)
    return FALSE;
  *out = v;
  return TRUE;
}

/* "[STEP:]CODE=STATE" */
static Rule *
parse_map (const char *arg, GError **error)
{
  Rule *r = g_new0 (Rule, 1);
  const char *eq = strrchr (arg, '=');
  const char *colon;
  char *code = NULL;

  r->step = -1;
  r->text = g_strdup (arg);
  if (!eq || !np_state_parse (eq + 1, &r->state))
    goto bad;
  colon = memchr (arg, ':', eq - arg);
  if (colon)
    {
      r->step = step_parse (arg, colon - arg);
      if (r->step < 0 || r->step == STEP_CONNECT)
        goto bad;
      code = g_strndup (colon + 1, eq - colon - 1);
    }
  else
    code = g_strndup (arg, eq - arg);
  if (!rule_parse_code (code, r))
    goto bad;
  g_free (code);
  return r;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "bad --map '%s': want [STEP:]CODE=STATE, e.g. rcpt:5.2.2=warning, 4xx=critical", arg);
  g_free (code);
  rule_free (r);
  return NULL;
}

static Expect *
parse_expect (const char *arg, GError **error)
{
  const char *eq = strchr (arg, '=');
  Expect *e;
  char **parts;
  int step, i;

  step = eq ? step_parse (arg, eq - arg) : -1;
  if (step < 0 || step == STEP_CONNECT || !eq[1])
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "bad --expect '%s': want STEP=CODE[,CODE...], e.g. rcpt=5.7.1,554", arg);
      return NULL;
    }
  e = g_new0 (Expect, 1);
  e->step = step;
  e->text = g_strdup (arg);
  e->codes = g_ptr_array_new_with_free_func (rule_free);
  parts = g_strsplit (eq + 1, ",", -1);
  for (i = 0; parts[i]; i++)
    {
      Rule *r = g_new0 (Rule, 1);
      g_strstrip (parts[i]);
      if (!rule_parse_code (parts[i], r))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "bad code '%s' in --expect '%s'", parts[i], arg);
          rule_free (r);
          g_strfreev (parts);
          return NULL;
        }
      g_ptr_array_add (e->codes, r);
    }
  g_strfreev (parts);
  return e;
}

static void
load_map_file (const char *file, GPtrArray *maps)
{
  GKeyFile *kf = g_key_file_new ();
  GError *error = NULL;
  char **keys;
  gsize i, n = 0;

  if (!g_key_file_load_from_file (kf, file, G_KEY_FILE_NONE, &error))
    usage_error ("cannot read --map-file %s: %s", file, error->message);
  keys = g_key_file_get_keys (kf, "map", &n, NULL);
  for (i = 0; i < n; i++)
    {
      char *value = g_key_file_get_string (kf, "map", keys[i], NULL);
      char *arg = g_strdup_printf ("%s=%s", keys[i], value ? g_strstrip (value) : "");
      Rule *r = parse_map (arg, &error);
      if (!r)
        usage_error ("%s: %s", file, error->message);
      g_ptr_array_add (maps, r);
      g_free (arg);
      g_free (value);
    }
  g_strfreev (keys);
  g_key_file_free (kf);
}

static char *
read_authfile (const char *file, char **password)
{
  char *contents = NULL, **lines;
  char *user;
  GError *error = NULL;

  if (!g_file_get_contents (file, &contents, NULL, &error))
    usage_error ("cannot read --authfile: %s", error->message);
  lines = g_strsplit (contents, "\n", 3);
  if (!lines[0] || !lines[1])
    usage_error ("--authfile %s: want the user on line 1 and the password on line 2", file);
  g_strchomp (lines[0]);
  if (lines[1][0] && lines[1][strlen (lines[1]) - 1] == '\r')
    lines[1][strlen (lines[1]) - 1] = '\0';
  user = g_strdup (lines[0]);
  *password = g_strdup (lines[1]);
  memset (contents, 0, strlen (contents));
  g_free (contents);
  g_strfreev (lines);
  return user;
}

static CheckConfig *
parse_args (int argc, char **argv)
{
  CheckConfig *cfg = g_new0 (CheckConfig, 1);
  GPtrArray *cli_maps = g_ptr_array_new ();
  const char *map_file = NULL, *authfile = NULL;
  gboolean port_set = FALSE, seen_live = FALSE;
  GError *error = NULL;
  long v;
  int c;

  cfg->timeout = 10;
  cfg->timeout_state = NP_CRITICAL;
  cfg->quit_after = -1;
  cfg->rcpts = g_ptr_array_new ();
  cfg->expects = g_ptr_array_new ();
  cfg->maps = g_ptr_array_new_with_free_func (rule_free);
  cfg->replies = g_ptr_array_new ();

  opterr = 0;
  while ((c = getopt_long (argc, argv, ":H:p:46t:w:c:F:LSsD:A:U:P:f:r:vVh", long_options, NULL)) != -1)
    {
      switch (c)
        {
        case 'H': cfg->host = g_strdup (optarg); seen_live = TRUE; break;
        case 'p':
          if (!parse_int (optarg, 1, 65535, &v))
            usage_error ("bad port '%s'", optarg);
          cfg->port = (guint16) v;
          port_set = TRUE;
          break;
        case '4': cfg->family = 4; break;
        case '6': cfg->family = 6; break;
        case 't':
          {
            char *colon = strchr (optarg, ':');
            if (colon)
              {
                *colon = '\0';
                if (!np_state_parse (colon + 1, &cfg->timeout_state))
                  usage_error ("bad timeout state '%s'", colon + 1);
              }
            if (!parse_int (optarg, 1, 3600, &v))
              usage_error ("bad timeout '%s' (1-3600 seconds)", optarg);
            cfg->timeout = (int) v;
          }
          break;
        case 'w':
          np_range_clear (&cfg->warn);
          if (!np_range_parse (optarg, &cfg->warn, &error))
            usage_error ("-w: %s", error->message);
          break;
        case 'c':
          np_range_clear (&cfg->crit);
          if (!np_range_parse (optarg, &cfg->crit, &error))
            usage_error ("-c: %s", error->message);
          break;
        case 'F':
        case OPT_EHLO_NAME: cfg->ehlo_name = g_strdup (optarg); break;
        case 'L': cfg->lmtp = TRUE; break;
        case 'S': cfg->starttls = TRUE; break;
        case 's': cfg->implicit_tls = TRUE; break;
        case OPT_REQUIRE_TLS: cfg->require_tls = TRUE; cfg->starttls = TRUE; break;
        case OPT_TLS_VERIFY: cfg->tls_verify = TRUE; break;
        case OPT_TLS_HOSTNAME: cfg->tls_hostname = g_strdup (optarg); break;
        case OPT_CA_FILE: cfg->ca_file = g_strdup (optarg); break;
        case 'D':
          {
            char **p = g_strsplit (optarg, ",", 3);
            long w, cr;
            if (!p[0] || !parse_int (p[0], 0, 100000, &w)
                || (p[1] && (!parse_int (p[1], 0, 100000, &cr) || p[2])))
              usage_error ("bad -D '%s' (want days or warn,crit days)", optarg);
            cfg->cert_warn = (int) w;
            cfg->cert_crit = p[1] ? (int) cr : 0;
            cfg->cert_days_set = TRUE;
            g_strfreev (p);
          }
          break;
        case 'A':
          if (g_ascii_strcasecmp (optarg, "plain") == 0)
            cfg->auth = AUTH_PLAIN;
          else if (g_ascii_strcasecmp (optarg, "login") == 0)
            cfg->auth = AUTH_LOGIN;
          else
            usage_error ("bad -A '%s' (plain or login)", optarg);
          break;
        case 'U': cfg->user = g_strdup (optarg); break;
        case 'P':
          g_free (cfg->password);
          cfg->password = g_strdup (optarg);
          /* keep it out of ps from now on */
          memset (optarg, 'x', strlen (optarg));
          break;
        case OPT_AUTHFILE: authfile = optarg; break;
        case 'f': cfg->from = g_strdup (optarg); cfg->have_from = TRUE; break;
        case 'r': g_ptr_array_add (cfg->rcpts, g_strdup (optarg)); break;
        case OPT_DATA: cfg->data = TRUE; cfg->data_file = g_strdup (optarg); break;
        case OPT_QUIT_AFTER:
          cfg->quit_after = step_parse (optarg, strlen (optarg));
          if (cfg->quit_after < 0 || cfg->quit_after == STEP_QUIT)
            usage_error ("bad --quit-after '%s'", optarg);
          break;
        case OPT_STRICT_QUIT: cfg->strict_quit = TRUE; break;
        case OPT_EXPECT:
          {
            Expect *e = parse_expect (optarg, &error);
            if (!e)
              usage_error ("%s", error->message);
            g_ptr_array_add (cfg->expects, e);
          }
          break;
        case OPT_MAP:
          {
            Rule *r = parse_map (optarg, &error);
            if (!r)
              usage_error ("%s", error->message);
            g_ptr_array_add (cli_maps, r);
          }
          break;
        case OPT_MAP_FILE: map_file = optarg; break;
        case OPT_VENDOR:
          g_free (cfg->vendor);
          cfg->vendor = g_ascii_strcasecmp (optarg, "auto") == 0 ? NULL : g_strdup (optarg);
          break;
        case OPT_LANG: cfg->lang = g_strdup (optarg); break;
        case OPT_REPLY: g_ptr_array_add (cfg->replies, g_strdup (optarg)); break;
        case OPT_FILE: cfg->file = g_strdup (optarg); break;
        case OPT_FORMAT:
          {
            static const char *const names[] = { "auto", "reply", "postfix", "exim", "dsn" };
            guint i;
            for (i = 0; i < G_N_ELEMENTS (names); i++)
              if (g_ascii_strcasecmp (optarg, names[i]) == 0)
                break;
            if (i == G_N_ELEMENTS (names))
              usage_error ("bad --format '%s'", optarg);
            cfg->format = (Format) i;
          }
          break;
        case 'v': cfg->verbose++; break;
        case 'V':
          printf (PROGNAME " %s (libsmtpcodes)\n", PACKAGE_VERSION);
          exit (NP_OK);
        case 'h':
          print_help ();
          exit (NP_OK);
        case ':':
          usage_error ("option %s needs a value", argv[optind - 1]);
        default:
          if (optopt)
            usage_error ("unknown option -%c", optopt);
          usage_error ("unknown option %s", argv[optind - 1]);
        }
    }
  if (optind < argc)
    usage_error ("unexpected argument '%s' (options only)", argv[optind]);

  /* the map file first, so that --map on the command line wins among equal keys */
  if (map_file)
    load_map_file (map_file, cfg->maps);
  for (guint i = 0; i < cli_maps->len; i++)
    g_ptr_array_add (cfg->maps, cli_maps->pdata[i]);
  g_ptr_array_free (cli_maps, TRUE);

  if (cfg->replies->len || cfg->file)
    {
      if (seen_live)
        usage_error ("-H cannot be combined with --reply or --file");
      if (cfg->replies->len && cfg->file)
        usage_error ("--reply and --file cannot be combined");
      return cfg;
    }
  if (!cfg->host)
    usage_error ("-H is required (or --reply / --file for offline mode)");
  if (cfg->implicit_tls && cfg->starttls)
    usage_error ("-s (implicit TLS) and -S (STARTTLS) exclude each other");
  if (cfg->lmtp && cfg->host[0] != '/' && !port_set)
    cfg->port = 24;
  else if (!port_set)
    cfg->port = cfg->implicit_tls ? 465 : 25;
  if (cfg->cert_days_set && !cfg->starttls && !cfg->implicit_tls)
    usage_error ("-D needs -S or -s");
  if (authfile)
    {
      g_free (cfg->password);
      g_free (cfg->user);
      cfg->user = read_authfile (authfile, &cfg->password);
    }
  if (cfg->auth != AUTH_NONE)
    {
      if (!cfg->password && g_getenv (PASSWORD_ENV))
        cfg->password = g_strdup (g_getenv (PASSWORD_ENV));
      if (!cfg->user || !cfg->password)
        usage_error ("-A needs a user and a password (-U with --authfile or " PASSWORD_ENV ")");
    }
  else if (cfg->user || authfile)
    usage_error ("-U/--authfile need -A plain|login");
  if (!cfg->from)
    cfg->from = g_strdup ("");
  if (!cfg->ehlo_name)
    cfg->ehlo_name = g_strdup (g_get_host_name ());
  if (cfg->data && !cfg->rcpts->len)
    usage_error ("--data needs at least one -r");
  for (guint i = 0; i < cfg->expects->len; i++)
    {
      Expect *e = cfg->expects->pdata[i];
      if ((e->step == STEP_RCPT && !cfg->rcpts->len) || (e->step == STEP_DATA && !cfg->data)
          || (e->step == STEP_AUTH && cfg->auth == AUTH_NONE)
          || (e->step == STEP_TLS && !cfg->starttls && !cfg->implicit_tls))
        usage_error ("--expect %s: the options do not include that step", e->text);
    }
  return cfg;
}

/* ---- the dialogue ------------------------------------------------------------------------- */

typedef struct {
  Step              step;
  char             *label;      /* "RCPT <bob@example.org>" */
  char             *command;    /* as shown (passwords masked), or NULL */
  char             *raw;        /* the reply as received, lines joined with \n */
  SmtpcodesReply   *reply;
  SmtpcodesVerdict *verdict;
  char             *problem;    /* an event without a reply: timeout, refused, garbage */
  NpState           state;
  char             *why;
  gboolean          counts;     /* FALSE: shown, but takes no part in the state */
} Event;

static void
event_free (gpointer p)
{
  Event *e = p;
  g_free (e->label);
  g_free (e->command);
  g_free (e->raw);
  g_clear_pointer (&e->reply, smtpcodes_reply_unref);
  g_clear_pointer (&e->verdict, smtpcodes_verdict_unref);
  g_free (e->problem);
  g_free (e->why);
  g_free (e);
}

typedef struct {
  const CheckConfig *cfg;
  SmtpcodesRegistry *reg;        /* NULL until session_registry() */
  gint64             t0;         /* the dialogue's start, 0 before */
  gint64             reg_wait;   /* time the dialogue waited for the registry */
  int                cancel_fd;  /* readable once the helper cancels */
  int                fd;         /* the connection (-1: none, or the GIO module has it) */
  const NpGioFuncs  *gio_funcs;  /* the GIO module, for names and TLS; NULL until needed */
  NpGio             *gio;
  char               buf[8192];
  gsize              pos, len;
  const char        *ahead;      /* a command to pipeline after the next one (RFC 2920) */
  gboolean           ahead_sent;
  GPtrArray         *events;
  gint64             step_usec[N_STEPS];
  gboolean           step_ran[N_STEPS];
  char              *peer;
  GString           *caps;       /* EHLO keywords, space-separated */
  gboolean           has_starttls;
  gboolean           has_pipelining;
  char              *auth_mechs;
  gboolean           tls_active;
  GString           *tls_info;
  guint              cert_errors;  /* NP_CERT_* */
  gboolean           cert_days_known;
  int                cert_days;
  GString           *transcript;
  char              *secrets[4];
} Session;

/* -- one helper thread, when the check needs GIO (a host name, TLS). Loading the registry
 * (every module on the search path) and the first classification take about as long as a
 * whole local dialogue, so the helper does both while the main thread connects, loads what
 * TLS needs and waits for the banner; the first reply to classify waits for the registry.
 * Then the helper keeps the deadline: it cancels the I/O when -t passes (GIO's calls block),
 * and ends the process if that does not help.
 *
 * A check of plain SMTP or LMTP to an address or a socket has no helper (starting one, the
 * other CPU's wake-ups and the joins cost about 0.25 ms, a tenth of the whole run): every
 * wait is a poll() of the dialogue's own, which ends at the deadline, and the dialogue
 * loads the registry itself in its first wait for a reply (usually the banner's), while the
 * server answers. If the reply came in meanwhile, the load's time is taken off that step's
 * time and the total, as our own and not the server's (the time the reply took is then
 * known only to within the load's). -- */

static struct {
  GMutex        lock;
  GCond         cond;        /* registry ready, or done */
  SmtpcodesRegistry *reg;
  gboolean      done;
  gint64        deadline;
  GThread      *thread;
  int           cancel_fd;   /* written to when the deadline passes */
  const NpGioFuncs *gio_funcs;
  NpGio        *gio;         /* cancelled too, once there is one */
  gint          step;        /* atomically updated by the dialogue */
  gboolean      fired;
  int           timeout;
  NpState       state;
  gboolean      no_thread;   /* plain: no helper, the dialogue does its work itself */
} helper;

/* The library builds what it needs to read and explain a reply (its text matcher: most of a
 * millisecond) on the first one; let that be a made-up greeting, while the server's is on
 * its way. */
static void
registry_warm (SmtpcodesRegistry *reg)
{
  SmtpcodesReply *warm = smtpcodes_registry_parse_reply (reg, "220 mx.example.org ESMTP ready", -1, NULL);
  if (warm)
    {
      smtpcodes_verdict_unref (smtpcodes_registry_explain (reg, warm, NULL));
      smtpcodes_reply_unref (warm);
    }
}

static gpointer
helper_main (gpointer data)
{
  SmtpcodesRegistry *reg = smtpcodes_registry_get_default ();

  g_mutex_lock (&helper.lock);
  helper.reg = reg;
  g_cond_broadcast (&helper.cond);
  g_mutex_unlock (&helper.lock);
  registry_warm (reg);

  g_mutex_lock (&helper.lock);
  while (!helper.done)
    {
      if (!g_cond_wait_until (&helper.cond, &helper.lock, helper.deadline) && !helper.done)
        {
          gint64 grace = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
          helper.fired = TRUE;
          if (write (helper.cancel_fd, "", 1) < 0)
            {
              /* a full pipe is cancelled already */
            }
          if (helper.gio)
            helper.gio_funcs->cancel (helper.gio);
          while (!helper.done)
            if (!g_cond_wait_until (&helper.cond, &helper.lock, grace) && !helper.done)
              {
                /* the dialogue did not notice the cancellation (e.g. a blocking name lookup) */
                printf (LABEL " %s - timeout after %d s waiting for %s\n",
                        np_state_name (helper.state), helper.timeout,
                        step_names[g_atomic_int_get (&helper.step)]);
                fflush (stdout);
                _exit (helper.state);
              }
        }
    }
  g_mutex_unlock (&helper.lock);
  return NULL;
}

/* Ends the helper (after its registry work: exit() must not run beside it). */
static void
helper_stop (void)
{
  if (!helper.thread)
    return;
  g_mutex_lock (&helper.lock);
  helper.done = TRUE;
  g_cond_broadcast (&helper.cond);
  g_mutex_unlock (&helper.lock);
  g_thread_join (helper.thread);
  helper.thread = NULL;
}

/* Without a helper: the registry, loaded and warmed now; the time it took. */
static gint64
registry_load_here (Session *s)
{
  gint64 t = g_get_monotonic_time ();
  s->reg = helper.reg = smtpcodes_registry_get_default ();
  registry_warm (s->reg);
  return g_get_monotonic_time () - t;
}

/* The registry, waiting for the helper (or loading it, without one) the first time. */
static SmtpcodesRegistry *
session_registry (Session *s)
{
  if (!s->reg && helper.no_thread)
    {
      gint64 spent = registry_load_here (s);
      if (s->t0)
        s->reg_wait += spent;
    }
  if (!s->reg)
    {
      gint64 t = g_get_monotonic_time ();
      g_mutex_lock (&helper.lock);
      while (!helper.reg)
        g_cond_wait (&helper.cond, &helper.lock);
      s->reg = helper.reg;
      g_mutex_unlock (&helper.lock);
      /* our own start-up is not the server's response time */
      if (s->t0)
        s->reg_wait += g_get_monotonic_time () - t;
    }
  return s->reg;
}

static void
set_step (Step step)
{
  g_atomic_int_set (&helper.step, step);
}

static gboolean
timed_out (void)
{
  gboolean fired;
  g_mutex_lock (&helper.lock);
  fired = helper.fired;
  g_mutex_unlock (&helper.lock);
  return fired;
}

/* -- the GIO module (np-gio.h): opened for a host name or TLS only -- */

static void *
gio_module_open (const char *path, GString *why)
{
  void *h = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    g_string_append_printf (why, "%s%s", why->len ? "; " : "", dlerror ());
  return h;
}

/* CHECK_SMTP_REPLY_GIO_MODULE, else beside the executable (the build tree), else the
 * installed one */
static gboolean
session_gio (Session *s, GError **error)
{
  static const NpGioFuncs *funcs;
  static char *failure;
  const char *env = g_getenv ("CHECK_SMTP_REPLY_GIO_MODULE");
  const NpGioFuncs *(*get) (void) = NULL;
  GString *why;
  void *h = NULL;

  if (s->gio)
    return TRUE;
  if (!funcs && !failure)
    {
      why = g_string_new (NULL);
      if (env && *env)
        h = gio_module_open (env, why);
      else
        {
          char *exe = g_file_read_link ("/proc/self/exe", NULL);
          if (exe)
            {
              char *dir = g_path_get_dirname (exe);
              char *path = g_build_filename (dir, NP_GIO_MODULE, NULL);
              if (g_file_test (path, G_FILE_TEST_EXISTS))
                h = gio_module_open (path, why);
              g_free (path);
              g_free (dir);
              g_free (exe);
            }
          if (!h)
            h = gio_module_open (NP_GIO_MODULE_DIR G_DIR_SEPARATOR_S NP_GIO_MODULE, why);
        }
      if (h)
        {
          *(void **) &get = dlsym (h, "np_gio_funcs");
          if (get && get ()->abi == NP_GIO_ABI)
            funcs = get ();
          else
            failure = g_strdup ("not a check_smtp_reply GIO module of this version");
          g_string_free (why, TRUE);
        }
      else
        failure = g_string_free (why, FALSE);
    }
  if (!funcs)
    {
      g_set_error (error, NP_IO_ERROR, NP_IO_FAILED, "cannot load %s: %s", NP_GIO_MODULE, failure);
      return FALSE;
    }
  s->gio_funcs = funcs;
  s->gio = funcs->open ();
  g_mutex_lock (&helper.lock);
  helper.gio_funcs = funcs;
  helper.gio = s->gio;
  if (helper.fired)
    funcs->cancel (s->gio);
  g_mutex_unlock (&helper.lock);
  return TRUE;
}

/* -- events -- */

static char *
scrub (Session *s, const char *text, gsize max)
{
  char *clean = np_sanitize (text, -1, max);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (s->secrets); i++)
    {
      char *hit;
      if (!s->secrets[i] || strlen (s->secrets[i]) < 3)
        continue;
      while ((hit = strstr (clean, s->secrets[i])))
        {
          GString *g = g_string_new_len (clean, hit - clean);
          g_string_append (g, "****");
          g_string_append (g, hit + strlen (s->secrets[i]));
          g_free (clean);
          clean = g_string_free (g, FALSE);
        }
    }
  return clean;
}

static Event *
add_event (Session *s, Step step, const char *label)
{
  Event *e = g_new0 (Event, 1);
  e->step = step;
  e->label = g_strdup (label);
  e->counts = TRUE;
  e->state = NP_OK;
  g_ptr_array_add (s->events, e);
  return e;
}

static Event *
add_problem (Session *s, Step step, const char *label, NpState state, const char *why,
             const char *fmt, ...) G_GNUC_PRINTF (6, 7);

static Event *
add_problem (Session *s, Step step, const char *label, NpState state, const char *why,
             const char *fmt, ...)
{
  Event *e = add_event (s, step, label);
  va_list ap;
  char *msg;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  e->problem = scrub (s, msg, TEXT_MAX);
  g_free (msg);
  e->state = state;
  e->why = g_strdup (why);
  return e;
}

/* the default state of a reply at a step; @want3 marks steps that expect 3xx (DATA, AUTH) */
static NpState
default_state (Step step, int code, gboolean want3, char **why)
{
  int cls = code / 100;

  if (cls == 2 || (cls == 3 && want3))
    {
      *why = g_strdup_printf ("default for %dxx at %s", cls, step_names[step]);
      return NP_OK;
    }
  if (cls == 3 || (cls == 2 && want3 && step == STEP_DATA))
    {
      *why = g_strdup_printf ("%dxx is not the reply %s expects", cls, step_names[step]);
      return NP_CRITICAL;
    }
  if (cls == 4 && step != STEP_BANNER && step != STEP_EHLO)
    {
      *why = g_strdup_printf ("default for 4xx at %s", step_names[step]);
      return NP_WARNING;
    }
  if (cls == 4 || cls == 5)
    {
      *why = g_strdup_printf ("default for %dxx at %s%s", cls, step_names[step],
                              step == STEP_BANNER || step == STEP_EHLO ? " (not accepting mail)" : "");
      return NP_CRITICAL;
    }
  *why = g_strdup ("reply code out of range");
  return NP_UNKNOWN;
}

static const Rule *
best_map (const GPtrArray *maps, int step, gboolean qualified, int code, const char *enh,
          SmtpcodesClass klass)
{
  const Rule *best = NULL;
  guint i;

  for (i = 0; i < maps->len; i++)
    {
      const Rule *r = maps->pdata[i];
      if (qualified ? r->step != step : r->step != -1)
        continue;
      if (!rule_matches (r, code, enh, klass))
        continue;
      if (!best || r->rank <= best->rank)
        best = r;
    }
  return best;
}

/* Decides the state of a reply: step-qualified --map, then --expect, then --map, then the
 * default. */
static NpState
decide (const CheckConfig *cfg, int step, int code, const char *enh, SmtpcodesClass klass,
        NpState dflt, char *dflt_why, char **why)
{
  const Rule *r;
  guint i;
  gboolean have_expect = FALSE, matched = FALSE;
  GString *spec = NULL;

  if (step >= 0 && (r = best_map (cfg->maps, step, TRUE, code, enh, klass)))
    {
      *why = g_strdup_printf ("--map %s", r->text);
      g_free (dflt_why);
      return r->state;
    }
  for (i = 0; step >= 0 && i < cfg->expects->len; i++)
    {
      const Expect *e = cfg->expects->pdata[i];
      guint j;
      if ((int) e->step != step)
        continue;
      have_expect = TRUE;
      if (!spec)
        spec = g_string_new (NULL);
      else
        g_string_append_c (spec, ' ');
      g_string_append_printf (spec, "--expect %s", e->text);
      for (j = 0; j < e->codes->len; j++)
        if (rule_matches (e->codes->pdata[j], code, enh, klass))
          matched = TRUE;
    }
  if (have_expect)
    {
      *why = g_strdup_printf ("%s %s", spec->str, matched ? "met" : "not met");
      g_string_free (spec, TRUE);
      g_free (dflt_why);
      return matched ? NP_OK : NP_CRITICAL;
    }
  if ((r = best_map (cfg->maps, step, FALSE, code, enh, klass)))
    {
      *why = g_strdup_printf ("--map %s", r->text);
      g_free (dflt_why);
      return r->state;
    }
  *why = dflt_why;
  return dflt;
}

/* -- I/O -- */

/* Plain text goes over the socket itself, as GSocket would do it: the helper's cancellation
 * ends a wait, and -t on each wait is the backstop; without a helper, a wait ends at the
 * deadline, as if the helper had cancelled it. TLS goes through the GIO module. */
static gboolean
set_errno_error (GError **error, int errsv, const char *prefix)
{
  g_set_error (error, NP_IO_ERROR, errsv == ETIMEDOUT ? NP_IO_TIMED_OUT : NP_IO_FAILED, "%s%s",
               prefix, g_strerror (errsv));
  return FALSE;
}

static gboolean
wait_fd (Session *s, short events, GError **error)
{
  struct pollfd p[2] = { { s->fd, events, 0 }, { s->cancel_fd, POLLIN, 0 } };
  int n, ms = s->cfg->timeout * 1000;

  if (helper.no_thread && !s->reg && events == POLLIN)
    {
      /* the server is answering: meanwhile the registry (see the helper) */
      gint64 spent = registry_load_here (s);
      struct pollfd q = { s->fd, POLLIN, 0 };
      if (poll (&q, 1, 0) > 0)
        s->reg_wait += spent;   /* it came while we loaded */
    }
  do
    {
      if (helper.no_thread)
        {
          gint64 left = helper.deadline - g_get_monotonic_time ();
          ms = left > 0 ? (int) ((left + 999) / 1000) : 0;
        }
      n = poll (p, 2, ms);
    }
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return set_errno_error (error, errno, "");
  if (n == 0 && helper.no_thread && g_get_monotonic_time () >= helper.deadline)
    {
      /* what the helper would have done */
      g_mutex_lock (&helper.lock);
      helper.fired = TRUE;
      g_mutex_unlock (&helper.lock);
      p[1].revents = POLLIN;
    }
  if (p[1].revents)
    {
      g_set_error_literal (error, NP_IO_ERROR, NP_IO_CANCELLED, "Operation was cancelled");
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error_literal (error, NP_IO_ERROR, NP_IO_TIMED_OUT, "Socket I/O timed out");
      return FALSE;
    }
  return TRUE;
}

static gssize
fd_receive (Session *s, char *buf, gsize size, GError **error)
{
  for (;;)
    {
      gssize n = recv (s->fd, buf, size, 0);
      if (n >= 0)
        return n;
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        {
          set_errno_error (error, errno, "Error receiving data: ");
          return -1;
        }
      if (!wait_fd (s, POLLIN, error))
        return -1;
    }
}

static gboolean
fill (Session *s, GError **error)
{
  gssize n = s->tls_active ? s->gio_funcs->tls_read (s->gio, s->buf, sizeof s->buf, error)
                           : fd_receive (s, s->buf, sizeof s->buf, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      g_set_error_literal (error, NP_IO_ERROR, NP_IO_EOF, "connection closed by the server");
      return FALSE;
    }
  s->pos = 0;
  s->len = (gsize) n;
  return TRUE;
}

static char *
read_line (Session *s, gsize *length, GError **error)
{
  GString *line = g_string_new (NULL);

  for (;;)
    {
      char *nl;
      gsize take;
      if (s->pos == s->len && !fill (s, error))
        {
          g_string_free (line, TRUE);
          return NULL;
        }
      nl = memchr (s->buf + s->pos, '\n', s->len - s->pos);
      take = nl ? (gsize) (nl - (s->buf + s->pos)) : s->len - s->pos;
      if (line->len + take > LINE_MAX_BYTES)
        {
          g_set_error (error, NP_IO_ERROR, NP_IO_TOO_LONG, "reply line longer than %d bytes",
                       LINE_MAX_BYTES);
          g_string_free (line, TRUE);
          return NULL;
        }
      g_string_append_len (line, s->buf + s->pos, take);
      s->pos += take;
      if (nl)
        {
          s->pos++;
          if (line->len && line->str[line->len - 1] == '\r')
            g_string_truncate (line, line->len - 1);
          *length = line->len;
          return g_string_free (line, FALSE);
        }
    }
}

/* Reads one (multi-line) reply; checks the RFC 5321 shape of every line. */
static char *
read_reply (Session *s, GError **error)
{
  GString *raw = g_string_new (NULL);
  char code[4] = "";
  int n;

  for (n = 0; n < REPLY_MAX_LINES; n++)
    {
      gsize len = 0;
      char *line = read_line (s, &len, error);
      gboolean ok, last;
      if (!line)
        {
          g_string_free (raw, TRUE);
          return NULL;
        }
      if (s->transcript)
        g_string_append_printf (s->transcript, "S: %s\n", line);
      ok = strlen (line) >= 3 && g_ascii_isdigit (line[0]) && g_ascii_isdigit (line[1])
           && g_ascii_isdigit (line[2]) && (line[3] == '\0' || line[3] == ' ' || line[3] == '-')
           && strlen (line) == len && (n == 0 || strncmp (line, code, 3) == 0);
      if (!ok)
        {
          char *shown = np_sanitize (line, -1, 60);
          g_set_error (error, NP_IO_ERROR, NP_IO_GARBAGE, "not an SMTP reply: \"%s\"", shown);
          g_free (shown);
          g_free (line);
          g_string_free (raw, TRUE);
          return NULL;
        }
      if (n == 0)
        memcpy (code, line, 3);
      last = line[3] != '-';
      if (raw->len)
        g_string_append_c (raw, '\n');
      g_string_append (raw, line);
      g_free (line);
      if (last)
        return g_string_free (raw, FALSE);
    }
  g_set_error (error, NP_IO_ERROR, NP_IO_TOO_LONG, "reply longer than %d lines", REPLY_MAX_LINES);
  g_string_free (raw, TRUE);
  return NULL;
}

static gboolean
write_all (Session *s, const char *data, gsize len, GError **error)
{
  if (s->tls_active)
    return s->gio_funcs->tls_write_all (s->gio, data, len, error);
  while (len)
    {
      gssize n = send (s->fd, data, len, MSG_NOSIGNAL);
      if (n >= 0)
        {
          data += n;
          len -= (gsize) n;
        }
      else if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          if (!wait_fd (s, POLLOUT, error))
            return FALSE;
        }
      else if (errno != EINTR)
        return set_errno_error (error, errno, "Error sending data: ");
    }
  return TRUE;
}

/* Sends @wire, and s->ahead (shown as it is) in the same write when it is set. */
static gboolean
send_line (Session *s, const char *shown, const char *wire, GError **error)
{
  char *line = g_strconcat (wire, "\r\n", s->ahead ? s->ahead : "", s->ahead ? "\r\n" : "", NULL);
  gboolean ok;

  if (s->transcript)
    g_string_append_printf (s->transcript, "C: %s\n", shown);
  if (s->transcript && s->ahead)
    g_string_append_printf (s->transcript, "C: %s\n", s->ahead);
  ok = write_all (s, line, strlen (line), error);
  s->ahead_sent = s->ahead != NULL;
  s->ahead = NULL;
  g_free (line);
  return ok;
}

/* Records an I/O failure at @step. */
static void
io_failure (Session *s, Step step, const char *label, const char *what, GError *error)
{
  if (timed_out () || g_error_matches (error, NP_IO_ERROR, NP_IO_TIMED_OUT)
      || g_error_matches (error, NP_IO_ERROR, NP_IO_CANCELLED))
    {
      char *why = g_strdup_printf ("-t %d", s->cfg->timeout);
      add_problem (s, step, label, s->cfg->timeout_state, why,
                   "timeout after %d s waiting for %s", s->cfg->timeout, what);
      g_free (why);
    }
  else if (g_error_matches (error, NP_IO_ERROR, NP_IO_GARBAGE)
           || g_error_matches (error, NP_IO_ERROR, NP_IO_TOO_LONG))
    add_problem (s, step, label, NP_UNKNOWN, "unparsable reply",
                 "unparsable reply to %s: %s", what, error->message);
  else if (g_error_matches (error, NP_IO_ERROR, NP_IO_EOF))
    add_problem (s, step, label, NP_CRITICAL, "connection lost",
                 "server closed the connection while we waited for %s", what);
  else
    add_problem (s, step, label, NP_CRITICAL, "I/O error", "%s: %s", what, error->message);
}

static const char *
enh_of (const SmtpcodesReply *reply, const SmtpcodesVerdict *verdict)
{
  const char *enh = smtpcodes_reply_get_enhanced (reply);
  if (!enh && verdict)
    enh = smtpcodes_verdict_get_status (verdict);
  return enh;
}

/* A reply read off the wire (read_reply checked the RFC 5321 syntax: every line starts
 * with the same three digits).  The library's parser also reads replies quoted in logs and
 * bounces, where a code further on can be the one that counts ("... said: 554 ..."); on the
 * wire the code in front is the reply's, so a reply whose text quotes another code keeps
 * its own, with the RFC 2034 code that follows it, if any. */
static SmtpcodesReply *
wire_reply (SmtpcodesRegistry *reg, const char *raw, GError **error)
{
  SmtpcodesReply *r = smtpcodes_registry_parse_reply (reg, raw, -1, error);
  int code = (raw[0] - '0') * 100 + (raw[1] - '0') * 10 + (raw[2] - '0');
  GString *text;
  char *enhanced = NULL;
  const char *p = raw;

  if (r == NULL || smtpcodes_reply_get_code (r) == code)
    return r;
  smtpcodes_reply_unref (r);
  /* the enhanced code right after the first line's code, of the same class */
  if ((raw[3] == ' ' || raw[3] == '-') && raw[4] == raw[0] && raw[5] == '.')
    {
      gsize n = 4;
      while (g_ascii_isdigit (raw[n]) || raw[n] == '.')
        n++;
      if (n > 8 && (raw[n] == ' ' || raw[n] == '\0' || raw[n] == '\n'))
        enhanced = g_strndup (raw + 4, n - 4);
    }
  text = g_string_new (NULL);
  while (*p)
    {
      const char *nl = strchr (p, '\n');
      gsize len = nl ? (gsize) (nl - p) : strlen (p);
      gsize skip = len >= 4 ? 4 : len;
      if (enhanced && len >= skip + strlen (enhanced) && strncmp (p + skip, enhanced, strlen (enhanced)) == 0)
        skip += strlen (enhanced);
      while (skip < len && p[skip] == ' ')
        skip++;
      if (text->len && skip < len)
        g_string_append_c (text, ' ');
      g_string_append_len (text, p + skip, len - skip);
      p = nl ? nl + 1 : p + len;
    }
  r = smtpcodes_reply_new (code, enhanced, text->str, NULL, NULL, NULL);
  if (r == NULL)   /* an enhanced code the library does not take: keep the basic code */
    r = smtpcodes_reply_new (code, NULL, text->str, NULL, NULL, error);
  g_string_free (text, TRUE);
  g_free (enhanced);
  return r;
}

/* Sends @wire (NULL: only read: the banner, a reply to a command already sent), reads and
 * classifies the reply.
 * Returns the reply code, or 0 when the dialogue cannot go on. */
static int
exchange (Session *s, Step step, const char *label, const char *shown, const char *wire,
          gboolean want3, gboolean counts, Event **out_event)
{
  GError *error = NULL;
  char *raw, *dflt_why = NULL, *what;
  Event *e;
  gint64 t0 = g_get_monotonic_time (), own0 = s->reg_wait;
  int code;
  NpState dflt;

  set_step (step);
  s->step_ran[step] = TRUE;
  what = step == STEP_BANNER ? g_strdup ("the banner") : g_strdup_printf ("the reply to %s", label);
  if (wire && !send_line (s, shown, wire, &error))
    {
      io_failure (s, step, label, what, error);
      g_error_free (error);
      g_free (what);
      s->step_usec[step] += g_get_monotonic_time () - t0;
      return 0;
    }
  raw = read_reply (s, &error);
  /* (less the registry's load, when it was ours: see the helper) */
  s->step_usec[step] += g_get_monotonic_time () - t0 - (s->reg_wait - own0);
  if (!raw)
    {
      if (step == STEP_QUIT && !s->cfg->strict_quit)
        {
          Event *q = add_problem (s, step, label, NP_OK, "QUIT is not checked (--strict-quit)",
                                  "%s", error->message);
          q->counts = FALSE;
        }
      else
        io_failure (s, step, label, what, error);
      g_error_free (error);
      g_free (what);
      return 0;
    }
  g_free (what);
  e = add_event (s, step, label);
  e->command = shown ? g_strdup (shown) : NULL;
  e->raw = raw;
  e->counts = counts;
  e->reply = wire_reply (session_registry (s), raw, &error);
  if (!e->reply)
    {
      e->problem = g_strdup_printf ("unparsable reply: %s", error->message);
      e->state = NP_UNKNOWN;
      e->why = g_strdup ("unparsable reply");
      g_error_free (error);
      return 0;
    }
  e->verdict = smtpcodes_registry_explain (s->reg, e->reply, s->cfg->vendor);
  code = smtpcodes_reply_get_code (e->reply);
  if (!counts)
    {
      e->state = NP_OK;
      e->why = g_strdup (g_str_equal (label, "QUIT") ? "QUIT is not checked (--strict-quit)"
                         : g_str_equal (label, "RSET") ? "RSET is not checked" : "not checked");
      if (out_event)
        *out_event = e;
      return code;
    }
  dflt = default_state (step, code, want3, &dflt_why);
  e->state = decide (s->cfg, step, code, enh_of (e->reply, e->verdict),
                     smtpcodes_verdict_get_class (e->verdict), dflt, dflt_why, &e->why);
  if (out_event)
    *out_event = e;
  return code;
}

static void
parse_capabilities (Session *s, const char *raw)
{
  char **lines = g_strsplit (raw, "\n", -1);
  int i;

  g_string_truncate (s->caps, 0);
  s->has_starttls = FALSE;
  s->has_pipelining = FALSE;
  g_clear_pointer (&s->auth_mechs, g_free);
  for (i = 1; lines[i]; i++)
    {
      const char *kw = lines[i] + 4;
      char *upper;
      if (strlen (lines[i]) < 5)
        continue;
      upper = g_ascii_strup (kw, -1);
      if (s->caps->len)
        g_string_append_c (s->caps, ' ');
      g_string_append_len (s->caps, upper, strcspn (upper, " ="));
      if (g_str_equal (upper, "STARTTLS"))
        s->has_starttls = TRUE;
      else if (g_str_equal (upper, "PIPELINING"))
        s->has_pipelining = TRUE;
      else if (g_str_has_prefix (upper, "AUTH ") || g_str_has_prefix (upper, "AUTH="))
        {
          g_free (s->auth_mechs);
          s->auth_mechs = g_strdup (upper + 5);
        }
      g_free (upper);
    }
  g_strfreev (lines);
}

/* -H without [brackets]: a g_free()d copy */
static char *
bare_host (const char *host)
{
  char *bare = g_strdup (host);
  if (bare[0] == '[' && bare[strlen (bare) - 1] == ']')
    {
      bare[strlen (bare) - 1] = '\0';
      memmove (bare, bare + 1, strlen (bare));
    }
  return bare;
}

/* an IPv4 or IPv6 address (and, as with GResolver, -4/-6 do not filter it) */
static socklen_t
host_address (const char *bare, guint16 port, struct sockaddr_storage *ss)
{
  struct sockaddr_in *in4 = (struct sockaddr_in *) ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;

  memset (ss, 0, sizeof *ss);
  if (inet_pton (AF_INET, bare, &in4->sin_addr) == 1)
    {
      in4->sin_family = AF_INET;
      in4->sin_port = htons (port);
      return sizeof *in4;
    }
  if (inet_pton (AF_INET6, bare, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons (port);
      return sizeof *in6;
    }
  return 0;
}

static void
describe_cert_errors (GString *out, guint f)
{
  static const struct { guint flag; const char *name; } names[] = {
    { NP_CERT_UNKNOWN_CA, "unknown CA" },
    { NP_CERT_BAD_IDENTITY, "name mismatch" },
    { NP_CERT_NOT_ACTIVATED, "not yet valid" },
    { NP_CERT_EXPIRED, "expired" },
    { NP_CERT_REVOKED, "revoked" },
    { NP_CERT_INSECURE, "insecure algorithm" },
    { NP_CERT_GENERIC_ERROR, "invalid" },
  };
  guint i;
  gboolean first = TRUE;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    if (f & names[i].flag)
      {
        g_string_append_printf (out, "%s%s", first ? "" : ", ", names[i].name);
        first = FALSE;
      }
}

static gboolean
tls_handshake (Session *s, const char *label)
{
  const CheckConfig *cfg = s->cfg;
  GError *error = NULL;
  char *identity = NULL;
  NpTlsFacts facts;
  gint64 t0 = g_get_monotonic_time ();
  const char *name = cfg->tls_hostname ? cfg->tls_hostname : cfg->host;
  gboolean ok;
  int fd = s->fd;

  set_step (STEP_TLS);
  s->step_ran[STEP_TLS] = TRUE;
  if (name[0] != '/')
    identity = bare_host (name);
  if (!session_gio (s, &error))
    {
      add_problem (s, STEP_TLS, label, NP_UNKNOWN, "no TLS module", "TLS support not available: %s",
                   error->message);
      g_error_free (error);
      g_free (identity);
      return FALSE;
    }
  s->fd = -1;   /* the module has it now */
  ok = s->gio_funcs->tls_new (s->gio, fd, identity, cfg->port, cfg->ca_file, cfg->timeout, &error);
  g_free (identity);
  if (!ok)
    {
      if (g_error_matches (error, NP_IO_ERROR, NP_IO_BAD_CA))
        add_problem (s, STEP_TLS, label, NP_UNKNOWN, "bad --ca-file", "--ca-file: %s", error->message);
      else
        add_problem (s, STEP_TLS, label, NP_UNKNOWN, "no TLS backend",
                     "TLS support not available (install glib-networking): %s", error->message);
      g_error_free (error);
      return FALSE;
    }
  ok = s->gio_funcs->tls_handshake (s->gio, &error);
  s->step_usec[STEP_TLS] += g_get_monotonic_time () - t0;
  if (!ok)
    {
      if (timed_out () || g_error_matches (error, NP_IO_ERROR, NP_IO_CANCELLED)
          || g_error_matches (error, NP_IO_ERROR, NP_IO_TIMED_OUT))
        io_failure (s, STEP_TLS, label, "the TLS handshake", error);
      else
        add_problem (s, STEP_TLS, label, NP_CRITICAL, "TLS handshake failed",
                     "TLS handshake failed: %s", error->message);
      g_error_free (error);
      return FALSE;
    }
  s->tls_active = TRUE;
  /* anything the server sent before the handshake must not be read as if it came over TLS */
  s->pos = s->len = 0;

  /* facts for the long output and the checks */
  s->gio_funcs->tls_facts (s->gio, &facts);
  if (facts.protocol)
    g_string_append_printf (s->tls_info, "TLS: %s, %s", facts.protocol, facts.cipher);
  else
    g_string_append (s->tls_info, "TLS: established");
  if (facts.have_cert)
    {
      g_string_append_printf (s->tls_info, "; subject %s; issuer %s",
                              facts.subject ? facts.subject : "?", facts.issuer ? facts.issuer : "?");
      if (facts.have_not_after)
        {
          GDateTime *not_after = g_date_time_new_from_unix_utc (facts.not_after);
          char *iso = g_date_time_format (not_after, "%Y-%m-%d %H:%M:%SZ");
          GTimeSpan left = facts.not_after * G_USEC_PER_SEC - g_get_real_time ();
          s->cert_days = (int) (left / G_TIME_SPAN_DAY) - (left < 0 && left % G_TIME_SPAN_DAY ? 1 : 0);
          s->cert_days_known = TRUE;
          g_string_append_printf (s->tls_info, "; valid until %s (%d days)", iso, s->cert_days);
          g_free (iso);
          g_date_time_unref (not_after);
        }
    }
  s->cert_errors = facts.errors;
  np_tls_facts_clear (&facts);
  g_string_append (s->tls_info, "; certificate: ");
  if (s->cert_errors)
    describe_cert_errors (s->tls_info, s->cert_errors);
  else
    g_string_append (s->tls_info, "verified");

  if (s->cert_errors && cfg->tls_verify)
    {
      GString *what = g_string_new (NULL);
      describe_cert_errors (what, s->cert_errors);
      add_problem (s, STEP_TLS, label, NP_CRITICAL, "--tls-verify",
                   "certificate not valid: %s", what->str);
      g_string_free (what, TRUE);
    }
  if (cfg->cert_days_set)
    {
      if (!s->cert_days_known)
        add_problem (s, STEP_TLS, label, NP_UNKNOWN, "-D", "certificate expiry not available");
      else if (s->cert_days < cfg->cert_crit || s->cert_days < 0)
        add_problem (s, STEP_TLS, label, NP_CRITICAL, "-D",
                     "certificate expires in %d days (critical below %d)", s->cert_days, cfg->cert_crit);
      else if (s->cert_days < cfg->cert_warn)
        add_problem (s, STEP_TLS, label, NP_WARNING, "-D",
                     "certificate expires in %d days (warning below %d)", s->cert_days, cfg->cert_warn);
    }
  return TRUE;
}

/* One connection attempt; worded as GSocketClient words its errors. Not GSocketClient
 * itself: a check talks to the server, not through a proxy, and the GObject set-up of the
 * client, the addresses and the streams was most of the plugin's own work on a local check. */
static int
connect_to (Session *s, const struct sockaddr *sa, socklen_t len, const char *name, GError **error)
{
  int fd = socket (sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int r;

  if (fd < 0)
    set_errno_error (error, errno, "Unable to create socket: ");
  else if (!g_unix_set_fd_nonblocking (fd, TRUE, error))
    ;
  else
    {
      s->fd = fd;
      do
        r = connect (fd, sa, len);
      while (r < 0 && errno == EINTR);
      if (r == 0)
        return fd;
      if (errno != EINPROGRESS)
        set_errno_error (error, errno, "");
      else if (wait_fd (s, POLLOUT, error))
        {
          int err = 0;
          socklen_t elen = sizeof err;
          if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
            set_errno_error (error, errno, "Unable to get pending error: ");
          else if (err)
            set_errno_error (error, err, "");
          else
            return fd;
        }
      s->fd = -1;
    }
  if (fd >= 0)
    close (fd);
  if (name)
    g_prefix_error (error, "Could not connect to %s: ", name);
  else
    g_prefix_error (error, "Could not connect: ");
  return -1;
}

/* "127.0.0.1:25", "[::1]:25" */
static char *
peer_name (int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  char ip[INET6_ADDRSTRLEN];

  if (getpeername (fd, (struct sockaddr *) &ss, &len) < 0)
    return NULL;
  if (ss.ss_family == AF_INET)
    {
      struct sockaddr_in *in = (struct sockaddr_in *) &ss;
      inet_ntop (AF_INET, &in->sin_addr, ip, sizeof ip);
      return g_strdup_printf ("%s:%u", ip, ntohs (in->sin_port));
    }
  if (ss.ss_family == AF_INET6)
    {
      struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;
      inet_ntop (AF_INET6, &in6->sin6_addr, ip, sizeof ip);
      return g_strdup_printf ("[%s]:%u", ip, ntohs (in6->sin6_port));
    }
  return NULL;
}

static gboolean
do_connect (Session *s)
{
  const CheckConfig *cfg = s->cfg;
  GError *error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  char *label;

  if (cfg->host[0] == '/')
    label = g_strdup_printf ("CONNECT %s", cfg->host);
  else
    label = g_strdup_printf ("CONNECT %s:%u", cfg->host, cfg->port);
  set_step (STEP_CONNECT);
  s->step_ran[STEP_CONNECT] = TRUE;
  if (cfg->host[0] == '/')
    {
      struct sockaddr_un un = { .sun_family = AF_UNIX };
      if (strlen (cfg->host) >= sizeof un.sun_path)
        g_set_error_literal (&error, NP_IO_ERROR, NP_IO_FAILED,
                             "Could not connect: Not enough space for socket address");
      else
        {
          strcpy (un.sun_path, cfg->host);
          connect_to (s, (struct sockaddr *) &un, sizeof un, NULL, &error);
        }
    }
  else
    {
      char *bare = bare_host (cfg->host);
      struct sockaddr_storage addr;
      socklen_t len = host_address (bare, cfg->port, &addr);

      if (len)
        connect_to (s, (struct sockaddr *) &addr, len, bare, &error);
      else if (session_gio (s, &error))
        {
          /* a name: GResolver, in the GIO module (run_live has opened it) */
          GArray *addrs = s->gio_funcs->resolve (s->gio, bare, cfg->family, cfg->port, &error);
          guint i;

          for (i = 0; addrs && i < addrs->len && s->fd < 0; i++)
            {
              struct sockaddr_storage *ss = &g_array_index (addrs, struct sockaddr_storage, i);
              char ip[INET6_ADDRSTRLEN] = "?";
              if (ss->ss_family == AF_INET)
                inet_ntop (AF_INET, &((struct sockaddr_in *) ss)->sin_addr, ip, sizeof ip);
              else
                inet_ntop (AF_INET6, &((struct sockaddr_in6 *) ss)->sin6_addr, ip, sizeof ip);
              g_clear_error (&error);
              connect_to (s, (struct sockaddr *) ss, ss->ss_family == AF_INET ? sizeof (struct sockaddr_in)
                                                                                : sizeof (struct sockaddr_in6),
                          ip, &error);
              if (timed_out ())
                break;
            }
          if (addrs)
            g_array_unref (addrs);
        }
      g_free (bare);
    }
  s->step_usec[STEP_CONNECT] = g_get_monotonic_time () - t0;
  if (s->fd < 0)
    {
      if (timed_out () || g_error_matches (error, NP_IO_ERROR, NP_IO_TIMED_OUT)
          || g_error_matches (error, NP_IO_ERROR, NP_IO_CANCELLED))
        io_failure (s, STEP_CONNECT, label, "the connection", error);
      else
        add_problem (s, STEP_CONNECT, label, NP_CRITICAL, "connection failed", "%s",
                     error ? error->message : "no address");
      g_clear_error (&error);
      g_free (label);
      return FALSE;
    }
  s->peer = peer_name (s->fd);
  if (!s->peer)
    s->peer = g_strdup (cfg->host);
  g_free (label);
  return TRUE;
}

static gboolean
past (const CheckConfig *cfg, Step step)
{
  return cfg->quit_after >= 0 && (int) step > cfg->quit_after;
}

static gboolean
do_auth (Session *s)
{
  const CheckConfig *cfg = s->cfg;
  Event *e = NULL;
  int code;

  if (cfg->auth == AUTH_PLAIN)
    {
      gsize ul = strlen (cfg->user), pl = strlen (cfg->password);
      guchar *blob = g_malloc (ul + pl + 2);
      char *b64, *wire;
      blob[0] = '\0';
      memcpy (blob + 1, cfg->user, ul);
      blob[ul + 1] = '\0';
      memcpy (blob + ul + 2, cfg->password, pl);
      b64 = g_base64_encode (blob, ul + pl + 2);
      s->secrets[1] = g_strdup (b64);
      wire = g_strconcat ("AUTH PLAIN ", b64, NULL);
      code = exchange (s, STEP_AUTH, "AUTH PLAIN", "AUTH PLAIN ****", wire, FALSE, TRUE, &e);
      memset (wire, 0, strlen (wire));
      g_free (wire);
      g_free (b64);
      memset (blob, 0, ul + pl + 2);
      g_free (blob);
      if (code == 334)    /* a server that wants the response in a second line: not sent */
        e->state = NP_CRITICAL;
      return code / 100 == 2 && e->state != NP_CRITICAL;
    }
  else
    {
      char *ub64 = g_base64_encode ((const guchar *) cfg->user, strlen (cfg->user));
      char *pb64 = g_base64_encode ((const guchar *) cfg->password, strlen (cfg->password));
      s->secrets[2] = g_strdup (pb64);
      code = exchange (s, STEP_AUTH, "AUTH LOGIN", "AUTH LOGIN", "AUTH LOGIN", TRUE, TRUE, &e);
      if (code == 334)
        code = exchange (s, STEP_AUTH, "AUTH LOGIN (user)", ub64, ub64, TRUE, TRUE, &e);
      if (code == 334)
        code = exchange (s, STEP_AUTH, "AUTH LOGIN (password)", "****", pb64, FALSE, TRUE, &e);
      memset (pb64, 0, strlen (pb64));
      g_free (pb64);
      g_free (ub64);
      return code / 100 == 2;
    }
}

static char *
build_message (const CheckConfig *cfg, GError **error)
{
  GString *msg = g_string_new (NULL);
  char *body = NULL;
  GDateTime *now = g_date_time_new_now_local ();
  char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  char *nonce = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  const char *p;

  g_date_time_unref (now);
  if (cfg->data_file && !g_file_get_contents (cfg->data_file, &body, NULL, error))
    {
      g_free (date);
      g_free (nonce);
      g_string_free (msg, TRUE);
      return NULL;
    }
  if (!body)
    body = g_strdup_printf ("From: <%s>\nTo: <%s>\nDate: %s\nSubject: check_smtp_reply test %s\n"
                            "Message-ID: <%s.check_smtp_reply@%s>\n"
                            "X-Check-SMTP-Reply: monitoring test message\n\n"
                            "This message tests mail delivery for a monitoring system.\n",
                            cfg->from, (char *) cfg->rcpts->pdata[0], date, nonce, nonce,
                            cfg->ehlo_name);
  /* CRLF line ends and dot-stuffing */
  for (p = body; *p;)
    {
      gsize n = strcspn (p, "\r\n");
      if (*p == '.')
        g_string_append_c (msg, '.');
      g_string_append_len (msg, p, n);
      g_string_append (msg, "\r\n");
      p += n;
      if (*p == '\r')
        p++;
      if (*p == '\n')
        p++;
    }
  g_string_append_c (msg, '.');   /* send_line adds the final CRLF */
  g_free (body);
  g_free (date);
  g_free (nonce);
  return g_string_free (msg, FALSE);
}

static void
run_dialogue (Session *s)
{
  const CheckConfig *cfg = s->cfg;
  Event *e = NULL;
  int code;
  guint i, accepted = 0;
  gboolean mail_sent = FALSE, data_done = FALSE;
  char *label, *wire;

  if (!do_connect (s))
    return;
  if (past (cfg, STEP_CONNECT))
    goto quit;
  if (cfg->implicit_tls && !tls_handshake (s, "TLS handshake"))
    return;

  code = exchange (s, STEP_BANNER, "banner", NULL, NULL, FALSE, TRUE, &e);
  if (code == 0)
    return;
  if (code / 100 != 2 || past (cfg, STEP_BANNER))
    goto quit;

  /* EHLO, HELO fallback; LHLO for LMTP */
  label = g_strdup_printf ("%s %s", cfg->lmtp ? "LHLO" : "EHLO", cfg->ehlo_name);
  code = exchange (s, STEP_EHLO, cfg->lmtp ? "LHLO" : "EHLO", label, label, FALSE, TRUE, &e);
  g_free (label);
  if (code == 0)
    return;
  if (code / 100 == 5 && !cfg->lmtp)
    {
      e->state = NP_OK;
      e->counts = FALSE;
      g_free (e->why);
      e->why = g_strdup ("falling back to HELO");
      label = g_strdup_printf ("HELO %s", cfg->ehlo_name);
      code = exchange (s, STEP_EHLO, "HELO", label, label, FALSE, TRUE, &e);
      g_free (label);
      if (code == 0)
        return;
    }
  else if (code / 100 == 2)
    parse_capabilities (s, e->raw);
  if (code / 100 != 2 || past (cfg, STEP_EHLO))
    goto quit;

  if (cfg->starttls)
    {
      if (!s->has_starttls)
        {
          add_problem (s, STEP_TLS, "STARTTLS", cfg->require_tls ? NP_CRITICAL : NP_WARNING,
                       cfg->require_tls ? "--require-tls" : "-S", "STARTTLS not offered");
          s->step_ran[STEP_TLS] = TRUE;
          if (cfg->auth != AUTH_NONE)
            goto quit;        /* never send a password in the clear */
        }
      else
        {
          code = exchange (s, STEP_TLS, "STARTTLS", "STARTTLS", "STARTTLS", FALSE, TRUE, &e);
          if (code == 0)
            return;
          if (code / 100 != 2)
            {
              if (cfg->auth != AUTH_NONE)
                goto quit;
            }
          else
            {
              if (!tls_handshake (s, "TLS handshake"))
                return;
              label = g_strdup_printf ("%s %s", cfg->lmtp ? "LHLO" : "EHLO", cfg->ehlo_name);
              code = exchange (s, STEP_EHLO, cfg->lmtp ? "LHLO (TLS)" : "EHLO (TLS)", label, label,
                               FALSE, TRUE, &e);
              g_free (label);
              if (code == 0)
                return;
              if (code / 100 != 2)
                goto quit;
              parse_capabilities (s, e->raw);
            }
        }
    }
  if (past (cfg, STEP_TLS))
    goto quit;

  if (cfg->auth != AUTH_NONE)
    {
      if (!do_auth (s))
        goto quit;
      if (past (cfg, STEP_AUTH))
        goto quit;
    }

  if (cfg->have_from || cfg->rcpts->len || cfg->data || cfg->quit_after >= STEP_MAIL)
    {
      if (past (cfg, STEP_AUTH))
        goto quit;
      label = g_strdup_printf ("MAIL FROM:<%s>", cfg->from);
      {
        char *lbl = g_strdup_printf ("MAIL <%s>", cfg->from);
        code = exchange (s, STEP_MAIL, lbl, label, label, FALSE, TRUE, &e);
        g_free (lbl);
      }
      g_free (label);
      if (code == 0)
        return;
      mail_sent = TRUE;
      if (code / 100 != 2 || past (cfg, STEP_MAIL))
        goto quit;
      for (i = 0; i < cfg->rcpts->len; i++)
        {
          const char *rcpt = cfg->rcpts->pdata[i];
          char *lbl = g_strdup_printf ("RCPT <%s>", rcpt);
          wire = g_strdup_printf ("RCPT TO:<%s>", rcpt);
          code = exchange (s, STEP_RCPT, lbl, wire, wire, FALSE, TRUE, &e);
          g_free (wire);
          g_free (lbl);
          if (code == 0)
            return;
          if (code / 100 == 2)
            accepted++;
        }
      if (cfg->data && accepted && !past (cfg, STEP_RCPT))
        {
          GError *error = NULL;
          char *msg = build_message (cfg, &error);
          if (!msg)
            {
              add_problem (s, STEP_DATA, "DATA", NP_UNKNOWN, "--data", "cannot read --data file: %s",
                           error->message);
              g_error_free (error);
              goto quit;
            }
          code = exchange (s, STEP_DATA, "DATA", "DATA", "DATA", TRUE, TRUE, &e);
          if (code == 0)
            {
              g_free (msg);
              return;
            }
          if (code == 354)
            {
              guint n = cfg->lmtp ? accepted : 1;
              gboolean sent = FALSE;
              for (i = 0; i < n; i++)
                {
                  char *lbl = cfg->lmtp ? g_strdup_printf ("end of DATA (recipient %u)", i + 1)
                                        : g_strdup ("end of DATA");
                  code = exchange (s, STEP_DATA, lbl, sent ? NULL : "<message> .", sent ? NULL : msg,
                                   FALSE, TRUE, &e);
                  sent = TRUE;
                  g_free (lbl);
                  if (code == 0)
                    {
                      g_free (msg);
                      return;
                    }
                }
              data_done = TRUE;
            }
          g_free (msg);
        }
    }

quit:
  if (mail_sent && !data_done)
    {
      /* RFC 2920: RSET may be pipelined, and QUIT may end the group: one round trip */
      if (s->has_pipelining)
        s->ahead = "QUIT";
      code = exchange (s, STEP_QUIT, "RSET", "RSET", "RSET", FALSE, FALSE, &e);
      if (code == 0)
        return;
    }
  exchange (s, STEP_QUIT, "QUIT", "QUIT", s->ahead_sent ? NULL : "QUIT", FALSE, cfg->strict_quit, &e);
}

/* ---- reporting ---------------------------------------------------------------------------- */

static char *
meaning (const CheckConfig *cfg, SmtpcodesRegistry *reg, SmtpcodesVerdict *v)
{
  char *summary = smtpcodes_verdict_get_summary (v, cfg->lang);
  const char *vendor = smtpcodes_verdict_get_vendor (v);
  if (vendor)
    {
      const SmtpcodesModule *m = smtpcodes_registry_get_module (reg, vendor);
      char *with = g_strdup_printf ("%s (%s)", summary,
                                    m ? smtpcodes_module_get_name (m, cfg->lang) : vendor);
      g_free (summary);
      summary = with;
    }
  return summary;
}

/* "550 5.1.1 <meaning>" */
static char *
reply_brief (Session *s, const Event *e)
{
  const char *enh = smtpcodes_reply_get_enhanced (e->reply);
  char *m = meaning (s->cfg, session_registry (s), e->verdict);
  char *clean = np_sanitize (m, -1, 120);
  int code = smtpcodes_reply_get_code (e->reply);
  char *out;

  if (code)
    out = g_strdup_printf ("%d%s%s %s", code, enh ? " " : "", enh ? enh : "", clean);
  else
    out = g_strdup_printf ("%s%s%s", enh ? enh : "", enh ? " " : "", clean);
  g_free (m);
  g_free (clean);
  return out;
}

static char *
event_brief (Session *s, const Event *e)
{
  char *what = e->problem ? g_strdup (e->problem) : e->reply ? reply_brief (s, e) : g_strdup ("?");
  char *out = g_strdup_printf ("%s: %s", e->label, what);
  char *clean = scrub (s, out, STATUS_MAX);
  g_free (what);
  g_free (out);
  return clean;
}

static void
append_explanation (Session *s, GString *lo, const Event *e)
{
  char *expl, *advice, *clean;

  if (!e->verdict)
    return;
  expl = smtpcodes_verdict_get_explanation (e->verdict, s->cfg->lang);
  advice = smtpcodes_verdict_get_advice (e->verdict, s->cfg->lang);
  if (expl && *expl)
    {
      clean = np_sanitize (expl, -1, 600);
      g_string_append_printf (lo, "    %s: %s, %s. %s\n", e->label,
                              smtpcodes_class_to_string (smtpcodes_verdict_get_class (e->verdict)),
                              smtpcodes_verdict_get_reason (e->verdict), clean);
      g_free (clean);
    }
  if (advice && *advice && e->state != NP_OK)
    {
      clean = np_sanitize (advice, -1, 400);
      g_string_append_printf (lo, "    advice: %s\n", clean);
      g_free (clean);
    }
  g_free (expl);
  g_free (advice);
}

static void
report_live (Session *s, double total)
{
  const CheckConfig *cfg = s->cfg;
  NpState state = NP_OK, time_state = NP_OK;
  const Event *decisive = NULL, *last = NULL;
  GString *perf = g_string_new (NULL), *lo = g_string_new (NULL);
  char *status;
  guint i, n_bad = 0;
  int st;

  for (i = 0; i < s->events->len; i++)
    {
      const Event *e = s->events->pdata[i];
      if (!e->counts)
        continue;
      if (np_state_rank (e->state) > np_state_rank (state) || (!decisive && e->state != NP_OK))
        {
          state = np_state_worst (state, e->state);
          decisive = e;
        }
      if (e->state != NP_OK)
        n_bad++;
      if (e->step != STEP_QUIT)
        last = e;
    }
  if (np_range_alert (&cfg->crit, total))
    time_state = NP_CRITICAL;
  else if (np_range_alert (&cfg->warn, total))
    time_state = NP_WARNING;

  if (decisive && np_state_rank (state) >= np_state_rank (time_state))
    {
      char *b = event_brief (s, decisive);
      status = n_bad > 1 ? g_strdup_printf ("%s (+%u more)", b, n_bad - 1) : g_strdup (b);
      g_free (b);
    }
  else if (time_state != NP_OK)
    {
      char *b = last ? event_brief (s, last) : g_strdup ("");
      status = g_strdup_printf ("response time %.3f s beyond -%c %s; %s", total,
                                time_state == NP_CRITICAL ? 'c' : 'w',
                                time_state == NP_CRITICAL ? cfg->crit.text : cfg->warn.text, b);
      g_free (b);
      state = time_state;
    }
  else
    {
      char *b = last ? event_brief (s, last) : g_strdup ("no reply");
      status = g_strdup_printf ("%s%s", b, s->tls_active ? ", TLS" : "");
      g_free (b);
    }

  np_perfdata_append (perf, "time", "%.6f", total, "s", cfg->warn.text, cfg->crit.text, "0", NULL);
  for (st = 0; st < N_STEPS; st++)
    if (s->step_ran[st] && st != STEP_QUIT)
      {
        char *lbl = g_strdup_printf ("%s_time", step_names[st]);
        np_perfdata_append (perf, lbl, "%.6f", s->step_usec[st] / 1e6, "s", NULL, NULL, "0", NULL);
        g_free (lbl);
      }
  if (s->cert_days_known)
    {
      char *w = cfg->cert_days_set ? g_strdup_printf ("%d:", cfg->cert_warn) : NULL;
      char *c = cfg->cert_days_set ? g_strdup_printf ("%d:", cfg->cert_crit) : NULL;
      np_perfdata_append (perf, "tls_cert_days", "%.0f", s->cert_days, NULL, w, c, NULL, NULL);
      g_free (w);
      g_free (c);
    }

  /* long output: the dialogue, why each state, the explanations */
  if (s->peer)
    g_string_append_printf (lo, "connected to %s%s\n", s->peer, cfg->lmtp ? " (LMTP)" : "");
  for (i = 0; i < s->events->len; i++)
    {
      const Event *e = s->events->pdata[i];
      char *cmd = e->command ? scrub (s, e->command, 200) : NULL;
      char *what;
      if (e->problem)
        what = g_strdup (e->problem);
      else
        {
          /* the reply as sent, lines joined */
          char *joined = g_strdup (e->raw);
          what = scrub (s, joined, cfg->verbose >= 2 ? 2000 : TEXT_MAX);
          g_free (joined);
        }
      g_string_append_printf (lo, "%s %s: %s%s%s [%s]\n", np_state_name (e->state), e->label,
                              cmd ? cmd : "", cmd ? " -> " : "", what, e->why ? e->why : "");
      if (e->verdict && (e->state != NP_OK || cfg->verbose >= 1) && e->step != STEP_QUIT)
        append_explanation (s, lo, e);
      g_free (cmd);
      g_free (what);
    }
  if (s->tls_info->len)
    g_string_append_printf (lo, "%s\n", s->tls_info->str);
  if (cfg->verbose >= 1 && s->caps->len)
    g_string_append_printf (lo, "capabilities: %s\n", s->caps->str);
  if (time_state != NP_OK)
    g_string_append_printf (lo, "%s response time %.3f s [-w %s -c %s]\n", np_state_name (time_state),
                            total, cfg->warn.text ? cfg->warn.text : "", cfg->crit.text ? cfg->crit.text : "");
  if (cfg->verbose >= 3 && s->transcript && s->transcript->len)
    {
      char **lines = g_strsplit (s->transcript->str, "\n", -1);
      g_string_append (lo, "transcript:\n");
      for (i = 0; lines[i] && *lines[i]; i++)
        {
          char *clean = scrub (s, lines[i], 1000);
          g_string_append_printf (lo, "  %s\n", clean);
          g_free (clean);
        }
      g_strfreev (lines);
    }
  {
    char *clean_status = scrub (s, status, STATUS_MAX);
    char *lo_s = g_string_free (lo, FALSE);
    g_free (status);
    finish (state, clean_status, perf->str, lo_s);
  }
}

static int
run_live (const CheckConfig *cfg)
{
  Session s = { 0 };
  double total;

  s.cfg = cfg;
  s.fd = -1;
  {
    int cancel[2];
    if (!g_unix_open_pipe (cancel, FD_CLOEXEC, NULL))
      finish (NP_UNKNOWN, "cannot make a pipe", NULL, NULL);
    g_unix_set_fd_nonblocking (cancel[1], TRUE, NULL);
    s.cancel_fd = cancel[0];
    helper.cancel_fd = cancel[1];
  }
  /* as GSocket does: a server that closes early must not kill us while we write */
  signal (SIGPIPE, SIG_IGN);
  helper.timeout = cfg->timeout;
  helper.state = cfg->timeout_state;
  helper.deadline = g_get_monotonic_time () + (gint64) cfg->timeout * G_USEC_PER_SEC;
  /* a helper only for what GIO does: looking up a name, TLS */
  helper.no_thread = !cfg->starttls && !cfg->implicit_tls;
  if (helper.no_thread && cfg->host[0] != '/')
    {
      char *bare = bare_host (cfg->host);
      struct sockaddr_storage addr;
      helper.no_thread = host_address (bare, cfg->port, &addr) != 0;
      g_free (bare);
    }
  if (!helper.no_thread)
    helper.thread = g_thread_new ("helper", helper_main, NULL);
  s.events = g_ptr_array_new_with_free_func (event_free);
  s.caps = g_string_new (NULL);
  s.tls_info = g_string_new (NULL);
  s.transcript = cfg->verbose >= 3 ? g_string_new (NULL) : NULL;
  s.secrets[0] = cfg->password ? g_strdup (cfg->password) : NULL;
  if (cfg->vendor && !smtpcodes_registry_get_module (session_registry (&s), cfg->vendor))
    {
      helper_stop ();
      usage_error ("unknown --vendor '%s' (no such module)", cfg->vendor);
    }

  /* GIO for a host name; then glib-networking and GnuTLS when TLS is asked for */
  if (cfg->host[0] != '/')
    {
      char *bare = bare_host (cfg->host);
      struct sockaddr_storage addr;
      GError *error = NULL;
      if (!host_address (bare, cfg->port, &addr) && !session_gio (&s, &error))
        {
          char *msg = g_strdup_printf ("cannot look up host names: %s", error->message);
          helper_stop ();
          finish (NP_UNKNOWN, msg, NULL, NULL);
        }
      g_free (bare);
    }
  if (cfg->starttls || cfg->implicit_tls)
    {
      GError *error = NULL;
      if (!session_gio (&s, &error))
        {
          char *msg = g_strdup_printf ("TLS support not available: %s", error->message);
          helper_stop ();
          finish (NP_UNKNOWN, msg, NULL, NULL);
        }
      if (!s.gio_funcs->tls_supported ())
        {
          helper_stop ();
          finish (NP_UNKNOWN, "TLS support not available (install glib-networking)", NULL,
                  "GIO found no TLS backend; -S and -s need the glib-networking package.\n");
        }
    }

  s.t0 = g_get_monotonic_time ();
  run_dialogue (&s);
  total = (g_get_monotonic_time () - s.t0 - s.reg_wait) / 1e6;

  helper_stop ();
  if (s.gio)
    s.gio_funcs->close (s.gio);
  if (s.fd >= 0)
    close (s.fd);
  report_live (&s, total);
  return NP_UNKNOWN;   /* not reached */
}

/* ---- offline mode ------------------------------------------------------------------------- */

typedef struct {
  const CheckConfig *cfg;
  SmtpcodesRegistry *reg;
  guint lines, replies, ok, transient, permanent, unparsed, bad;
  NpState worst;
  GString *details;       /* long output */
  guint shown;
  char *worst_brief;
} Offline;

static int
step_of_command (const char *command)
{
  static const struct { const char *cmd; Step step; } table[] = {
    { "CONNECT", STEP_BANNER }, { "EHLO", STEP_EHLO }, { "HELO", STEP_EHLO }, { "LHLO", STEP_EHLO },
    { "STARTTLS", STEP_TLS }, { "AUTH", STEP_AUTH }, { "MAIL", STEP_MAIL }, { "RCPT", STEP_RCPT },
    { "DATA", STEP_DATA }, { "BDAT", STEP_DATA }, { "QUIT", STEP_QUIT },
  };
  guint i;
  if (!command)
    return -1;
  for (i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_ascii_strncasecmp (command, table[i].cmd, strlen (table[i].cmd)) == 0)
      return table[i].step;
  return -1;
}

/* "to=<addr>" in Postfix lines, "** addr" / "== addr" in Exim lines */
static char *
recipient_of (const char *line)
{
  const char *p = strstr (line, " to=<");
  const char *end;
  if (p)
    {
      p += 5;
      end = strchr (p, '>');
      return end ? g_strndup (p, end - p) : NULL;
    }
  if ((p = strstr (line, " ** ")) || (p = strstr (line, " == ")))
    {
      p += 4;
      end = p + strcspn (p, " ");
      return g_strndup (p, end - p);
    }
  return NULL;
}

static void
offline_add (Offline *o, SmtpcodesReply *reply, const char *label, int step_hint)
{
  SmtpcodesVerdict *v = smtpcodes_registry_explain (o->reg, reply, o->cfg->vendor);
  SmtpcodesClass klass = smtpcodes_verdict_get_class (v);
  int code = smtpcodes_reply_get_code (reply);
  int step = step_of_command (smtpcodes_reply_get_command (reply));
  const char *enh = enh_of (reply, v);

  if (step < 0)
    step = step_hint;
  char *why = NULL, *dflt_why;
  NpState dflt, state;

  switch (klass)
    {
    case SMTPCODES_CLASS_SUCCESS:
    case SMTPCODES_CLASS_INTERMEDIATE: dflt = NP_OK; break;
    case SMTPCODES_CLASS_TRANSIENT: dflt = NP_WARNING; break;
    case SMTPCODES_CLASS_PERMANENT: dflt = NP_CRITICAL; break;
    default: dflt = NP_UNKNOWN; break;
    }
  dflt_why = g_strdup_printf ("default for a %s reply", smtpcodes_class_to_string (klass));
  state = decide (o->cfg, step, code, enh, klass, dflt, dflt_why, &why);

  o->replies++;
  if (klass == SMTPCODES_CLASS_TRANSIENT)
    o->transient++;
  else if (klass == SMTPCODES_CLASS_PERMANENT)
    o->permanent++;
  else if (klass == SMTPCODES_CLASS_SUCCESS || klass == SMTPCODES_CLASS_INTERMEDIATE)
    o->ok++;
  if (state == NP_WARNING || state == NP_CRITICAL)
    o->bad++;

  if (state != NP_OK || o->cfg->verbose >= 1)
    {
      char *m = meaning (o->cfg, o->reg, v);
      GString *b = g_string_new (label);
      char *clean;
      g_string_append (b, ": ");
      if (code)
        g_string_append_printf (b, "%d ", code);
      if (enh)
        g_string_append_printf (b, "%s ", enh);
      g_string_append (b, m);
      clean = np_sanitize (b->str, -1, STATUS_MAX);
      if (state != NP_OK && (!o->worst_brief || np_state_rank (state) > np_state_rank (o->worst)))
        {
          g_free (o->worst_brief);
          o->worst_brief = g_strdup (clean);
        }
      if (o->shown < 50)
        {
          char *expl = smtpcodes_verdict_get_explanation (v, o->cfg->lang);
          char *cexpl = np_sanitize (expl, -1, 400);
          g_string_append_printf (o->details, "%s %s [%s]\n", np_state_name (state), clean, why);
          if (state != NP_OK && *cexpl && o->shown < 10)
            g_string_append_printf (o->details, "    %s, %s. %s\n", smtpcodes_class_to_string (klass),
                                    smtpcodes_verdict_get_reason (v), cexpl);
          g_free (expl);
          g_free (cexpl);
        }
      else if (o->shown == 50)
        g_string_append (o->details, "... (more lines not shown)\n");
      o->shown++;
      g_free (clean);
      g_free (m);
      g_string_free (b, TRUE);
    }
  o->worst = np_state_worst (o->worst, state);
  g_free (why);
  smtpcodes_verdict_unref (v);
}

static void
offline_unparsed (Offline *o, const char *line, const char *msg)
{
  char *clean = np_sanitize (line, -1, 80);
  char *why = np_sanitize (msg, -1, 160);
  o->unparsed++;
  if (o->shown < 50)
    g_string_append_printf (o->details, "UNKNOWN unparsed: %s (%s)\n", clean, why);
  o->shown++;
  g_free (clean);
  g_free (why);
}

static void
offline_text (Offline *o, const char *text, const char *label, int step_hint, gboolean must)
{
  GError *error = NULL;
  SmtpcodesReply *r = smtpcodes_registry_parse_reply (o->reg, text, -1, &error);

  if (r)
    {
      offline_add (o, r, label, step_hint);
      smtpcodes_reply_unref (r);
    }
  else
    {
      if (must)
        offline_unparsed (o, text, error->message);
      g_error_free (error);
    }
}

/* a line of a Postfix or Exim log, or a raw reply */
static void
offline_line (Offline *o, const char *line, Format format)
{
  char *rcpt, *label;
  const char *cmd = NULL;
  gboolean postfix = strstr (line, "postfix/") != NULL || strstr (line, "NOQUEUE: reject:") != NULL
                     || strstr (line, " status=") != NULL;
  gboolean exim = strstr (line, " ** ") != NULL || strstr (line, " == ") != NULL
                  || strstr (line, "SMTP error from") != NULL;
  gboolean relevant;

  if (format == FORMAT_REPLY || (format == FORMAT_AUTO && !postfix && !exim))
    {
      /* raw replies must parse; in auto mode other text is skipped */
      gboolean looks = strlen (line) >= 3 && g_ascii_isdigit (line[0]) && g_ascii_isdigit (line[1])
                       && g_ascii_isdigit (line[2]);
      char *lbl = g_strdup_printf ("line %u", o->lines);
      offline_text (o, line, lbl, -1, format == FORMAT_REPLY || looks);
      g_free (lbl);
      return;
    }
  if (format == FORMAT_POSTFIX || (format == FORMAT_AUTO && postfix))
    relevant = strstr (line, "reject:") != NULL || strstr (line, " dsn=") != NULL
               || strstr (line, " said: ") != NULL;
  else
    relevant = exim;
  if (!relevant)
    return;
  rcpt = recipient_of (line);
  if (strstr (line, "RCPT"))
    cmd = "RCPT";
  else if (strstr (line, "MAIL FROM") || strstr (line, "reject: MAIL"))
    cmd = "MAIL";
  else if (strstr (line, "DATA") || strstr (line, "end of data"))
    cmd = "DATA";
  label = g_strdup_printf ("%s%s%s%s", cmd ? cmd : "delivery", rcpt ? " <" : "", rcpt ? rcpt : "",
                           rcpt ? ">" : "");
  if (!cmd && !rcpt)
    {
      g_free (label);
      label = g_strdup_printf ("line %u", o->lines);
    }
  offline_text (o, line, label, step_of_command (cmd), TRUE);
  g_free (rcpt);
  g_free (label);
}

/* one RFC 3464 message: each recipient's Status and Diagnostic-Code */
static void
offline_dsn (Offline *o, const char *text)
{
  char **lines = g_strsplit (text, "\n", -1);
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  char *rcpt = NULL, *status = NULL, *diag = NULL, *action = NULL;
  guint i;

  /* unfold headers */
  for (i = 0; lines[i]; i++)
    {
      g_strchomp (lines[i]);
      if ((lines[i][0] == ' ' || lines[i][0] == '\t') && fields->len && lines[i][0] != '\0')
        {
          char *prev = fields->pdata[fields->len - 1];
          char *joined = g_strconcat (prev, " ", g_strstrip (lines[i]), NULL);
          g_free (prev);
          fields->pdata[fields->len - 1] = joined;
        }
      else
        g_ptr_array_add (fields, g_strdup (lines[i]));
    }
  g_ptr_array_add (fields, g_strdup ("Final-Recipient: end"));
  for (i = 0; i < fields->len; i++)
    {
      const char *f = fields->pdata[i];
      if (g_ascii_strncasecmp (f, "Final-Recipient:", 16) == 0)
        {
          if (rcpt && (status || diag))
            {
              char *label = g_strdup_printf ("%s%s%s%s", rcpt, action ? " (" : "", action ? action : "",
                                             action ? ")" : "");
              GError *error = NULL;
              SmtpcodesReply *r = NULL;
              if (diag && g_ascii_strncasecmp (diag, "smtp;", 5) == 0)
                {
                  char *full = g_strdup_printf ("Diagnostic-Code: %s", diag);
                  r = smtpcodes_registry_parse_reply (o->reg, full, -1, NULL);
                  g_free (full);
                }
              if (!r)
                {
                  const char *semi = diag ? strchr (diag, ';') : NULL;
                  r = smtpcodes_reply_new (0, status, semi ? g_strstrip ((char *) semi + 1) : diag,
                                           NULL, NULL, &error);
                }
              if (r)
                {
                  offline_add (o, r, label, -1);
                  smtpcodes_reply_unref (r);
                }
              else
                {
                  offline_unparsed (o, status ? status : "", error->message);
                  g_error_free (error);
                }
              g_free (label);
            }
          g_clear_pointer (&rcpt, g_free);
          g_clear_pointer (&status, g_free);
          g_clear_pointer (&diag, g_free);
          g_clear_pointer (&action, g_free);
          {
            const char *v = f + 16, *semi = strchr (v, ';');
            rcpt = g_strstrip (g_strdup (semi ? semi + 1 : v));
          }
        }
      else if (rcpt && g_ascii_strncasecmp (f, "Status:", 7) == 0)
        {
          g_free (status);
          status = g_strstrip (g_strdup (f + 7));
          status[strcspn (status, " (")] = '\0';
        }
      else if (rcpt && g_ascii_strncasecmp (f, "Action:", 7) == 0)
        {
          g_free (action);
          action = g_strstrip (g_strdup (f + 7));
        }
      else if (rcpt && g_ascii_strncasecmp (f, "Diagnostic-Code:", 16) == 0)
        {
          g_free (diag);
          diag = g_strstrip (g_strdup (f + 16));
        }
    }
  o->lines = g_strv_length (lines);
  g_free (rcpt);
  g_free (status);
  g_free (diag);
  g_free (action);
  g_ptr_array_free (fields, TRUE);
  g_strfreev (lines);
}

/* joins "550-..." continuation lines with the final line; feeds each reply */
static void
offline_replies (Offline *o, char **lines, guint n)
{
  GString *acc = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++)
    {
      const char *l = lines[i];
      gboolean cont = strlen (l) >= 4 && g_ascii_isdigit (l[0]) && g_ascii_isdigit (l[1])
                      && g_ascii_isdigit (l[2]) && l[3] == '-';
      o->lines++;
      if (acc->len)
        g_string_append_c (acc, '\n');
      g_string_append (acc, l);
      if (cont && i + 1 < n)
        continue;
      {
        char *lbl = g_strdup_printf (o->cfg->replies->len ? "reply %u" : "line %u", o->replies + o->unparsed + 1);
        if (o->cfg->replies->len || o->cfg->format == FORMAT_REPLY)
          offline_text (o, acc->str, lbl, -1, TRUE);
        else
          offline_line (o, acc->str, o->cfg->format);
        g_free (lbl);
      }
      g_string_truncate (acc, 0);
    }
  g_string_free (acc, TRUE);
}

static int
run_offline (const CheckConfig *cfg)
{
  Offline o = { 0 };
  GString *perf = g_string_new (NULL);
  char *status;
  NpState state;

  o.cfg = cfg;
  o.reg = smtpcodes_registry_get_default ();
  o.details = g_string_new (NULL);
  if (cfg->vendor && !smtpcodes_registry_get_module (o.reg, cfg->vendor))
    usage_error ("unknown --vendor '%s' (no such module)", cfg->vendor);

  if (cfg->replies->len)
    offline_replies (&o, (char **) cfg->replies->pdata, cfg->replies->len);
  else
    {
      char *contents = NULL;
      gsize len = 0;
      GError *error = NULL;
      if (g_str_equal (cfg->file, "-"))
        {
          GString *in = g_string_new (NULL);
          char buf[65536];
          size_t n;
          while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
            g_string_append_len (in, buf, n);
          if (ferror (stdin))
            finish (NP_UNKNOWN, "cannot read standard input", NULL, NULL);
          len = in->len;
          contents = g_string_free (in, FALSE);
        }
      else if (!g_file_get_contents (cfg->file, &contents, &len, &error))
        {
          char *msg = g_strdup_printf ("cannot read --file: %s", error->message);
          finish (NP_UNKNOWN, msg, NULL, NULL);
        }
      if (memchr (contents, '\0', len))
        {
          /* NUL bytes end the text for the line parser; treat them as line breaks */
          gsize i;
          for (i = 0; i < len; i++)
            if (contents[i] == '\0')
              contents[i] = '\n';
        }
      if (cfg->format == FORMAT_DSN
          || (cfg->format == FORMAT_AUTO
              && (g_regex_match_simple ("^Final-Recipient:", contents, G_REGEX_MULTILINE | G_REGEX_CASELESS, 0))))
        offline_dsn (&o, contents);
      else
        {
          char **lines = g_strsplit (contents, "\n", -1);
          guint n = g_strv_length (lines), i;
          for (i = 0; i < n; i++)
            g_strchomp (lines[i]);
          while (n && lines[n - 1][0] == '\0')
            n--;
          /* skip empty lines but keep the count honest */
          {
            GPtrArray *keep = g_ptr_array_new ();
            guint empty = 0;
            for (i = 0; i < n; i++)
              if (lines[i][0])
                g_ptr_array_add (keep, lines[i]);
              else
                empty++;
            offline_replies (&o, (char **) keep->pdata, keep->len);
            o.lines += empty;
            g_ptr_array_free (keep, TRUE);
          }
          g_strfreev (lines);
        }
      g_free (contents);
    }

  if (cfg->warn.set || cfg->crit.set)
    {
      state = np_range_alert (&cfg->crit, o.bad) ? NP_CRITICAL
              : np_range_alert (&cfg->warn, o.bad) ? NP_WARNING : NP_OK;
    }
  else
    state = o.worst;
  if (o.replies == 0)
    state = o.unparsed ? NP_UNKNOWN : NP_OK;

  if (o.replies == 0)
    status = g_strdup_printf (o.unparsed ? "no reply could be parsed in %u lines (%u unparsed)"
                                         : "no replies in %u lines", o.lines, o.unparsed);
  else
    status = g_strdup_printf ("%u %s in %u lines: %u ok, %u transient, %u permanent%s%s",
                              o.replies, o.replies == 1 ? "reply" : "replies", o.lines, o.ok,
                              o.transient, o.permanent, o.worst_brief ? "; worst: " : "",
                              o.worst_brief ? o.worst_brief : "");
  np_perfdata_append (perf, "lines", "%.0f", o.lines, NULL, NULL, NULL, "0", NULL);
  np_perfdata_append (perf, "replies", "%.0f", o.replies, NULL, NULL, NULL, "0", NULL);
  np_perfdata_append (perf, "ok", "%.0f", o.ok, NULL, NULL, NULL, "0", NULL);
  np_perfdata_append (perf, "transient", "%.0f", o.transient, NULL, NULL, NULL, "0", NULL);
  np_perfdata_append (perf, "permanent", "%.0f", o.permanent, NULL, NULL, NULL, "0", NULL);
  np_perfdata_append (perf, "not_ok", "%.0f", o.bad, NULL, cfg->warn.text, cfg->crit.text, "0", NULL);
  np_perfdata_append (perf, "unparsed", "%.0f", o.unparsed, NULL, NULL, NULL, "0", NULL);
  finish (state, status, perf->str, o.details->str);
}

int
main (int argc, char **argv)
{
  CheckConfig *cfg = parse_args (argc, argv);

  if (cfg->replies->len || cfg->file)
    return run_offline (cfg);
  return run_live (cfg);
}
