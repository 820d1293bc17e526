#pragma once
#if !defined (SMTPCODES_INSIDE) && !defined (SMTPCODES_COMPILATION)
#error "Include <libsmtpcodes/smtpcodes.h> instead."
#endif

#include <libsmtpcodes/smtpcodes-registry.h>

G_BEGIN_DECLS

/**
 * SECTION:smtpcodes-reply
 * @title: SmtpcodesReply
 * @short_description: SMTP replies, bare or embedded in logs and bounces
 *
 * smtpcodes_reply_parse() reads an RFC 5321 reply (single or multi-line,
 * with an RFC 2034 enhanced status code) or a reply embedded in the text
 * around it: mail log lines, bounce texts, `Diagnostic-Code:` fields.
 */

/**
 * SmtpcodesReply:
 *
 * An opaque, immutable, reference-counted parsed reply.
 *
 * Since: 1.0
 */

/**
 * SMTPCODES_REPLY_MAX_LENGTH:
 *
 * The longest input smtpcodes_reply_parse() accepts, in bytes (1 MiB).
 *
 * Since: 1.0
 */
#define SMTPCODES_REPLY_MAX_LENGTH (1024 * 1024)

SMTPCODES_AVAILABLE_IN_1_0
GType smtpcodes_reply_get_type (void) G_GNUC_CONST;
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReply *smtpcodes_reply_parse (const char *text, gssize length, GError **error);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReply *smtpcodes_reply_new (int         code,
                                     const char *enhanced,
                                     const char *text,
                                     const char *command,
                                     const char *remote_host,
                                     GError    **error);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReply *smtpcodes_reply_ref (SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
void smtpcodes_reply_unref (SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
int smtpcodes_reply_get_code (const SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_reply_get_enhanced (const SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_reply_get_text (const SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_reply_get_command (const SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_reply_get_remote_host (const SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_reply_get_context (const SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_reply_get_input (const SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
guint smtpcodes_reply_get_n_lines (const SmtpcodesReply *reply);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_reply_is_code_only (const SmtpcodesReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmtpcodesReply, smtpcodes_reply_unref)

G_END_DECLS
