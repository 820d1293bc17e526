#pragma once
#if !defined (SMTPCODES_INSIDE) && !defined (SMTPCODES_COMPILATION)
#error "Include <libsmtpcodes/smtpcodes.h> instead."
#endif

#include <libsmtpcodes/smtpcodes-version.h>

G_BEGIN_DECLS

/**
 * SMTPCODES_ERROR:
 *
 * Error domain of libsmtpcodes. Errors in this domain are from the
 * #SmtpcodesError enumeration.
 *
 * Since: 1.0
 */
#define SMTPCODES_ERROR (smtpcodes_error_quark ())

/**
 * SmtpcodesError:
 * @SMTPCODES_ERROR_SYNTAX: a module line, or a reply, is not well formed
 * @SMTPCODES_ERROR_INVALID_CODE: a code is not a valid reply code or status code
 * @SMTPCODES_ERROR_UNKNOWN_KEY: a module uses a key the format does not define
 * @SMTPCODES_ERROR_DUPLICATE: a group or a key appears twice, or two modules share an Id
 * @SMTPCODES_ERROR_MISSING_TRANSLATION: a shipped module lacks a German text (strict mode)
 * @SMTPCODES_ERROR_FORMAT_VERSION: the module declares a format version this library cannot read
 * @SMTPCODES_ERROR_INVALID_VALUE: a key has a value outside its allowed set
 * @SMTPCODES_ERROR_MISSING_KEY: a required key is absent
 * @SMTPCODES_ERROR_IO: a module or input file could not be read
 * @SMTPCODES_ERROR_NO_CODE: the text holds no reply code or status code
 * @SMTPCODES_ERROR_TOO_LONG: the input is longer than the parser accepts
 *
 * Error codes of the %SMTPCODES_ERROR domain. The enumeration may grow.
 *
 * Since: 1.0
 */
typedef enum {
  SMTPCODES_ERROR_SYNTAX,
  SMTPCODES_ERROR_INVALID_CODE,
  SMTPCODES_ERROR_UNKNOWN_KEY,
  SMTPCODES_ERROR_DUPLICATE,
  SMTPCODES_ERROR_MISSING_TRANSLATION,
  SMTPCODES_ERROR_FORMAT_VERSION,
  SMTPCODES_ERROR_INVALID_VALUE,
  SMTPCODES_ERROR_MISSING_KEY,
  SMTPCODES_ERROR_IO,
  SMTPCODES_ERROR_NO_CODE,
  SMTPCODES_ERROR_TOO_LONG
} SmtpcodesError;

SMTPCODES_AVAILABLE_IN_1_0
GQuark smtpcodes_error_quark (void);

G_END_DECLS
