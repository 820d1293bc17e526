/* libsmtpcodes - what every SMTP reply means
 *
 * The one header applications include: <libsmtpcodes/smtpcodes.h>.
 */
#pragma once

#define SMTPCODES_INSIDE
#include <libsmtpcodes/smtpcodes-version.h>
#include <libsmtpcodes/smtpcodes-error.h>
#include <libsmtpcodes/smtpcodes-registry.h>
#include <libsmtpcodes/smtpcodes-reply.h>
#include <libsmtpcodes/smtpcodes-verdict.h>
#include <libsmtpcodes/smtpcodes-report.h>
#undef SMTPCODES_INSIDE
