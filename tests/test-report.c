/* tests of the bounce analyser (smtpcodes-report.c), on bounces written for these tests */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsmtpcodes/smtpcodes.h>

static SmtpcodesRegistry *reg;

static SmtpcodesReport *
parse_fixture (const char *name)
{
  char *path = g_test_build_filename (G_TEST_DIST, "data", "bounces", name, NULL);
  char *data = NULL;
  gsize len = 0;
  GError *error = NULL;
  SmtpcodesReport *rep;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  rep = smtpcodes_report_parse (reg, data, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rep);
  g_free (data);
  g_free (path);
  return rep;
}

static void
check_rcpt (const SmtpcodesReport *rep, guint i, const char *addr, const char *status, int code,
            const char *reason, gboolean hard)
{
  const SmtpcodesRecipient *r = smtpcodes_report_get_recipient (rep, i);
  g_assert_cmpstr (smtpcodes_recipient_get_address (r), ==, addr);
  g_assert_cmpstr (smtpcodes_recipient_get_status (r), ==, status);
  g_assert_cmpint (smtpcodes_recipient_get_reply_code (r), ==, code);
  g_assert_cmpstr (smtpcodes_recipient_get_reason (r), ==, reason);
  g_assert_cmpint (smtpcodes_recipient_is_hard_bounce (r), ==, hard);
  g_assert_nonnull (smtpcodes_recipient_get_verdict (r));
}

static void
test_dsn_two (void)
{
  SmtpcodesReport *rep = parse_fixture ("dsn-two-recipients.eml");
  const SmtpcodesRecipient *r;
  char *text;

  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpstr (smtpcodes_report_get_format (rep), ==, "rfc3464");
  g_assert_cmpstr (smtpcodes_report_get_reporting_mta (rep), ==, "mx.example.org");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "nobody@example.net", "5.1.1", 550, "userunknown", TRUE);
  check_rcpt (rep, 1, "full@example.com", "5.2.2", 552, "mailboxfull", FALSE);
  r = smtpcodes_report_get_recipient (rep, 0);
  g_assert_cmpstr (smtpcodes_recipient_get_action (r), ==, "failed");
  g_assert_cmpstr (smtpcodes_recipient_get_remote_mta (r), ==, "mx.example.net");
  g_assert_cmpstr (smtpcodes_recipient_get_original_address (r), ==, "nobody@example.net");
  g_assert_nonnull (strstr (smtpcodes_recipient_get_diagnostic (r), "User unknown in local recipient table"));
  g_assert_false (smtpcodes_recipient_get_retry (r));
  text = smtpcodes_verdict_get_explanation (smtpcodes_recipient_get_verdict (r), "de");
  g_assert_nonnull (text);
  g_assert_cmpstr (text, !=, "");
  g_free (text);
  /* a recipient keeps its report alive */
  r = smtpcodes_recipient_ref ((SmtpcodesRecipient *) r);
  smtpcodes_report_unref (rep);
  g_assert_cmpstr (smtpcodes_recipient_get_status (r), ==, "5.1.1");
  smtpcodes_recipient_unref ((SmtpcodesRecipient *) r);
}

static void
test_global (void)
{
  SmtpcodesReport *rep = parse_fixture ("global-dsn.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "jürgen@bücher.example", "5.1.1", 550, "userunknown", TRUE);
  smtpcodes_report_unref (rep);
}

static void
test_qmail (void)
{
  SmtpcodesReport *rep = parse_fixture ("qmail.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpstr (smtpcodes_report_get_format (rep), ==, "text");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "gone@example.net", "5.1.1", 550, "userunknown", TRUE);
  smtpcodes_report_unref (rep);
}

static void
test_exim (void)
{
  SmtpcodesReport *rep = parse_fixture ("exim.eml");
  const SmtpcodesRecipient *r;
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "blocked@example.net", "5.7.1", 554, "blocked", FALSE);
  r = smtpcodes_report_get_recipient (rep, 0);
  g_assert_cmpstr (smtpcodes_recipient_get_command (r), ==, "RCPT");
  smtpcodes_report_unref (rep);
}

/* "Status: 5.4.4 (comment)": the code is read without the comment after it */
static void
test_status_comment (void)
{
  SmtpcodesReport *rep = parse_fixture ("status-comment.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@unknown-host.example", "5.4.4", 0, "hostunknown", TRUE);
  smtpcodes_report_unref (rep);
}

/* a nested multipart whose boundary parameter sits on an unfolded line: its text is
 * still read */
static void
test_unfolded_boundary (void)
{
  SmtpcodesReport *rep = parse_fixture ("unfolded-boundary.eml");
  const SmtpcodesRecipient *r;
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  r = smtpcodes_report_get_recipient (rep, 0);
  g_assert_cmpstr (smtpcodes_recipient_get_address (r), ==, "5550100@mms.example.net");
  g_assert_cmpint (smtpcodes_recipient_get_reply_code (r), ==, 550);
  smtpcodes_report_unref (rep);
}

/* a recipient named mid-sentence; the returned message after "----- Original message -----"
 * is not read as part of the notice */
static void
test_mid_sentence (void)
{
  SmtpcodesReport *rep = parse_fixture ("mid-sentence.eml");
  const SmtpcodesRecipient *r;
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.net", "5.4.6", 554, "networkerror", FALSE);
  r = smtpcodes_report_get_recipient (rep, 0);
  g_assert_null (strstr (smtpcodes_recipient_get_diagnostic (r), "dmarc"));
  smtpcodes_report_unref (rep);
}

/* To:/CC:/Date:/Subject: lines quoted in a notice are no returned message (it would
 * have a From: or Received:), so the text after them is still read */
static void
test_quoted_fields (void)
{
  SmtpcodesReport *rep = parse_fixture ("quoted-fields.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.net", "5.0.980", 550, "spamdetected", FALSE);
  smtpcodes_report_unref (rep);
}

/* Sendmail V5: "554 <a@b>... 550 Host unknown" names the recipient; 554 is Sendmail's
 * own code, the remote reply follows the dots */
static void
test_sendmail_v5 (void)
{
  SmtpcodesReport *rep = parse_fixture ("sendmail-v5.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "bob@nowhere.example", "5.0.912", 550, "hostunknown", TRUE);
  check_rcpt (rep, 1, "carol@gone.example", "5.0.912", 550, "hostunknown", TRUE);
  smtpcodes_report_unref (rep);
}

/* Exim: "A message sent by <a@b>" names the sender; "a@b:" heading an error names a
 * recipient even when it is the notice's addressee (a list sending to its owner) */
static void
test_exim_self (void)
{
  SmtpcodesReport *rep = parse_fixture ("exim-self.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "alice@example.org", "5.7.1", 550, "spamdetected", FALSE);
  smtpcodes_report_unref (rep);
}

/* Amazon SES notifications in JSON, bare or in the SNS envelope */
static void
test_ses_json (void)
{
  SmtpcodesReport *rep = parse_fixture ("ses-bounce.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpstr (smtpcodes_report_get_format (rep), ==, "json");
  g_assert_cmpstr (smtpcodes_report_get_reporting_mta (rep), ==, "out-1.example.com");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "bob@example.net", "5.1.1", 550, "userunknown", TRUE);
  check_rcpt (rep, 1, "carol@example.net", "5.2.2", 552, "mailboxfull", FALSE);
  smtpcodes_report_unref (rep);

  rep = parse_fixture ("ses-envelope.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_DELIVERY);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "dave@example.net", "2.6.0", 250, "delivered", FALSE);
  smtpcodes_report_unref (rep);
}

/* Microsoft's junk mail reports: the returned message names the complaining recipient */
static void
test_jmrp (void)
{
  SmtpcodesReport *rep = parse_fixture ("jmrp.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_FEEDBACK);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "erin@example.com", "", 0, "feedback", FALSE);
  smtpcodes_report_unref (rep);
}

static const char *
command_of (const SmtpcodesReport *rep, guint i)
{
  return smtpcodes_recipient_get_command (smtpcodes_report_get_recipient (rep, i));
}

/* Exim: a refusal of the connection that names no cause is a block; one of MAIL FROM a
 * refusal of the sender, and the recipient itself was never tried (status on hold); an
 * expiry without a code failed after temporary errors */
static void
test_exim_stages (void)
{
  SmtpcodesReport *rep = parse_fixture ("exim-connect.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 3);
  check_rcpt (rep, 0, "bob@example.net", "5.0.971", 550, "blocked", FALSE);
  g_assert_cmpstr (command_of (rep, 0), ==, "CONNECT");
  check_rcpt (rep, 1, "carol@example.com", "5.0.901", 550, "rejected", FALSE);
  g_assert_cmpstr (command_of (rep, 1), ==, "MAIL");
  check_rcpt (rep, 2, "dave@example.com", "4.0.947", 0, "expired", FALSE);
  smtpcodes_report_unref (rep);
}

/* the command the reply answered is read from the notice when the Diagnostic-Code does
 * not say; a bad-address code (qmail's "#5.1.1") yields to wording that names the cause */
static void
test_notice_command (void)
{
  SmtpcodesReport *rep = parse_fixture ("postfix-mail-from.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "bob@example.net", "5.7.1", 550, "rejected", FALSE);
  g_assert_cmpstr (command_of (rep, 0), ==, "MAIL");
  check_rcpt (rep, 1, "carol@example.com", "5.1.1", 552, "mailboxfull", FALSE);
  smtpcodes_report_unref (rep);
}

/* Diagnostic-Code type X-Unix: a local delivery program failed; a delay with a vague
 * status expired; "522" is no SMTP reply code */
static void
test_local_program (void)
{
  SmtpcodesReport *rep = parse_fixture ("local-program.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 3);
  check_rcpt (rep, 0, "bob@example.org", "4.3.0", 0, "mailererror", FALSE);
  check_rcpt (rep, 1, "carol@example.net", "4.4.0", 450, "expired", FALSE);
  check_rcpt (rep, 2, "dave@example.net", "5.2.0", 0, "filtered", FALSE);
  smtpcodes_report_unref (rep);
}

/* Sendmail's own "550 5.1.1 <a@b>... User unknown" after the quoted remote reply is not
 * the remote server's wording */
static void
test_sendmail_transcript (void)
{
  SmtpcodesReport *rep = parse_fixture ("sendmail-transcript.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.com", "5.1.3", 553, "blocked", FALSE);
  smtpcodes_report_unref (rep);

  /* the session with the next host, below a recipient's line, is not about it */
  rep = parse_fixture ("transcript-hosts.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "ann@gone.example.net", "5.0.912", 550, "hostunknown", TRUE);
  g_assert_null (command_of (rep, 0));
  check_rcpt (rep, 1, "ben@example.com", "5.0.944", 0, "networkerror", FALSE);
  smtpcodes_report_unref (rep);
}

/* a prose notice that calls the failure temporary gets a temporary pseudo status; a
 * failure nothing explains is on hold */
static void
test_pseudo_class (void)
{
  SmtpcodesReport *rep = parse_fixture ("delay-prose.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.net", "4.0.947", 0, "expired", FALSE);
  smtpcodes_report_unref (rep);
  rep = parse_fixture ("unexplained.eml");
  check_rcpt (rep, 0, "bob@example.net", "5.0.0", 550, "onhold", FALSE);
  /* a temporary "other" status of a subject (4.3.0) names no cause either */
  check_rcpt (rep, 1, "carol@example.net", "4.3.0", 451, "onhold", FALSE);
  smtpcodes_report_unref (rep);
}

/* a relay's summary that quotes the remote reply in angle brackets: the inner reply's
 * code and status are the recipient's */
static void
test_relay_summary (void)
{
  SmtpcodesReport *rep = parse_fixture ("relay-summary.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "bob@example.net", "4.4.2", 421, "expired", FALSE);
  check_rcpt (rep, 1, "carol@example.net", "5.1.6", 551, "hasmoved", TRUE);
  smtpcodes_report_unref (rep);
}

/* a notice that only passes on another delivery report: that report is read */
static void
test_forwarded_report (void)
{
  SmtpcodesReport *rep = parse_fixture ("forwarded-report.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpstr (smtpcodes_report_get_format (rep), ==, "rfc3464");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.net", "5.1.1", 550, "userunknown", TRUE);
  g_assert_cmpstr (smtpcodes_report_get_message_id (rep), ==, "fr1@gw.example.org");
  smtpcodes_report_unref (rep);
}

/* report fields written into the text, groups not separated by blank lines: the text
 * about one recipient ends where another recipient is named */
static void
test_fields_in_text (void)
{
  SmtpcodesReport *rep = parse_fixture ("fields-in-text.eml");
  g_assert_cmpstr (smtpcodes_report_get_format (rep), ==, "rfc3464-text");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 3);
  check_rcpt (rep, 0, "bob@example.net", "5.1.1", 550, "userunknown", TRUE);
  check_rcpt (rep, 1, "carol@example.net", "4.0.0", 0, "expired", FALSE);
  check_rcpt (rep, 2, "dave@example.com", "5.2.2", 552, "mailboxfull", FALSE);
  smtpcodes_report_unref (rep);
}

/* ISO-2022-JP text that does not declare its charset (a Diagnostic-Code in a
 * delivery-status part) is decoded, so its wording can be read */
static void
test_undeclared_jis (void)
{
  SmtpcodesReport *rep = parse_fixture ("iso-2022-jp.eml");
  const SmtpcodesRecipient *r;
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.co.jp", "5.0.0", 0, "userunknown", TRUE);
  r = smtpcodes_report_get_recipient (rep, 0);
  g_assert_nonnull (strstr (smtpcodes_recipient_get_diagnostic (r), "ディレクトリ"));
  smtpcodes_report_unref (rep);
}

/* a gateway's failure notice from a personal sender name: the subject says what it is,
 * and the returned headers name the recipient */
static void
test_gateway_ndr (void)
{
  SmtpcodesReport *rep = parse_fixture ("gateway-ndr.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "5550100@mms.example.net", "5.0.911", 0, "userunknown", TRUE);
  smtpcodes_report_unref (rep);
}

/* a notice that only lists the recipient says nothing about the cause: undefined, not
 * on hold */
static void
test_bare_list (void)
{
  SmtpcodesReport *rep = parse_fixture ("bare-list.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.net", "5.0.900", 0, "undefined", FALSE);
  smtpcodes_report_unref (rep);
}

/* an expiry (X.4.7) with a history of attempts: the last attempt's status names what
 * kept failing */
static void
test_expired_history (void)
{
  SmtpcodesReport *rep = parse_fixture ("expired-history.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.net", "4.4.1", 0, "expired", FALSE);
  smtpcodes_report_unref (rep);
}

/* a single recipient's report without a Diagnostic-Code: the notice states the cause
 * above the line that names the recipient */
static void
test_cause_above (void)
{
  SmtpcodesReport *rep = parse_fixture ("cause-above.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@mobile.example.jp", "5.0.0", 550, "suspend", FALSE);
  smtpcodes_report_unref (rep);
}

/* a notice that returns the message from a no-reply address under a subject in another
 * language is still a bounce; a person's forward of a message is not */
static void
test_returned_message (void)
{
  SmtpcodesReport *rep = parse_fixture ("carrier-notice.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@carrier.example.jp", "5.0.922", 0, "mailboxfull", FALSE);
  smtpcodes_report_unref (rep);
  rep = parse_fixture ("forwarded-message.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_NOT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 0);
  smtpcodes_report_unref (rep);
}

/* the header of the returned message names the recipient, also when its To: is folded;
 * a returned message is read up to the delimiter that ends it, not one that only begins
 * like it, and the report after it still counts */
static void
test_returned_header (void)
{
  SmtpcodesReport *rep = parse_fixture ("headers-folded.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.net", "5.0.922", 0, "mailboxfull", FALSE);
  smtpcodes_report_unref (rep);
  rep = parse_fixture ("returned-before-report.eml");
  g_assert_cmpstr (smtpcodes_report_get_format (rep), ==, "rfc3464");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "carol@example.net", "5.1.1", 550, "userunknown", TRUE);
  smtpcodes_report_unref (rep);
}

/* a bare reply code ("500", a syntax error) yields to wording that names the cause */
static void
test_bare_reply (void)
{
  SmtpcodesReport *rep = parse_fixture ("bare-reply.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "bob@example.net", "5.0.934", 500, "mesgtoobig", FALSE);
  smtpcodes_report_unref (rep);
}

/* "User Unknown" under a mailbox status (X.2.1): a filter's refusal unless it answered
 * RCPT TO ("does not like recipient" says so in a qmail notice) */
static void
test_mailbox_status (void)
{
  SmtpcodesReport *rep = parse_fixture ("mailbox-status.eml");
  check_rcpt (rep, 0, "bob@example.net", "5.2.1", 550, "filtered", FALSE);
  smtpcodes_report_unref (rep);
  rep = parse_fixture ("qmail-x21.eml");
  check_rcpt (rep, 0, "carol@example.net", "5.2.1", 550, "userunknown", TRUE);
  g_assert_cmpstr (command_of (rep, 0), ==, "RCPT");
  smtpcodes_report_unref (rep);
}

/* "User unknown" in a report that ties it to the address by nothing (no address in the
 * reply, no command, no X.1.Y status) is a filter's refusal; naming the address makes it
 * a verdict on the address */
static void
test_address_unnamed (void)
{
  SmtpcodesReport *rep = parse_fixture ("address-unnamed.eml");
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "ken@mobile.example.jp", "5.0.0", 550, "filtered", FALSE);
  check_rcpt (rep, 1, "yui@mobile.example.jp", "5.0.0", 550, "userunknown", TRUE);
  smtpcodes_report_unref (rep);
}

static void
test_not_bounces (void)
{
  SmtpcodesReport *rep = parse_fixture ("autoreply.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_AUTOREPLY);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  g_assert_cmpstr (smtpcodes_recipient_get_reason (smtpcodes_report_get_recipient (rep, 0)), ==, "vacation");
  smtpcodes_report_unref (rep);

  rep = parse_fixture ("arf.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_FEEDBACK);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "carol@example.net", "", 0, "feedback", FALSE);
  smtpcodes_report_unref (rep);

  rep = parse_fixture ("delayed.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_DELAY);
  g_assert_cmpstr (smtpcodes_recipient_get_action (smtpcodes_report_get_recipient (rep, 0)), ==, "delayed");
  g_assert_false (smtpcodes_recipient_is_hard_bounce (smtpcodes_report_get_recipient (rep, 0)));
  smtpcodes_report_unref (rep);

  rep = parse_fixture ("delivered.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_DELIVERY);
  check_rcpt (rep, 0, "bob@example.net", "2.0.0", 250, "delivered", FALSE);
  smtpcodes_report_unref (rep);

  rep = parse_fixture ("plain-message.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_NOT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 0);
  smtpcodes_report_unref (rep);
}

/* ---- bad input: an error or an honest "not a bounce", never a crash or a hang ---- */

static void
test_bad_empty (void)
{
  GError *error = NULL;
  g_assert_null (smtpcodes_report_parse (reg, "", 0, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX);
  g_clear_error (&error);
  g_assert_null (smtpcodes_report_parse (reg, "\n\r\n", 3, &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX);
  g_clear_error (&error);
}

static void
test_bad_garbage (void)
{
  GRand *rand = g_rand_new_with_seed (5);
  for (int round = 0; round < 50; round++)
    {
      gsize len = (gsize) g_rand_int_range (rand, 1, 20000);
      guint8 *buf = g_malloc (len);
      GError *error = NULL;
      SmtpcodesReport *rep;
      for (gsize i = 0; i < len; i++)
        buf[i] = (guint8) g_rand_int_range (rand, 0, 256);
      if (round % 2)
        memcpy (buf, "From: x@example.org\nContent-Type: multipart/report; boundary=x\n\n--x\n",
                MIN (len, 68));
      rep = smtpcodes_report_parse (reg, (const char *) buf, len, &error);
      if (rep == NULL)
        {
          g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX);
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          for (guint i = 0; i < smtpcodes_report_get_n_recipients (rep); i++)
            g_assert_nonnull (smtpcodes_recipient_get_reason (smtpcodes_report_get_recipient (rep, i)));
          smtpcodes_report_unref (rep);
        }
      g_free (buf);
    }
  g_rand_free (rand);

  /* JSON notifications cut short, nested deeply or with stray bytes */
  {
    static const char *const bodies[] = {
      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":\"a@example.net\",\"status\":\"5.1.1",
      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
      "{\"notificationType\":\"Delivery\",\"delivery\":{\"recipients\":[\"\\u12\",7,null,{}],\"smtpResponse\":\"\\",
      "{\"Message\":\"{\\\"notificationType\\\":\\\"Complaint\\\",\\\"complaint\\\":{\\\"complainedRecipients\\\":[{}]}}\"}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        char *msg = g_strconcat ("From: n@example.org\nSubject: n\n\n", bodies[i], NULL);
        GError *error = NULL;
        SmtpcodesReport *rep = smtpcodes_report_parse (reg, msg, strlen (msg), &error);
        g_assert_no_error (error);
        g_assert_nonnull (rep);
        smtpcodes_report_unref (rep);
        g_free (msg);
      }
  }
}

/* every fixture cut, flipped, repeated and salted with structure: no crash, no hang */
static void
test_bad_mutated (void)
{
  char *dir = g_test_build_filename (G_TEST_DIST, "data", "bounces", NULL);
  GDir *d = g_dir_open (dir, 0, NULL);
  GRand *rand = g_rand_new_with_seed (1234);
  static const char *const salt[] = { "<", "550 ", "<<< ", "Status: 5.", "\n--", "@", "\033$B",
                                      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[",
                                      "\n\n", "RCPT TO:", "\nX-Failed-Recipients: a@b.example\n" };
  const char *name;
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)))
    {
      char *path = g_build_filename (dir, name, NULL), *data = NULL;
      gsize len = 0;
      if (!g_str_has_suffix (name, ".eml") || !g_file_get_contents (path, &data, &len, NULL) || len < 2)
        {
          g_free (path);
          g_free (data);
          continue;
        }
      for (int round = 0; round < 12; round++)
        {
          GString *m = g_string_new_len (data, (gssize) len);
          GError *error = NULL;
          SmtpcodesReport *rep;
          switch (round % 4)
            {
            case 0:
              g_string_truncate (m, (gsize) g_rand_int_range (rand, 1, (gint32) len));
              break;
            case 1:
              for (int k = 0; k < 40; k++)
                m->str[g_rand_int_range (rand, 0, (gint32) m->len)] = (char) g_rand_int_range (rand, 1, 256);
              break;
            case 2:
              {
                gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) m->len);
                gsize n = MIN ((gsize) g_rand_int_range (rand, 1, 500), m->len - at);
                char *chunk = g_strndup (m->str + at, n);
                for (int k = 0; k < 20; k++)
                  g_string_insert (m, (gssize) at, chunk);
                g_free (chunk);
              }
              break;
            default:
              for (int k = 0; k < 25; k++)
                g_string_insert (m, g_rand_int_range (rand, 0, (gint32) m->len),
                                 salt[g_rand_int_range (rand, 0, G_N_ELEMENTS (salt))]);
            }
          rep = smtpcodes_report_parse (reg, m->str, m->len, &error);
          if (rep == NULL)
            g_clear_error (&error);
          else
            {
              for (guint i = 0; i < smtpcodes_report_get_n_recipients (rep); i++)
                {
                  const SmtpcodesRecipient *r = smtpcodes_report_get_recipient (rep, i);
                  g_assert_nonnull (smtpcodes_recipient_get_reason (r));
                  g_assert_nonnull (smtpcodes_recipient_get_status (r));
                }
              smtpcodes_report_unref (rep);
            }
          g_string_free (m, TRUE);
        }
      g_free (data);
      g_free (path);
    }
  g_dir_close (d);
  g_rand_free (rand);
  g_free (dir);
}

static void
test_bad_truncated (void)
{
  /* cut in the middle of the report: the notice text still names both recipients */
  SmtpcodesReport *rep = parse_fixture ("truncated-mime.eml");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "nobody@example.net", "5.1.1", 550, "userunknown", TRUE);
  smtpcodes_report_unref (rep);

  /* cut inside its header: what the header says is still read */
  rep = parse_fixture ("header-cut.eml");
  g_assert_cmpstr (smtpcodes_report_get_subject (rep), ==, "Mail delivery failed: returning message to sender");
  g_assert_cmpstr (smtpcodes_report_get_message_id (rep), ==, "E1uA2b3-0004Xy-7Q@mx.example.org");
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "gone@example.net", "5.0.900", 0, "undefined", FALSE);
  smtpcodes_report_unref (rep);

  /* every prefix of a report parses */
  {
    char *path = g_test_build_filename (G_TEST_DIST, "data", "bounces", "dsn-two-recipients.eml", NULL);
    char *data;
    gsize len;
    g_assert_true (g_file_get_contents (path, &data, &len, NULL));
    for (gsize cut = 1; cut < len; cut += 7)
      {
        GError *error = NULL;
        SmtpcodesReport *r = smtpcodes_report_parse (reg, data, cut, &error);
        if (r)
          smtpcodes_report_unref (r);
        g_clear_error (&error);
      }
    g_free (data);
    g_free (path);
  }
}

static void
test_bad_boundary (void)
{
  SmtpcodesReport *rep = parse_fixture ("missing-boundary.eml");
  /* the fields are still there, as text */
  g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_BOUNCE);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 2);
  check_rcpt (rep, 0, "nobody@example.net", "5.1.1", 550, "userunknown", TRUE);
  smtpcodes_report_unref (rep);
}

static void
test_bad_huge (void)
{
  /* 100 MB: a report, then a huge attachment; only the start is read */
  const char *head =
    "From: MAILER-DAEMON@mx.example.org\nTo: alice@example.org\nSubject: failure\n"
    "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
    "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
    "Final-Recipient: rfc822; big@example.net\nAction: failed\nStatus: 5.3.4\n"
    "Diagnostic-Code: smtp; 552 5.3.4 Message size exceeds fixed limit\n\n"
    "--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n";
  gsize len = 100u * 1024 * 1024, hl = strlen (head);
  char *buf = g_malloc (len);
  GError *error = NULL;
  SmtpcodesReport *rep;
  gint64 t0;

  memcpy (buf, head, hl);
  for (gsize i = hl; i < len; i++)
    buf[i] = (i % 77 == 76) ? '\n' : 'A';
  t0 = g_get_monotonic_time ();
  rep = smtpcodes_report_parse (reg, buf, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (smtpcodes_report_get_n_recipients (rep), ==, 1);
  check_rcpt (rep, 0, "big@example.net", "5.3.4", 552, "mesgtoobig", FALSE);
  smtpcodes_report_unref (rep);

  /* 100 MB of one header line without a break */
  memset (buf, 'x', len);
  memcpy (buf, "X-Long: ", 8);
  rep = smtpcodes_report_parse (reg, buf, len, &error);
  if (rep)
    {
      g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_NOT_BOUNCE);
      smtpcodes_report_unref (rep);
    }
  g_clear_error (&error);
  g_free (buf);
}

/* ---- reader ---- */

static guint
count_reports (const char *path, guint *n_rcpts, guint *n_errors)
{
  GError *error = NULL;
  SmtpcodesReportReader *rd = smtpcodes_report_reader_new (reg, path, &error);
  SmtpcodesReport *rep;
  guint n = 0;
  g_assert_no_error (error);
  *n_rcpts = *n_errors = 0;
  for (;;)
    {
      rep = smtpcodes_report_reader_next (rd, &error);
      if (rep == NULL && error == NULL)
        break;
      n++;
      if (rep == NULL)
        {
          (*n_errors)++;
          g_clear_error (&error);
          continue;
        }
      *n_rcpts += smtpcodes_report_get_n_recipients (rep);
      g_assert_nonnull (smtpcodes_report_reader_get_source (rd));
      smtpcodes_report_unref (rep);
    }
  smtpcodes_report_reader_free (rd);
  return n;
}

static void
test_reader (void)
{
  char *mbox = g_test_build_filename (G_TEST_DIST, "data", "bounces", "mbox", NULL);
  char *maildir = g_test_build_filename (G_TEST_DIST, "data", "bounces", "maildir", NULL);
  char *tmp = g_dir_make_tmp ("smtpcodes-report-XXXXXX", NULL);
  char *empty = g_build_filename (tmp, "empty.eml", NULL);
  GError *error = NULL;
  guint rcpts, errors;

  g_assert_cmpuint (count_reports (mbox, &rcpts, &errors), ==, 2);
  g_assert_cmpuint (rcpts, ==, 2);
  g_assert_cmpuint (errors, ==, 0);
  g_assert_cmpuint (count_reports (maildir, &rcpts, &errors), ==, 2);
  g_assert_cmpuint (rcpts, ==, 2);

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_cmpuint (count_reports (empty, &rcpts, &errors), ==, 1);
  g_assert_cmpuint (errors, ==, 1);

  g_assert_null (smtpcodes_report_reader_new (reg, "/nonexistent/smtpcodes-bounce", &error));
  g_assert_error (error, SMTPCODES_ERROR, SMTPCODES_ERROR_IO);
  g_clear_error (&error);

  {
    GBytes *b = g_bytes_new_static ("From: a@example.org\n\nhi\n", 24);
    SmtpcodesReportReader *rd = smtpcodes_report_reader_new_for_data (reg, b);
    SmtpcodesReport *rep = smtpcodes_report_reader_next (rd, &error);
    g_assert_no_error (error);
    g_assert_cmpint (smtpcodes_report_get_kind (rep), ==, SMTPCODES_REPORT_NOT_BOUNCE);
    smtpcodes_report_unref (rep);
    g_assert_null (smtpcodes_report_reader_next (rd, &error));
    g_assert_no_error (error);
    smtpcodes_report_reader_free (rd);
    g_bytes_unref (b);
  }

  g_unlink (empty);
  g_rmdir (tmp);
  g_free (empty);
  g_free (tmp);
  g_free (mbox);
  g_free (maildir);
}

static void
test_kind_names (void)
{
  g_assert_cmpstr (smtpcodes_report_kind_to_string (SMTPCODES_REPORT_BOUNCE), ==, "bounce");
  g_assert_cmpstr (smtpcodes_report_kind_to_string (SMTPCODES_REPORT_NOT_BOUNCE), ==, "not-bounce");
  g_assert_cmpstr (smtpcodes_report_kind_to_string (SMTPCODES_REPORT_FEEDBACK), ==, "feedback");
  g_assert_true (g_type_name (smtpcodes_report_get_type ()) != NULL);
  g_assert_true (g_type_name (smtpcodes_recipient_get_type ()) != NULL);
}

/* ---- what one thread keeps from message to message, and content read in place ---------- */

/* the report as one line, to compare two readings */
static char *
report_summary (const SmtpcodesReport *rep)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%s|%s|%s|%s", smtpcodes_report_kind_to_string (smtpcodes_report_get_kind (rep)),
                          smtpcodes_report_get_format (rep), smtpcodes_report_get_subject (rep),
                          smtpcodes_report_get_message_id (rep));
  for (guint i = 0; i < smtpcodes_report_get_n_recipients (rep); i++)
    {
      const SmtpcodesRecipient *r = smtpcodes_report_get_recipient (rep, i);
      g_string_append_printf (s, "|%s,%s,%s,%d,%s,%s", smtpcodes_recipient_get_address (r),
                              smtpcodes_recipient_get_original_address (r), smtpcodes_recipient_get_status (r),
                              smtpcodes_recipient_get_reply_code (r), smtpcodes_recipient_get_reason (r),
                              smtpcodes_recipient_get_diagnostic (r));
    }
  return g_string_free (s, FALSE);
}

static char *
summary_of (const char *data, gsize len)
{
  GError *error = NULL;
  SmtpcodesReport *rep = smtpcodes_report_parse (reg, data, len, &error);
  char *s;
  g_assert_no_error (error);
  g_assert_nonnull (rep);
  s = report_summary (rep);
  smtpcodes_report_unref (rep);
  return s;
}

static char *
fixture_summary (const char *name)
{
  SmtpcodesReport *rep = parse_fixture (name);
  char *s = report_summary (rep);
  smtpcodes_report_unref (rep);
  return s;
}

/* a delivery report whose parts are written with the given transfer encodings and notice
 * charset; pad lines of text make the notice longer */
static char *
report_with (const char *notice_cte, const char *notice_charset, const char *notice,
             const char *dsn_cte, const char *dsn, guint pad)
{
  GString *s = g_string_new (
    "From: MAILER-DAEMON@mx.example.org\nTo: alice@example.org\nSubject: Undelivered Mail\n"
    "Message-Id: <reuse@mx.example.org>\nMIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\n");
  g_string_append_printf (s, "Content-Type: text/plain; charset=%s\nContent-Transfer-Encoding: %s\n\n%s\n",
                          notice_charset, notice_cte, notice);
  for (guint i = 0; i < pad; i++)
    g_string_append (s, "This line only makes the notice longer than the buffer that is kept.\n");
  g_string_append_printf (s, "\n--B\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: %s\n\n%s\n",
                          dsn_cte, dsn);
  g_string_append (s, "--B\nContent-Type: message/rfc822\n\nFrom: alice@example.org\nTo: gone@example.net\n"
                      "Subject: hello\n\nhi\n--B--\n");
  return g_string_free (s, FALSE);
}

#define DSN_FIELDS "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; gone@example.net\n" \
                   "Action: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n"
#define NOTICE "<gone@example.net>: host mx.example.net said: 552 5.2.2 Mailbox full"

/* content without a transfer encoding is read in place (ASCII as it is, other text
 * converted from its charset); encoded content is decoded by GMime: the same report */
static void
test_content_in_place (void)
{
  char *dsn64 = g_base64_encode ((const guchar *) DSN_FIELDS, strlen (DSN_FIELDS));
  char *m7 = report_with ("7bit", "us-ascii", NOTICE, "7bit", DSN_FIELDS, 0);
  char *m8 = report_with ("8bit", "us-ascii", NOTICE, "binary", DSN_FIELDS, 0);
  char *mb = report_with ("quoted-printable", "us-ascii", NOTICE, "base64", dsn64, 0);
  char *s7 = summary_of (m7, strlen (m7)), *s8 = summary_of (m8, strlen (m8)), *sb = summary_of (mb, strlen (mb));
  char *latin, *latin_qp, *sl, *slq;
  g_assert_nonnull (strstr (s7, "gone@example.net"));
  g_assert_nonnull (strstr (s7, "mailboxfull"));
  g_assert_cmpstr (s7, ==, s8);
  g_assert_cmpstr (s7, ==, sb);
  /* an 8-bit notice in Latin-1, read in place and converted, as GMime's decoded copy is */
  latin = report_with ("8bit", "iso-8859-1", "<gone@example.net>: 550 5.1.1 Benutzer unbekannt, \xfc" "berpr\xfc" "fen",
                       "7bit", "Final-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1\n", 0);
  latin_qp = report_with ("quoted-printable", "iso-8859-1", "<gone@example.net>: 550 5.1.1 Benutzer unbekannt, =FCberpr=FC" "fen",
                          "7bit", "Final-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1\n", 0);
  sl = summary_of (latin, strlen (latin));
  slq = summary_of (latin_qp, strlen (latin_qp));
  g_assert_nonnull (strstr (sl, "\xc3\xbc" "berpr\xc3\xbc" "fen"));
  g_assert_cmpstr (sl, ==, slq);
  g_free (dsn64);
  g_free (m7);
  g_free (m8);
  g_free (mb);
  g_free (s7);
  g_free (s8);
  g_free (sb);
  g_free (latin);
  g_free (latin_qp);
  g_free (sl);
  g_free (slq);
}

/* The parser and copy buffer a thread keeps: a report read again after others (one that
 * passes a report on, read while the outer message's tree lives, and one too large for
 * the buffer that is kept) reads the same. */
static void
test_thread_buffers (void)
{
  char *small = report_with ("7bit", "us-ascii", NOTICE, "7bit", DSN_FIELDS, 0);
  char *large = report_with ("7bit", "us-ascii", NOTICE, "7bit", DSN_FIELDS, 2000);
  char *first = summary_of (small, strlen (small));
  char *fwd1 = fixture_summary ("forwarded-report.eml");
  char *big = summary_of (large, strlen (large));
  char *again, *fwd2;
  g_assert_cmpstr (strchr (big, '|'), ==, strchr (first, '|'));
  again = summary_of (small, strlen (small));
  fwd2 = fixture_summary ("forwarded-report.eml");
  g_assert_cmpstr (first, ==, again);
  g_assert_cmpstr (fwd1, ==, fwd2);
  g_assert_nonnull (strstr (fwd1, "bob@example.net"));
  g_free (small);
  g_free (large);
  g_free (first);
  g_free (fwd1);
  g_free (fwd2);
  g_free (big);
  g_free (again);
}

typedef struct {
  const char *msgs[3];
  char       *want[3];
  gint        bad;
} ThreadWork;

static gpointer
parse_worker (gpointer data)
{
  ThreadWork *w = data;
  for (guint round = 0; round < 20; round++)
    for (guint i = 0; i < G_N_ELEMENTS (w->msgs); i++)
      {
        SmtpcodesReport *rep = smtpcodes_report_parse (reg, w->msgs[i], strlen (w->msgs[i]), NULL);
        char *s = rep ? report_summary (rep) : NULL;
        if (g_strcmp0 (s, w->want[i]) != 0)
          g_atomic_int_inc (&w->bad);
        g_free (s);
        if (rep)
          smtpcodes_report_unref (rep);
      }
  return NULL;
}

/* each thread keeps its own parser and buffer */
static void
test_parse_threads (void)
{
  ThreadWork w = { { NULL } };
  char *path = g_test_build_filename (G_TEST_DIST, "data", "bounces", "forwarded-report.eml", NULL);
  char *fwd = NULL, *small, *large;
  GThread *threads[4];
  g_assert_true (g_file_get_contents (path, &fwd, NULL, NULL));
  small = report_with ("7bit", "us-ascii", NOTICE, "7bit", DSN_FIELDS, 0);
  large = report_with ("7bit", "us-ascii", NOTICE, "7bit", DSN_FIELDS, 1200);
  w.msgs[0] = small;
  w.msgs[1] = fwd;
  w.msgs[2] = large;
  for (guint i = 0; i < G_N_ELEMENTS (w.msgs); i++)
    w.want[i] = summary_of (w.msgs[i], strlen (w.msgs[i]));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("parse", parse_worker, &w);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (w.bad, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (w.msgs); i++)
    g_free (w.want[i]);
  g_free (small);
  g_free (large);
  g_free (fwd);
  g_free (path);
}

/* the returned headers (text/rfc822-headers) name the recipient in To:, also after a
 * blank line and on a last line without a line break */
static void
test_rfc822_headers_to (void)
{
  static const char *const bodies[] = { "From: alice@example.org\nTo: <gone@example.net>\nSubject: hi\n",
                                        "\nSubject: hi\nTo: <gone@example.net>\n",
                                        "\nSubject: hi\nTo: <gone@example.net>" };
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      char *m = g_strdup_printf (
        "From: MAILER-DAEMON@mx.example.org\nTo: alice@example.org\nSubject: Undelivered Mail\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
        "--B\nContent-Type: text/plain\n\nThe message could not be delivered: 550 5.1.1 user unknown\n\n"
        "--B\nContent-Type: text/rfc822-headers\n\n%s\n--B--\n", bodies[i]);
      char *s = summary_of (m, strlen (m));
      g_assert_nonnull (strstr (s, "|gone@example.net,"));
      g_free (s);
      g_free (m);
    }
}

int
main (int argc, char **argv)
{
  int rc;
  char *dir;
  const char *path[2];
  GError *error = NULL;

  g_test_init (&argc, &argv, NULL);
  /* the vendor modules and the wording of bounce notices take part, as they do once
   * installed */
  dir = g_test_build_filename (G_TEST_DIST, "..", "data", "modules", NULL);
  path[0] = dir;
  path[1] = NULL;
  reg = smtpcodes_registry_new (path, SMTPCODES_LOAD_STRICT, &error);
  g_assert_no_error (error);
  g_free (dir);
  g_test_add_func ("/report/dsn/two-recipients", test_dsn_two);
  g_test_add_func ("/report/dsn/global", test_global);
  g_test_add_func ("/report/text/qmail", test_qmail);
  g_test_add_func ("/report/text/exim", test_exim);
  g_test_add_func ("/report/dsn/status-comment", test_status_comment);
  g_test_add_func ("/report/text/unfolded-boundary", test_unfolded_boundary);
  g_test_add_func ("/report/text/mid-sentence", test_mid_sentence);
  g_test_add_func ("/report/text/quoted-fields", test_quoted_fields);
  g_test_add_func ("/report/text/sendmail-v5", test_sendmail_v5);
  g_test_add_func ("/report/text/exim-self", test_exim_self);
  g_test_add_func ("/report/json/ses", test_ses_json);
  g_test_add_func ("/report/arf/jmrp", test_jmrp);
  g_test_add_func ("/report/reason/exim-stages", test_exim_stages);
  g_test_add_func ("/report/reason/notice-command", test_notice_command);
  g_test_add_func ("/report/reason/local-program", test_local_program);
  g_test_add_func ("/report/reason/sendmail-transcript", test_sendmail_transcript);
  g_test_add_func ("/report/reason/pseudo-class", test_pseudo_class);
  g_test_add_func ("/report/dsn/relay-summary", test_relay_summary);
  g_test_add_func ("/report/dsn/forwarded", test_forwarded_report);
  g_test_add_func ("/report/dsn/fields-in-text", test_fields_in_text);
  g_test_add_func ("/report/dsn/undeclared-jis", test_undeclared_jis);
  g_test_add_func ("/report/text/gateway-ndr", test_gateway_ndr);
  g_test_add_func ("/report/text/bare-list", test_bare_list);
  g_test_add_func ("/report/dsn/expired-history", test_expired_history);
  g_test_add_func ("/report/dsn/cause-above", test_cause_above);
  g_test_add_func ("/report/text/returned-message", test_returned_message);
  g_test_add_func ("/report/text/returned-header", test_returned_header);
  g_test_add_func ("/report/reason/bare-reply", test_bare_reply);
  g_test_add_func ("/report/reason/mailbox-status", test_mailbox_status);
  g_test_add_func ("/report/reason/address-unnamed", test_address_unnamed);
  g_test_add_func ("/report/not-bounces", test_not_bounces);
  g_test_add_func ("/report/bad/empty", test_bad_empty);
  g_test_add_func ("/report/bad/garbage", test_bad_garbage);
  g_test_add_func ("/report/bad/truncated", test_bad_truncated);
  g_test_add_func ("/report/bad/mutated", test_bad_mutated);
  g_test_add_func ("/report/bad/missing-boundary", test_bad_boundary);
  g_test_add_func ("/report/bad/huge", test_bad_huge);
  g_test_add_func ("/report/reader", test_reader);
  g_test_add_func ("/report/kind-names", test_kind_names);
  g_test_add_func ("/report/reuse/content-in-place", test_content_in_place);
  g_test_add_func ("/report/reuse/thread-buffers", test_thread_buffers);
  g_test_add_func ("/report/reuse/threads", test_parse_threads);
  g_test_add_func ("/report/text/rfc822-headers-to", test_rfc822_headers_to);
  rc = g_test_run ();
  smtpcodes_registry_unref (reg);
  return rc;
}
