#pragma once
#if !defined (SMTPCODES_INSIDE) && !defined (SMTPCODES_COMPILATION)
#error "Include <libsmtpcodes/smtpcodes.h> instead."
#endif

#include <libsmtpcodes/smtpcodes-registry.h>
#include <libsmtpcodes/smtpcodes-reply.h>
#include <libsmtpcodes/smtpcodes-verdict.h>

G_BEGIN_DECLS

/**
 * SECTION:smtpcodes-report
 * @title: SmtpcodesReport
 * @short_description: bounce messages: who bounced, why, and what to do
 *
 * smtpcodes_report_parse() reads one e-mail message (with GMime) and says,
 * for every recipient it reports on, what happened: the address, the
 * action, the enhanced status code, the reply code, the diagnostic text, the
 * remote MTA, the SMTP command that failed, and a #SmtpcodesVerdict with the
 * reason, hard or soft bounce, retry advice and the explanation in English
 * or German.
 *
 * It reads RFC 3464/6522 delivery status notifications (`multipart/report`
 * with `message/delivery-status`), RFC 6533 `message/global-delivery-status`,
 * and the bounces that are no standard DSN (qmail, Exim, Sendmail, older
 * Exchange, ...) by their structure: where the failed address and the quoted
 * reply stand. The meaning of the wording comes from the data modules.
 * Auto-replies (RFC 3834), feedback reports (RFC 5965) and delivery or delay
 * notices are recognised and labelled, not counted as bounces.
 *
 * Only the first %SMTPCODES_REPORT_SCAN_LIMIT bytes of a message are read:
 * the report comes before the returned original and its attachments, so a
 * message of any size costs at most that much.
 *
 * A #SmtpcodesReportReader iterates over the messages of one file, an mbox,
 * a maildir or a directory of message files.
 *
 * Thread safety: reports are immutable; different threads may parse
 * different messages with the same registry at once.
 */

/**
 * SMTPCODES_REPORT_SCAN_LIMIT:
 *
 * How many bytes of one message smtpcodes_report_parse() reads at most
 * (4 MiB); the rest, normally the returned original and its attachments,
 * is not looked at.
 *
 * Since: 1.0
 */
#define SMTPCODES_REPORT_SCAN_LIMIT (4 * 1024 * 1024)

/**
 * SmtpcodesReport:
 *
 * An opaque, immutable, reference-counted analysis of one message.
 *
 * Since: 1.0
 */
typedef struct _SmtpcodesReport SmtpcodesReport;

/**
 * SmtpcodesRecipient:
 *
 * One recipient of a #SmtpcodesReport. Owned by its report;
 * smtpcodes_recipient_ref() keeps the report alive.
 *
 * Since: 1.0
 */
typedef struct _SmtpcodesRecipient SmtpcodesRecipient;

/**
 * SmtpcodesReportReader:
 *
 * An iterator over the messages of a file, an mbox, a maildir or a directory.
 *
 * Since: 1.0
 */
typedef struct _SmtpcodesReportReader SmtpcodesReportReader;

/**
 * SmtpcodesReportKind:
 * @SMTPCODES_REPORT_NOT_BOUNCE: the message is none of the kinds below
 * @SMTPCODES_REPORT_BOUNCE: a delivery failure (permanent, or given up)
 * @SMTPCODES_REPORT_DELAY: a delay notice: delivery is still being tried (RFC 3464 Action: delayed)
 * @SMTPCODES_REPORT_DELIVERY: a success notice (RFC 3464 Action: delivered, relayed or expanded)
 * @SMTPCODES_REPORT_AUTOREPLY: an automatic reply such as a vacation notice (RFC 3834)
 * @SMTPCODES_REPORT_FEEDBACK: a feedback (abuse) report (RFC 5965)
 *
 * What kind of message a report was read from.
 *
 * Since: 1.0
 */
typedef enum {
  SMTPCODES_REPORT_NOT_BOUNCE,
  SMTPCODES_REPORT_BOUNCE,
  SMTPCODES_REPORT_DELAY,
  SMTPCODES_REPORT_DELIVERY,
  SMTPCODES_REPORT_AUTOREPLY,
  SMTPCODES_REPORT_FEEDBACK
} SmtpcodesReportKind;

SMTPCODES_AVAILABLE_IN_1_0
GType smtpcodes_report_get_type (void) G_GNUC_CONST;
SMTPCODES_AVAILABLE_IN_1_0
GType smtpcodes_recipient_get_type (void) G_GNUC_CONST;

SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReport *smtpcodes_report_parse (SmtpcodesRegistry *registry,
                                         const char        *data,
                                         gsize              length,
                                         GError           **error);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReport *smtpcodes_report_ref (SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
void smtpcodes_report_unref (SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReportKind smtpcodes_report_get_kind (const SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_report_kind_to_string (SmtpcodesReportKind kind);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_report_get_format (const SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_report_get_reporting_mta (const SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_report_get_from (const SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_report_get_subject (const SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_report_get_message_id (const SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
guint smtpcodes_report_get_n_recipients (const SmtpcodesReport *report);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesRecipient *smtpcodes_report_get_recipient (const SmtpcodesReport *report,
                                                          guint                  index);

SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesRecipient *smtpcodes_recipient_ref (SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
void smtpcodes_recipient_unref (SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_recipient_get_address (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_recipient_get_original_address (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_recipient_get_action (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_recipient_get_status (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
int smtpcodes_recipient_get_reply_code (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_recipient_get_diagnostic (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_recipient_get_remote_mta (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_recipient_get_command (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_recipient_get_reason (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_recipient_is_hard_bounce (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_recipient_get_retry (const SmtpcodesRecipient *recipient);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesVerdict *smtpcodes_recipient_get_verdict (const SmtpcodesRecipient *recipient);

SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReportReader *smtpcodes_report_reader_new (SmtpcodesRegistry *registry,
                                                    const char        *path,
                                                    GError           **error);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReportReader *smtpcodes_report_reader_new_for_data (SmtpcodesRegistry *registry,
                                                             GBytes            *data);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReport *smtpcodes_report_reader_next (SmtpcodesReportReader *reader,
                                               GError               **error);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_report_reader_get_source (const SmtpcodesReportReader *reader);
SMTPCODES_AVAILABLE_IN_1_0
void smtpcodes_report_reader_free (SmtpcodesReportReader *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmtpcodesReport, smtpcodes_report_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmtpcodesReportReader, smtpcodes_report_reader_free)

G_END_DECLS
