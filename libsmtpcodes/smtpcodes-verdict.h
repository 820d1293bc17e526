#pragma once
#if !defined (SMTPCODES_INSIDE) && !defined (SMTPCODES_COMPILATION)
#error "Include <libsmtpcodes/smtpcodes.h> instead."
#endif

#include <libsmtpcodes/smtpcodes-registry.h>
#include <libsmtpcodes/smtpcodes-reply.h>

G_BEGIN_DECLS

/**
 * SECTION:smtpcodes-verdict
 * @title: SmtpcodesVerdict
 * @short_description: what a reply means and what to do about it
 *
 * A verdict classifies a parsed reply against a registry: its class,
 * reason, whether it is a hard bounce, whether to retry, the explanation
 * and advice in a chosen language, alternatives for unusual spellings,
 * and the evidence that decided.
 */

/**
 * SmtpcodesVerdict:
 *
 * An opaque, immutable, reference-counted classification of a reply.
 *
 * Since: 1.0
 */
typedef struct _SmtpcodesVerdict SmtpcodesVerdict;

/**
 * SmtpcodesAlternativeKind:
 * @SMTPCODES_ALTERNATIVE_DOTLESS: a three-digit code read as an enhanced code written without dots (571 as 5.7.1)
 * @SMTPCODES_ALTERNATIVE_DOTTED: an enhanced-looking code read as a reply code written with dots (5.5.0 as 550)
 * @SMTPCODES_ALTERNATIVE_VENDOR: the meaning a mail system that was not recognised gives the code
 * @SMTPCODES_ALTERNATIVE_REGISTRY: the registry meaning of a code a recognised vendor uses differently
 * @SMTPCODES_ALTERNATIVE_FIELD: a field usage that differs from the RFC meaning
 *
 * Why an alternative meaning is offered.
 *
 * Since: 1.0
 */
typedef enum {
  SMTPCODES_ALTERNATIVE_DOTLESS,
  SMTPCODES_ALTERNATIVE_DOTTED,
  SMTPCODES_ALTERNATIVE_VENDOR,
  SMTPCODES_ALTERNATIVE_REGISTRY,
  SMTPCODES_ALTERNATIVE_FIELD
} SmtpcodesAlternativeKind;

SMTPCODES_AVAILABLE_IN_1_0
GType smtpcodes_verdict_get_type (void) G_GNUC_CONST;
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesVerdict *smtpcodes_registry_explain (SmtpcodesRegistry    *self,
                                              const SmtpcodesReply *reply,
                                              const char           *vendor);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesVerdict *smtpcodes_registry_explain_text (SmtpcodesRegistry *self,
                                                   const char        *text,
                                                   gssize             length,
                                                   const char        *vendor,
                                                   GError           **error);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesVerdict *smtpcodes_verdict_ref (SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
void smtpcodes_verdict_unref (SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesReply *smtpcodes_verdict_get_reply (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesClass smtpcodes_verdict_get_class (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_verdict_get_reason (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_verdict_is_bounce (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_verdict_is_hard_bounce (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_verdict_get_retry (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_verdict_get_status (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_verdict_get_vendor (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesEntry *smtpcodes_verdict_get_entry (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesEntry *smtpcodes_verdict_get_pattern (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
GPtrArray *smtpcodes_verdict_get_entries (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
char *smtpcodes_verdict_get_summary (const SmtpcodesVerdict *verdict, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
char *smtpcodes_verdict_get_explanation (const SmtpcodesVerdict *verdict, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
char *smtpcodes_verdict_get_advice (const SmtpcodesVerdict *verdict, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_verdict_has_mismatch (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
char **smtpcodes_verdict_get_notes (const SmtpcodesVerdict *verdict, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
char **smtpcodes_verdict_get_evidence (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
guint smtpcodes_verdict_get_n_alternatives (const SmtpcodesVerdict *verdict);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesEntry *smtpcodes_verdict_get_alternative (const SmtpcodesVerdict *verdict,
                                                         guint                   index,
                                                         SmtpcodesAlternativeKind *kind);
SMTPCODES_AVAILABLE_IN_1_0
char *smtpcodes_verdict_get_alternative_label (const SmtpcodesVerdict *verdict,
                                               guint                   index,
                                               const char             *lang);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_alternative_kind_to_string (SmtpcodesAlternativeKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmtpcodesVerdict, smtpcodes_verdict_unref)

G_END_DECLS
