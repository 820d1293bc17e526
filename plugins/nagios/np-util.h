/* np-util.h: small helpers for monitoring plugins: states, threshold ranges, perfdata,
 * output sanitising. Our own code (the monitoring-plugins lib/ is GPL and not used). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  NP_OK = 0,
  NP_WARNING = 1,
  NP_CRITICAL = 2,
  NP_UNKNOWN = 3
} NpState;

const char *np_state_name (NpState state);
gboolean    np_state_parse (const char *text, NpState *state);
int         np_state_rank (NpState state);
NpState     np_state_worst (NpState a, NpState b);

/* A threshold range "[@][start:][end]" ("~" is minus infinity). */
typedef struct {
  gboolean set;
  gboolean inside;        /* '@': alert inside start..end */
  gboolean start_inf;     /* start is minus infinity */
  gboolean end_inf;       /* no end: plus infinity */
  double   start;
  double   end;
  char    *text;          /* as given, for perfdata */
} NpRange;

gboolean np_range_parse (const char *text, NpRange *range, GError **error);
gboolean np_range_alert (const NpRange *range, double value);
void     np_range_clear (NpRange *range);

/* "'label'=value[uom];[warn];[crit];[min];[max]" appended to @out with a leading space
 * when @out is not empty. @fmt formats the value ("%.6f", "%.0f"). */
void np_perfdata_append (GString *out, const char *label, const char *fmt, double value,
                         const char *uom, const char *warn, const char *crit,
                         const char *min, const char *max);

/* Copies @text as valid UTF-8 with control characters and '|' (perfdata separator) replaced,
 * cut to at most @max_bytes bytes on a character boundary ("..." marks the cut). */
char *np_sanitize (const char *text, gssize length, gsize max_bytes);

/* Cuts @s to at most @max_bytes on a UTF-8 character boundary. */
void  np_truncate_utf8 (GString *s, gsize max_bytes);

G_END_DECLS
