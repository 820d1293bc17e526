/* smtpcodes-verdict.c: what a reply means, and what to do about it */
#include "config.h"

#include <string.h>

#include "smtpcodes-private.h"

G_DEFINE_BOXED_TYPE (SmtpcodesVerdict, smtpcodes_verdict, smtpcodes_verdict_ref, smtpcodes_verdict_unref)

typedef struct {
  const SmtpcodesEntry     *entry;
  SmtpcodesAlternativeKind  kind;
  char                      reading[24];   /* the code as read: "5.7.1", "550" */
} Alternative;

typedef enum {
  NOTE_MISMATCH,
  NOTE_DOTLESS,
  NOTE_DOTTED,
  NOTE_FALLBACK_SUBJECT,
  NOTE_FALLBACK_CLASS,
  NOTE_UNKNOWN_CODE,
  NOTE_VENDOR_DIFFERS,
  NOTE_OTHER_VENDOR,
  NOTE_USAGE_FIELD,
  NOTE_DOTTED_REPLY,
  N_NOTES
} NoteId;

#define N_ALT(v) ((v)->n_alts)
/* room for a verdict with 16 entries and 4 alternatives */
#define VERDICT_SPARE (((sizeof (SmtpcodesVerdict) + 7) & ~(gsize) 7) + 16 * sizeof (gpointer) + 4 * sizeof (Alternative))
#define ALT(v, i) (&(v)->alternatives[i])

struct _SmtpcodesVerdict {
  gint                   ref_count;   /* atomic; unused when owner is set */
  /* Set when the verdict lives in the spare room of its reply's block (made by
   * smtpcodes_registry_explain_text()): then the reply's count is the count of both, and
   * the verdict holds no reference of its own to the reply, nor to the registry (which
   * the reply holds: it was parsed with it). */
  SmtpcodesReply        *owner;
  SmtpcodesRegistry     *registry;
  SmtpcodesReply        *reply;
  SmtpcodesClass         klass;
  int                    reason;
  gboolean               retry;
  gboolean               hard;
  const SmtpcodesModule *vendor;
  const char            *vendor_evidence;   /* marker or host suffix */
  gboolean               vendor_given;
  const SmtpcodesEntry  *primary;
  const SmtpcodesEntry  *pattern;
  const char            *pattern_marker;
  gboolean               pattern_decided;
  /* both in the verdict's own block */
  const SmtpcodesEntry *const *entries;
  guint                  n_entries;
  const Alternative     *alternatives;
  guint                  n_alts;
  guint                  notes;              /* bit mask of NoteId */
  char                   status[24];         /* effective status code, "" if none */
};

/* Library notes, in English and German. Everything about codes is in the data modules;
 * these sentences are about the reading itself. */
static const char *const note_text[N_NOTES][2] = {
  [NOTE_MISMATCH] = {
    "The basic code %s and the enhanced code %s disagree about the class (transient or permanent); RFC 3463 requires them to agree. Clients act on the basic code, so this reading follows it, but the server is misconfigured.",
    "Basiscode %s und erweiterter Code %s widersprechen sich in der Klasse (vorübergehend oder dauerhaft); RFC 3463 verlangt, dass sie übereinstimmen. Clients richten sich nach dem Basiscode, daher folgt diese Deutung ihm, aber der Server ist fehlkonfiguriert." },
  [NOTE_DOTLESS] = {
    "%s is not a reply code that any RFC defines; it is most likely the enhanced status code %s written without dots, as Exchange and several code tables do.",
    "%s ist kein in einem RFC definierter Antwortcode; vermutlich ist es der erweiterte Statuscode %s ohne Punkte geschrieben, wie es Exchange und manche Codetabellen tun." },
  [NOTE_DOTTED] = {
    "Some code tables write the reply code %s with dots as %s; if it was meant that way, the alternative below applies.",
    "Manche Codetabellen schreiben den Antwortcode %s mit Punkten als %s; falls er so gemeint war, gilt die Alternative unten." },
  [NOTE_FALLBACK_SUBJECT] = {
    "The registry does not list %s; it is explained by its subject %s (RFC 3463 lets a client fall back to subject and class).",
    "Das Register führt %s nicht; er wird über sein Thema %s erklärt (RFC 3463 erlaubt den Rückgriff auf Thema und Klasse)." },
  [NOTE_FALLBACK_CLASS] = {
    "Neither %s nor its subject is known; only its class %s says anything about it.",
    "Weder %s noch sein Thema sind bekannt; nur seine Klasse %s sagt etwas darüber aus." },
  [NOTE_UNKNOWN_CODE] = {
    "No module knows the reply code %s; RFC 5321 tells clients to act on its first digit, which says: %s.",
    "Kein Modul kennt den Antwortcode %s; nach RFC 5321 richten sich Clients nach der ersten Ziffer, und die besagt: %s." },
  [NOTE_VENDOR_DIFFERS] = {
    "%s gives this code its own meaning, which differs from the IANA registry's; the registry's meaning is listed as an alternative.",
    "%s verwendet diesen Code mit eigener Bedeutung, die von der des IANA-Registers abweicht; die Bedeutung laut Register steht bei den Alternativen." },
  [NOTE_OTHER_VENDOR] = {
    "Some mail systems give this code a meaning of their own; they are listed as alternatives. Name the system (--vendor) if you know which one sent the reply.",
    "Manche Mailsysteme geben diesem Code eine eigene Bedeutung; sie stehen bei den Alternativen. Nennen Sie das System (--vendor), wenn Sie wissen, welches die Antwort geschickt hat." },
  [NOTE_DOTTED_REPLY] = {
    "%s is no enhanced status code (their class is 2, 4 or 5); it is read as the reply code %s written with dots, as some code tables write it.",
    "%s ist kein erweiterter Statuscode (deren Klasse ist 2, 4 oder 5); er wird als Antwortcode %s mit Punkten gelesen, wie manche Codetabellen ihn schreiben." },
  [NOTE_USAGE_FIELD] = {
    "No RFC defines %s; the meaning given here is how it is used in practice.",
    "Kein RFC definiert %s; die hier genannte Bedeutung beschreibt, wie er in der Praxis verwendet wird." },
};

static const char *const class_word[][2] = {
  [SMTPCODES_CLASS_UNKNOWN] = { "unknown", "unbekannt" },
  [SMTPCODES_CLASS_SUCCESS] = { "success", "Erfolg" },
  [SMTPCODES_CLASS_INTERMEDIATE] = { "intermediate (more input expected)", "Zwischenantwort (weitere Eingabe erwartet)" },
  [SMTPCODES_CLASS_TRANSIENT] = { "transient failure", "vorübergehender Fehler" },
  [SMTPCODES_CLASS_PERMANENT] = { "permanent failure", "dauerhafter Fehler" },
};

static const char *const alt_label[][2] = {
  [SMTPCODES_ALTERNATIVE_DOTLESS] = { "read as the enhanced status code %s written without dots", "gelesen als erweiterter Statuscode %s ohne Punkte" },
  [SMTPCODES_ALTERNATIVE_DOTTED] = { "read as the reply code %s written with dots", "gelesen als Antwortcode %s mit Punkten" },
  [SMTPCODES_ALTERNATIVE_VENDOR] = { "as %s uses it", "wie %s ihn verwendet" },
  [SMTPCODES_ALTERNATIVE_REGISTRY] = { "as the IANA registry and the RFCs define %s", "wie das IANA-Register und die RFCs %s definieren" },
  [SMTPCODES_ALTERNATIVE_FIELD] = { "as %s is used in the field", "wie %s in der Praxis verwendet wird" },
};

/* Fills the "%s" slots of a note or label template in order; templates come from the tables
 * above, and a template is never used as a printf format. */
static char *
fill (const char *tmpl, const char *a, const char *b)
{
  GString *out = g_string_new (NULL);
  const char *args[2] = { a ? a : "", b ? b : "" };
  guint n = 0;
  for (const char *p = tmpl; *p; p++)
    {
      if (p[0] == '%' && p[1] == 's')
        {
          g_string_append (out, n < 2 ? args[n] : "");
          n++;
          p++;
          continue;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* 0 for English, 1 for German: the languages the library's own sentences exist in. */
static int
lang_index (const char *lang)
{
  if (lang == NULL)
    lang = g_get_language_names ()[0];
  return (lang[0] == 'd' && lang[1] == 'e' && (lang[2] == '\0' || lang[2] == '_' || lang[2] == '.' || lang[2] == '@')) ? 1 : 0;
}

static SmtpcodesClass
class_of_digit (int d)
{
  switch (d)
    {
    case 2: return SMTPCODES_CLASS_SUCCESS;
    case 3: return SMTPCODES_CLASS_INTERMEDIATE;
    case 4: return SMTPCODES_CLASS_TRANSIENT;
    case 5: return SMTPCODES_CLASS_PERMANENT;
    default: return SMTPCODES_CLASS_UNKNOWN;
    }
}

static void
verdict_clear (gpointer data)
{
  SmtpcodesVerdict *v = data;
  g_clear_pointer (&v->reply, smtpcodes_reply_unref);
  g_clear_pointer (&v->registry, smtpcodes_registry_unref);
}

/**
 * smtpcodes_verdict_ref:
 * @verdict: a #SmtpcodesVerdict
 * Returns: (transfer full): @verdict
 * Since: 1.0
 */
SmtpcodesVerdict *
smtpcodes_verdict_ref (SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, NULL);
  if (verdict->owner)
    smtpcodes_reply_ref (verdict->owner);
  else
    g_atomic_int_inc (&verdict->ref_count);
  return verdict;
}

/**
 * smtpcodes_verdict_unref:
 * @verdict: (transfer full): a #SmtpcodesVerdict
 * Since: 1.0
 */
void
smtpcodes_verdict_unref (SmtpcodesVerdict *verdict)
{
  g_return_if_fail (verdict != NULL);
  if (verdict->owner)
    smtpcodes_reply_unref (verdict->owner);
  else if (g_atomic_int_dec_and_test (&verdict->ref_count))
    {
      verdict_clear (verdict);
      g_free (verdict);
    }
}

typedef struct {
  SmtpcodesClass         klass;
  const SmtpcodesEntry  *best;
  const char            *best_marker;
  guint                  best_len;
  const SmtpcodesModule *vendor;
  const char            *vendor_marker;
  gboolean               want_vendor;
} ScanState;

static gboolean
on_match (const SmtpcodesMatch *m, gsize end, gpointer user_data)
{
  ScanState *st = user_data;
  if (m->tag == SMTPCODES_TAG_CUE)
    return TRUE;
  if (m->tag == SMTPCODES_TAG_VENDOR)
    {
      if (st->want_vendor && st->vendor == NULL)
        {
          st->vendor = m->payload;
          st->vendor_marker = m->marker;
        }
      return TRUE;
    }
  {
    const SmtpcodesEntry *e = m->payload;
    if (st->klass != SMTPCODES_CLASS_UNKNOWN && !(e->classes & SMTPCODES_CLASS_MASK (st->klass)))
      return TRUE;
    if (st->best == NULL || e->priority > st->best->priority
        || (e->priority == st->best->priority && m->length > st->best_len)
        || (e->priority == st->best->priority && m->length == st->best_len
            && e->module->rank < st->best->module->rank))
      {
        st->best = e;
        st->best_marker = m->marker;
        st->best_len = m->length;
      }
  }
  return TRUE;
}

static const SmtpcodesModule *
vendor_by_host (SmtpcodesRegistry *reg, const char *host, const char **which)
{
  gsize hl;
  if (host == NULL)
    return NULL;
  hl = strlen (host);
  for (guint i = 0; i < reg->modules->len; i++)
    {
      const SmtpcodesModule *m = reg->modules->pdata[i];
      for (guint k = 0; m->detect_host && m->detect_host[k]; k++)
        {
          const char *suf = m->detect_host[k];
          gsize sl = strlen (suf);
          if (hl >= sl && g_ascii_strcasecmp (host + hl - sl, suf) == 0
              && (hl == sl || host[hl - sl - 1] == '.' || suf[0] == '.'))
            {
              *which = suf;
              return m;
            }
        }
    }
  return NULL;
}

/* The alternatives while a verdict is made: on the stack, unless there are many. */
typedef struct {
  Alternative *v;
  guint        len, cap;
  Alternative  buf[8];
} AltVec;

static void
add_alternative (AltVec *alts, const SmtpcodesEntry *e, SmtpcodesAlternativeKind kind, const char *reading)
{
  Alternative *a;
  for (guint i = 0; i < alts->len; i++)
    if (alts->v[i].entry == e)
      return;
  if (alts->len == alts->cap)
    {
      Alternative *more = g_new (Alternative, alts->cap * 2);
      memcpy (more, alts->v, alts->len * sizeof *more);
      if (alts->v != alts->buf)
        g_free (alts->v);
      alts->v = more;
      alts->cap *= 2;
    }
  a = &alts->v[alts->len++];
  a->entry = e;
  a->kind = kind;
  g_strlcpy (a->reading, reading ? reading : "", sizeof a->reading);
}

/* Offers another reading of the code (571 as 5.7.1, 5.5.0 as 550): the standard meanings
 * first (only the most specific with first_only), then the vendors' (only the recognised
 * vendor's when one is known). */
static void
add_reading (SmtpcodesVerdict *v, AltVec *alts, const SmtpcodesEntry *const *list, guint n,
             SmtpcodesAlternativeKind kind, const char *reading, gboolean first_only)
{
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        const SmtpcodesEntry *e = list[i];
        gboolean vendor_entry = e->module->rank == KIND_VENDOR;
        if (pass == 0 ? vendor_entry : !vendor_entry)
          continue;
        if (vendor_entry && v->vendor && e->module != v->vendor)
          continue;
        add_alternative (alts, e, kind, reading);
        v->notes |= 1u << (kind == SMTPCODES_ALTERNATIVE_DOTLESS ? NOTE_DOTLESS : NOTE_DOTTED);
        if (pass == 0 && first_only)
          break;
      }
}

static gboolean
is_hard_reason (int reason, SmtpcodesClass klass)
{
  if (klass != SMTPCODES_CLASS_TRANSIENT && klass != SMTPCODES_CLASS_PERMANENT)
    return FALSE;
  if (reason == SMTPCODES_REASON_userunknown || reason == SMTPCODES_REASON_hostunknown
      || reason == SMTPCODES_REASON_hasmoved)
    return TRUE;
  return reason == SMTPCODES_REASON_notaccept && klass == SMTPCODES_CLASS_PERMANENT;
}

/* Usage is validated when the module loads (standard, registry, field, draft, obsolete):
 * only "standard" starts with 's'. */
static inline gboolean
usage_is_standard (const SmtpcodesEntry *e)
{
  return e->usage[0] == 's';
}

/**
 * smtpcodes_registry_explain:
 * @self: a #SmtpcodesRegistry
 * @reply: a parsed reply
 * @vendor: (nullable): the id of the vendor module whose meanings apply, or %NULL to
 *   recognise the vendor from the reply text and the remote host
 *
 * Classifies @reply: class (from the basic code, as clients act on it; else from the
 * enhanced code), reason (from the most specific non-generic entry, else from the reply's
 * wording, else from the generic entry), hard or soft bounce, retry, texts, alternatives and
 * evidence.
 *
 * Returns: (transfer full): the verdict; never %NULL
 * Since: 1.0
 */
static SmtpcodesVerdict *explain (SmtpcodesRegistry *self, const SmtpcodesReply *reply, const char *vendor,
                                  gboolean in_reply);

SmtpcodesVerdict *
smtpcodes_registry_explain (SmtpcodesRegistry    *self,
                            const SmtpcodesReply *reply,
                            const char           *vendor)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (reply != NULL, NULL);
  return explain (self, reply, vendor, FALSE);
}

/* The verdict; with in_reply, in the reply's spare room if it fits (the reply must be one
 * that only the caller holds, parsed with self, and the caller's reference becomes the
 * verdict's). */
static SmtpcodesVerdict *
explain (SmtpcodesRegistry *self, const SmtpcodesReply *reply, const char *vendor, gboolean in_reply)
{
  /* copied from a zero one: GCC zeroes a local of this size with rep stos, which is slow
   * to start */
  static const SmtpcodesVerdict zero_verdict;
  SmtpcodesVerdict verdict = zero_verdict, *v = &verdict, *out;
  gsize size;
  SmtpcodesQuery q;
  ScanState st = { 0 };
  int basic_digit, status_digit = 0;
  SmtpcodesEntryVec entries;
  AltVec alts;
  gsize head;

  /* The verdict is made on the stack, then goes with its entries and alternatives into
   * one block. */
  _smtpcodes_entry_vec_init (&entries);
  alts.v = alts.buf;
  alts.len = 0;
  alts.cap = G_N_ELEMENTS (alts.buf);
  v->reason = SMTPCODES_REASON_undefined;

  memset (&q, 0, sizeof q);
  q.reply = reply->code;
  q.command = reply->command;
  if (reply->enhanced && reply->has_status)
    {
      /* the parser read the code as _smtpcodes_parse_status (allow_wild) does */
      q.sc = reply->sc;
      q.ss = reply->ss;
      q.sd = reply->sd;
      q.has_status = TRUE;
      /* a code the parser or smtpcodes_reply_new() accepted: a few bytes */
      gsize el = strlen (reply->enhanced);
      if (el < sizeof q.status)
        {
          /* both from the reply (copying q.status right after writing it stalls) */
          memcpy (q.status, reply->enhanced, el + 1);
          memcpy (v->status, reply->enhanced, el + 1);
        }
      else
        {
          g_strlcpy (q.status, reply->enhanced, sizeof q.status);
          g_strlcpy (v->status, reply->enhanced, sizeof v->status);
        }
      if (q.sc != STATUS_CLASS_X)
        status_digit = (int) q.sc;
    }

  /* class: the basic code decides, as clients act on it (RFC 5321 4.2.1) */
  basic_digit = reply->code / 100;
  v->klass = class_of_digit (basic_digit);
  if (v->klass == SMTPCODES_CLASS_UNKNOWN)
    v->klass = class_of_digit (status_digit);
  if (basic_digit >= 2 && status_digit && class_of_digit (basic_digit) != class_of_digit (status_digit))
    v->notes |= 1u << NOTE_MISMATCH;

  /* vendor: named, or recognised from the text and the host */
  if (vendor)
    {
      v->vendor = smtpcodes_registry_get_module (self, vendor);
      v->vendor_given = v->vendor != NULL;
    }
  st.klass = v->klass;
  st.want_vendor = v->vendor == NULL;
  if (reply->scan_reg == self)
    {
      /* the parse already scanned the text with this registry's automaton */
      for (guint i = 0; i < reply->n_matches; i++)
        on_match (reply->matches[i], 0, &st);
    }
  else
    _smtpcodes_matcher_scan (_smtpcodes_registry_matcher (self), reply->input, strlen (reply->input),
                             on_match, &st);
  if (v->vendor == NULL)
    {
      v->vendor = st.vendor;
      v->vendor_evidence = st.vendor_marker;
      if (v->vendor == NULL)
        v->vendor = vendor_by_host (self, reply->remote_host, &v->vendor_evidence);
    }

  _smtpcodes_registry_collect (self, &q, v->vendor, TRUE, &entries);
  /* Entries of other vendors are alternatives, not the meaning. When the reply's status
   * code has a meaning, what a vendor says about the bare reply code is too vague to offer. */
  {
    gboolean status_known = FALSE;
    guint kept = 0;
    for (guint i = 0; i < entries.len; i++)
      {
        const SmtpcodesEntry *e = entries.v[i];
        status_known |= e->module->rank != KIND_VENDOR && e->status != NULL;
      }
    for (guint i = 0; i < entries.len; i++)
      {
        const SmtpcodesEntry *e = entries.v[i];
        if (e->module->rank == KIND_VENDOR && e->module != v->vendor)
          {
            if (!(status_known && e->kind == SMTPCODES_ENTRY_REPLY && e->status == NULL))
              {
                add_alternative (&alts, e, SMTPCODES_ALTERNATIVE_VENDOR, NULL);
                v->notes |= 1u << NOTE_OTHER_VENDOR;
              }
          }
        else
          entries.v[kept++] = e;
      }
    entries.len = kept;
  }
  v->primary = entries.len ? entries.v[0] : NULL;

  if (q.has_status && v->primary && v->primary->kind == SMTPCODES_ENTRY_STATUS
      && v->primary->status_key != status_key_make (q.sc, q.ss, q.sd)
      && v->primary->status_key != status_key_make (STATUS_CLASS_X, q.ss, q.sd))
    {
      /* RFC 3463 fallback was used */
      guint ps = (v->primary->status_key >> 10) & 0x7F;
      v->notes |= 1u << (ps == STATUS_ANY_SUBJECT ? NOTE_FALLBACK_CLASS : NOTE_FALLBACK_SUBJECT);
    }

  /* A vendor meaning that wins over a registry meaning of the same code: offer the
   * registry's, and say they differ when they name different reasons. */
  if (v->primary && v->primary->module == v->vendor && v->vendor)
    for (guint i = 1; i < entries.len; i++)
      {
        const SmtpcodesEntry *e = entries.v[i];
        const SmtpcodesEntry *p = v->primary;
        gboolean same_code;
        if (e->module->rank != KIND_STANDARD || e->kind != p->kind)
          continue;
        if (p->kind == SMTPCODES_ENTRY_STATUS)
          same_code = (e->status_key & 0x1FFFF) == (p->status_key & 0x1FFFF)
                      && ((e->status_key >> 17) == (p->status_key >> 17) || (e->status_key >> 17) == STATUS_CLASS_X);
        else
          same_code = e->reply == p->reply && e->status_key == p->status_key && g_strcmp0 (e->command, p->command) == 0;
        if (!same_code)
          continue;
        if (e->reason != p->reason)
          {
            add_alternative (&alts, e, SMTPCODES_ALTERNATIVE_REGISTRY, p->status ? q.status : e->code);
            v->notes |= 1u << NOTE_VENDOR_DIFFERS;
          }
        break;
      }

  if (reply->dotted)
    v->notes |= 1u << NOTE_DOTTED_REPLY;
  /* real-world spellings: 571 for 5.7.1, 5.5.0 for 550 */
  if (reply->code)
    {
      gboolean standard_reply = FALSE;
      for (guint i = 0; i < entries.len; i++)
        {
          const SmtpcodesEntry *e = entries.v[i];
          if (e->kind == SMTPCODES_ENTRY_REPLY && e->reply == reply->code && usage_is_standard (e))
            standard_reply = TRUE;
        }
      if (!standard_reply && (basic_digit == 4 || basic_digit == 5 || basic_digit == 2) && !q.has_status)
        {
          SmtpcodesQuery dq = { 0 };
          SmtpcodesEntryVec alt;
          _smtpcodes_entry_vec_init (&alt);
          dq.has_status = TRUE;
          dq.sc = (guint) basic_digit;
          dq.ss = (guint) (reply->code / 10 % 10);
          dq.sd = (guint) (reply->code % 10);
          g_snprintf (dq.status, sizeof dq.status, "%u.%u.%u", dq.sc, dq.ss, dq.sd);
          _smtpcodes_registry_collect (self, &dq, v->vendor, FALSE, &alt);
          add_reading (v, &alts, alt.v, alt.len, SMTPCODES_ALTERNATIVE_DOTLESS, dq.status, TRUE);
          _smtpcodes_entry_vec_clear (&alt);
        }
      for (guint i = 0; i < entries.len; i++)
        {
          const SmtpcodesEntry *e = entries.v[i];
          if (e->kind == SMTPCODES_ENTRY_REPLY && e->reply == reply->code && !usage_is_standard (e))
            v->notes |= 1u << NOTE_USAGE_FIELD;
        }
      if (entries.len == 0 && !(v->notes & (1u << NOTE_DOTLESS)))
        v->notes |= 1u << NOTE_UNKNOWN_CODE;
    }
  else if (reply->code_only && q.has_status && q.sc != STATUS_CLASS_X && q.ss < 10 && q.sd < 10)
    {
      int as_reply = (int) (q.sc * 100 + q.ss * 10 + q.sd);
      guint n_list;
      const SmtpcodesEntry *const *list = _smtpcodes_registry_list_of (self, KEY_REPLY (as_reply), &n_list);
      char reading[8];
      g_snprintf (reading, sizeof reading, "%d", as_reply);
      add_reading (v, &alts, list, n_list, SMTPCODES_ALTERNATIVE_DOTTED, reading, FALSE);
    }

  /* reason */
  v->pattern = st.best;
  v->pattern_marker = st.best_marker;
  if (v->klass == SMTPCODES_CLASS_SUCCESS)
    v->reason = SMTPCODES_REASON_delivered;
  else if (v->klass == SMTPCODES_CLASS_INTERMEDIATE)
    v->reason = SMTPCODES_REASON_undefined;
  else if (v->primary && !v->primary->generic)
    v->reason = v->primary->reason;
  else if (v->pattern)
    {
      v->reason = v->pattern->reason;
      v->pattern_decided = TRUE;
    }
  else if (v->primary)
    v->reason = v->primary->reason;
  else if (alts.len)
    v->reason = alts.v[0].entry->reason;

  /* retry */
  if (v->klass == SMTPCODES_CLASS_TRANSIENT)
    v->retry = TRUE;
  else if (v->klass == SMTPCODES_CLASS_PERMANENT)
    v->retry = v->primary && v->primary->retry_set && !v->pattern_decided ? v->primary->retry : FALSE;
  else
    v->retry = FALSE;
  v->hard = is_hard_reason (v->reason, v->klass);

  head = (sizeof (SmtpcodesVerdict) + 7) & ~(gsize) 7;
  size = head + entries.len * sizeof (gpointer) + alts.len * sizeof (Alternative);
  if (in_reply && size <= reply->spare_size && !reply->has_verdict && reply->scan_reg == self)
    {
      SmtpcodesReply *owner = (SmtpcodesReply *) reply;
      out = owner->spare;
      owner->has_verdict = TRUE;
      *out = verdict;
      out->owner = owner;
      out->registry = self;
      out->reply = owner;
    }
  else
    {
      out = g_malloc (size);
      *out = verdict;
      out->ref_count = 1;
      out->registry = smtpcodes_registry_ref (self);
      out->reply = smtpcodes_reply_ref ((SmtpcodesReply *) reply);
    }
  {
    const SmtpcodesEntry **ev = (const SmtpcodesEntry **) (gpointer) ((char *) out + head);
    Alternative *av = (Alternative *) (gpointer) (ev + entries.len);
    if (entries.len)
      memcpy (ev, entries.v, entries.len * sizeof (gpointer));
    if (alts.len)
      memcpy (av, alts.v, alts.len * sizeof (Alternative));
    out->entries = ev;
    out->n_entries = entries.len;
    out->alternatives = av;
    out->n_alts = alts.len;
  }
  _smtpcodes_entry_vec_clear (&entries);
  if (alts.v != alts.buf)
    g_free (alts.v);
  return out;
}

/**
 * smtpcodes_registry_explain_text:
 * @self: a #SmtpcodesRegistry
 * @text: (array length=length) (element-type guint8): a reply, log line or diagnostic text
 * @length: length of @text, or -1 if NUL-terminated
 * @vendor: (nullable): vendor module id, or %NULL to recognise it
 * @error: return location for a #GError
 *
 * smtpcodes_reply_parse() followed by smtpcodes_registry_explain().
 *
 * Returns: (transfer full) (nullable): the verdict, or %NULL with @error set
 * Since: 1.0
 */
SmtpcodesVerdict *
smtpcodes_registry_explain_text (SmtpcodesRegistry *self,
                                 const char        *text,
                                 gssize             length,
                                 const char        *vendor,
                                 GError           **error)
{
  SmtpcodesReply *r;
  SmtpcodesVerdict *v;

  g_return_val_if_fail (self != NULL, NULL);
  if (vendor && smtpcodes_registry_get_module (self, vendor) == NULL)
    {
      g_set_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE,
                   "no module '%s' is loaded (see 'smtpcodes modules')", vendor);
      return NULL;
    }
  /* the reply with room for the verdict: one allocation for both, most of the time */
  r = _smtpcodes_reply_parse_spare (self, text, length, VERDICT_SPARE, error);
  if (r == NULL)
    return NULL;
  v = explain (self, r, vendor, TRUE);
  if (v->owner == NULL)
    smtpcodes_reply_unref (r);   /* the verdict has its own block and reference */
  return v;
}

/**
 * smtpcodes_verdict_get_reply:
 * @verdict: a #SmtpcodesVerdict
 * Returns: (transfer none): the reply the verdict is about
 * Since: 1.0
 */
const SmtpcodesReply *
smtpcodes_verdict_get_reply (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, NULL);
  return verdict->reply;
}

/**
 * smtpcodes_verdict_get_class:
 * @verdict: a #SmtpcodesVerdict
 * Returns: the reply's class
 * Since: 1.0
 */
SmtpcodesClass
smtpcodes_verdict_get_class (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, SMTPCODES_CLASS_UNKNOWN);
  return verdict->klass;
}

/**
 * smtpcodes_verdict_get_reason:
 * @verdict: a #SmtpcodesVerdict
 * Returns: (transfer none): the reason, from the vocabulary in docs/module-format.md
 * Since: 1.0
 */
const char *
smtpcodes_verdict_get_reason (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, NULL);
  return _smtpcodes_reasons[verdict->reason];
}

/**
 * smtpcodes_verdict_is_bounce:
 * @verdict: a #SmtpcodesVerdict
 * Returns: whether the reply is a failure (transient or permanent)
 * Since: 1.0
 */
gboolean
smtpcodes_verdict_is_bounce (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, FALSE);
  return verdict->klass == SMTPCODES_CLASS_TRANSIENT || verdict->klass == SMTPCODES_CLASS_PERMANENT;
}

/**
 * smtpcodes_verdict_is_hard_bounce:
 * @verdict: a #SmtpcodesVerdict
 *
 * A bounce is hard when retrying can never succeed for the address: the reason is
 * userunknown, hostunknown or hasmoved, or notaccept with a permanent code.
 *
 * Returns: whether the reply is a hard bounce
 * Since: 1.0
 */
gboolean
smtpcodes_verdict_is_hard_bounce (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, FALSE);
  return verdict->hard;
}

/**
 * smtpcodes_verdict_get_retry:
 * @verdict: a #SmtpcodesVerdict
 * Returns: whether sending the same message again later can succeed
 * Since: 1.0
 */
gboolean
smtpcodes_verdict_get_retry (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, FALSE);
  return verdict->retry;
}

/**
 * smtpcodes_verdict_get_status:
 * @verdict: a #SmtpcodesVerdict
 * Returns: (transfer none) (nullable): the enhanced status code of the reply, or the one its
 *   wording implies when it states none
 * Since: 1.0
 */
const char *
smtpcodes_verdict_get_status (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, NULL);
  if (verdict->status[0])
    return verdict->status;
  if (verdict->pattern_decided && verdict->pattern->status)
    return verdict->pattern->status;
  return NULL;
}

/**
 * smtpcodes_verdict_get_vendor:
 * @verdict: a #SmtpcodesVerdict
 * Returns: (transfer none) (nullable): the id of the vendor module that applied (named by
 *   the caller or recognised), or %NULL
 * Since: 1.0
 */
const char *
smtpcodes_verdict_get_vendor (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, NULL);
  return verdict->vendor ? verdict->vendor->id : NULL;
}

/**
 * smtpcodes_verdict_get_entry:
 * @verdict: a #SmtpcodesVerdict
 * Returns: (transfer none) (nullable): the most specific entry that explains the code
 * Since: 1.0
 */
const SmtpcodesEntry *
smtpcodes_verdict_get_entry (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, NULL);
  return verdict->primary;
}

/**
 * smtpcodes_verdict_get_pattern:
 * @verdict: a #SmtpcodesVerdict
 * Returns: (transfer none) (nullable): the text pattern that matched the reply's wording
 * Since: 1.0
 */
const SmtpcodesEntry *
smtpcodes_verdict_get_pattern (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, NULL);
  return verdict->pattern;
}

/**
 * smtpcodes_verdict_get_entries:
 * @verdict: a #SmtpcodesVerdict
 * Returns: (transfer container) (element-type SmtpcodesEntry): every entry that applies,
 *   most specific first
 * Since: 1.0
 */
GPtrArray *
smtpcodes_verdict_get_entries (const SmtpcodesVerdict *verdict)
{
  GPtrArray *out;
  g_return_val_if_fail (verdict != NULL, NULL);
  out = g_ptr_array_sized_new (verdict->n_entries);
  for (guint i = 0; i < verdict->n_entries; i++)
    g_ptr_array_add (out, (gpointer) verdict->entries[i]);
  return out;
}

static const SmtpcodesEntry *
text_entry (const SmtpcodesVerdict *v)
{
  if (v->primary)
    return v->primary;
  if (N_ALT (v))
    return ALT (v, 0)->entry;
  return NULL;
}

static const char *
class_text (const SmtpcodesVerdict *v, int li)
{
  return class_word[v->klass][li];
}

/**
 * smtpcodes_verdict_get_summary:
 * @verdict: a #SmtpcodesVerdict
 * @lang: (nullable): a language such as "de"; %NULL for the process locale
 * Returns: (transfer full): a one-line summary
 * Since: 1.0
 */
char *
smtpcodes_verdict_get_summary (const SmtpcodesVerdict *verdict, const char *lang)
{
  const SmtpcodesEntry *e;
  g_return_val_if_fail (verdict != NULL, NULL);
  e = verdict->pattern_decided && verdict->primary == NULL ? verdict->pattern : text_entry (verdict);
  if (e)
    return g_strdup (smtpcodes_entry_get_summary (e, lang));
  if (verdict->pattern_decided)
    return g_strdup (smtpcodes_entry_get_summary (verdict->pattern, lang));
  return g_strdup (class_text (verdict, lang_index (lang)));
}

/**
 * smtpcodes_verdict_get_explanation:
 * @verdict: a #SmtpcodesVerdict
 * @lang: (nullable): a language such as "de"; %NULL for the process locale
 *
 * The explanation of the code, followed by what the reply's wording adds when a text
 * pattern decided the reason.
 *
 * Returns: (transfer full): the explanation
 * Since: 1.0
 */
char *
smtpcodes_verdict_get_explanation (const SmtpcodesVerdict *verdict, const char *lang)
{
  GString *s = g_string_new (NULL);
  const SmtpcodesEntry *e;

  g_return_val_if_fail (verdict != NULL, NULL);
  e = text_entry (verdict);
  if (e)
    g_string_append (s, smtpcodes_entry_get_explanation (e, lang));
  if (verdict->pattern_decided)
    {
      if (s->len)
        g_string_append_c (s, ' ');
      g_string_append (s, smtpcodes_entry_get_explanation (verdict->pattern, lang));
    }
  if (s->len == 0)
    g_string_append (s, class_text (verdict, lang_index (lang)));
  return g_string_free (s, FALSE);
}

/**
 * smtpcodes_verdict_get_advice:
 * @verdict: a #SmtpcodesVerdict
 * @lang: (nullable): a language such as "de"; %NULL for the process locale
 * Returns: (transfer full): what the sender or the administrator should do
 * Since: 1.0
 */
char *
smtpcodes_verdict_get_advice (const SmtpcodesVerdict *verdict, const char *lang)
{
  const SmtpcodesEntry *e;
  g_return_val_if_fail (verdict != NULL, NULL);
  e = verdict->pattern_decided ? verdict->pattern : text_entry (verdict);
  if (e)
    return g_strdup (smtpcodes_entry_get_advice (e, lang));
  return g_strdup ("");
}

/**
 * smtpcodes_verdict_has_mismatch:
 * @verdict: a #SmtpcodesVerdict
 * Returns: whether the basic and the enhanced code disagree about the class (450 5.2.3)
 * Since: 1.0
 */
gboolean
smtpcodes_verdict_has_mismatch (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, FALSE);
  return (verdict->notes & (1u << NOTE_MISMATCH)) != 0;
}

/**
 * smtpcodes_verdict_get_notes:
 * @verdict: a #SmtpcodesVerdict
 * @lang: (nullable): a language such as "de"; %NULL for the process locale
 *
 * Remarks about the reading itself: a basic/enhanced mismatch, an unusual spelling, a
 * fall-back to subject or class, a vendor meaning that differs from the registry.
 *
 * Returns: (transfer full) (array zero-terminated=1): the notes; empty if none
 * Since: 1.0
 */
char **
smtpcodes_verdict_get_notes (const SmtpcodesVerdict *verdict, const char *lang)
{
  GPtrArray *out = g_ptr_array_new ();
  int li;
  char code[8] = "";
  const char *status;

  g_return_val_if_fail (verdict != NULL, NULL);
  li = lang_index (lang);
  status = verdict->status;
  if (verdict->reply->code)
    g_snprintf (code, sizeof code, "%d", verdict->reply->code);
  for (int n = 0; n < N_NOTES; n++)
    {
      const char *fmt = note_text[n][li];
      char *s = NULL;
      if (!(verdict->notes & (1u << n)))
        continue;
      switch ((NoteId) n)
        {
        case NOTE_MISMATCH:
          s = fill (fmt, code, status);
          break;
        case NOTE_DOTLESS:
        case NOTE_DOTTED:
          for (guint i = 0; i < N_ALT (verdict) && !s; i++)
            {
              const Alternative *a = ALT (verdict, i);
              if (a->kind == (n == NOTE_DOTLESS ? SMTPCODES_ALTERNATIVE_DOTLESS : SMTPCODES_ALTERNATIVE_DOTTED))
                s = n == NOTE_DOTLESS ? fill (fmt, code, a->reading) : fill (fmt, a->reading, status);
            }
          break;
        case NOTE_FALLBACK_SUBJECT:
        case NOTE_FALLBACK_CLASS:
          s = fill (fmt, status, verdict->primary ? verdict->primary->code : "?");
          break;
        case NOTE_UNKNOWN_CODE:
          s = fill (fmt, code, class_text (verdict, li));
          break;
        case NOTE_VENDOR_DIFFERS:
          s = fill (fmt, smtpcodes_module_get_name (verdict->vendor, li ? "de" : "en"), NULL);
          break;
        case NOTE_USAGE_FIELD:
          s = fill (fmt, code, NULL);
          break;
        case NOTE_DOTTED_REPLY:
          s = fill (fmt, verdict->reply->dotted, code);
          break;
        case NOTE_OTHER_VENDOR:
        default:
          s = g_strdup (fmt);
          break;
        }
      if (s)
        g_ptr_array_add (out, s);
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static char *
entry_ref_string (const SmtpcodesEntry *e)
{
  const char *kind = e->kind == SMTPCODES_ENTRY_REPLY ? "Reply" : e->kind == SMTPCODES_ENTRY_STATUS ? "Status" : "Pattern";
  return g_strdup_printf ("%s.codes:%u [%s %s]", e->module->id, e->line, kind, e->code);
}

/**
 * smtpcodes_verdict_get_evidence:
 * @verdict: a #SmtpcodesVerdict
 *
 * What decided: the module entries, the pattern and marker, the vendor marker, the rules
 * that set class and reason; one line each, in English.
 *
 * Returns: (transfer full) (array zero-terminated=1): the evidence
 * Since: 1.0
 */
char **
smtpcodes_verdict_get_evidence (const SmtpcodesVerdict *verdict)
{
  GPtrArray *out = g_ptr_array_new ();
  const SmtpcodesReply *r;

  g_return_val_if_fail (verdict != NULL, NULL);
  r = verdict->reply;
  if (r->code)
    g_ptr_array_add (out, g_strdup_printf ("class %s: first digit of reply code %d",
                                           smtpcodes_class_to_string (verdict->klass), r->code));
  else if (verdict->status[0])
    g_ptr_array_add (out, g_strdup_printf ("class %s: class digit of status code %s",
                                           smtpcodes_class_to_string (verdict->klass), verdict->status));
  if (verdict->vendor)
    {
      if (verdict->vendor_given)
        g_ptr_array_add (out, g_strdup_printf ("vendor %s: named by the caller", verdict->vendor->id));
      else
        g_ptr_array_add (out, g_strdup_printf ("vendor %s: recognised by '%s'", verdict->vendor->id,
                                               verdict->vendor_evidence));
    }
  for (guint i = 0; i < verdict->n_entries; i++)
    {
      char *ref = entry_ref_string (verdict->entries[i]);
      g_ptr_array_add (out, g_strdup_printf ("%s %s", i == 0 ? "meaning:" : "also:", ref));
      g_free (ref);
    }
  if (verdict->pattern)
    {
      char *ref = entry_ref_string (verdict->pattern);
      g_ptr_array_add (out, g_strdup_printf ("wording: %s matched '%s'", ref, verdict->pattern_marker));
      g_free (ref);
    }
  {
    const char *why;
    if (verdict->klass == SMTPCODES_CLASS_SUCCESS || verdict->klass == SMTPCODES_CLASS_INTERMEDIATE)
      why = "the class";
    else if (verdict->pattern_decided)
      why = verdict->primary ? "the wording (the code's own reason is generic)" : "the wording (no entry for the code)";
    else if (verdict->primary)
      why = verdict->primary->generic ? "the code's generic reason (no wording matched)" : "the code's entry";
    else if (N_ALT (verdict))
      why = "the alternative reading";
    else
      why = "nothing known: undefined";
    g_ptr_array_add (out, g_strdup_printf ("reason %s: from %s", _smtpcodes_reasons[verdict->reason], why));
  }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/**
 * smtpcodes_verdict_get_n_alternatives:
 * @verdict: a #SmtpcodesVerdict
 * Returns: the number of alternative meanings offered
 * Since: 1.0
 */
guint
smtpcodes_verdict_get_n_alternatives (const SmtpcodesVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, 0);
  return N_ALT (verdict);
}

/**
 * smtpcodes_verdict_get_alternative:
 * @verdict: a #SmtpcodesVerdict
 * @index: from 0 to smtpcodes_verdict_get_n_alternatives() - 1
 * @kind: (out) (optional): why the alternative is offered
 * Returns: (transfer none) (nullable): the alternative's entry, or %NULL if @index is out of range
 * Since: 1.0
 */
const SmtpcodesEntry *
smtpcodes_verdict_get_alternative (const SmtpcodesVerdict *verdict, guint index, SmtpcodesAlternativeKind *kind)
{
  const Alternative *a;
  g_return_val_if_fail (verdict != NULL, NULL);
  if (index >= N_ALT (verdict))
    return NULL;
  a = ALT (verdict, index);
  if (kind)
    *kind = a->kind;
  return a->entry;
}

/**
 * smtpcodes_verdict_get_alternative_label:
 * @verdict: a #SmtpcodesVerdict
 * @index: from 0 to smtpcodes_verdict_get_n_alternatives() - 1
 * @lang: (nullable): a language such as "de"; %NULL for the process locale
 * Returns: (transfer full) (nullable): a label such as "read as the enhanced status code 5.7.1
 *   written without dots", or %NULL if @index is out of range
 * Since: 1.0
 */
char *
smtpcodes_verdict_get_alternative_label (const SmtpcodesVerdict *verdict, guint index, const char *lang)
{
  const Alternative *a;
  int li;
  g_return_val_if_fail (verdict != NULL, NULL);
  if (index >= N_ALT (verdict))
    return NULL;
  a = ALT (verdict, index);
  li = lang_index (lang);
  switch (a->kind)
    {
    case SMTPCODES_ALTERNATIVE_VENDOR:
      return fill (alt_label[a->kind][li], smtpcodes_module_get_name (a->entry->module, li ? "de" : "en"), NULL);
    case SMTPCODES_ALTERNATIVE_DOTLESS:
    case SMTPCODES_ALTERNATIVE_DOTTED:
    case SMTPCODES_ALTERNATIVE_REGISTRY:
    case SMTPCODES_ALTERNATIVE_FIELD:
    default:
      return fill (alt_label[a->kind][li], a->reading[0] ? a->reading : a->entry->code, NULL);
    }
}

/**
 * smtpcodes_alternative_kind_to_string:
 * @kind: a #SmtpcodesAlternativeKind
 * Returns: (transfer none): "dotless", "dotted", "vendor", "registry" or "field"
 * Since: 1.0
 */
const char *
smtpcodes_alternative_kind_to_string (SmtpcodesAlternativeKind kind)
{
  switch (kind)
    {
    case SMTPCODES_ALTERNATIVE_DOTLESS: return "dotless";
    case SMTPCODES_ALTERNATIVE_DOTTED: return "dotted";
    case SMTPCODES_ALTERNATIVE_VENDOR: return "vendor";
    case SMTPCODES_ALTERNATIVE_REGISTRY: return "registry";
    case SMTPCODES_ALTERNATIVE_FIELD:
    default: return "field";
    }
}
