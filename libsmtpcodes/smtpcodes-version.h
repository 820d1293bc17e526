#pragma once
#if !defined (SMTPCODES_INSIDE) && !defined (SMTPCODES_COMPILATION)
#error "Include <libsmtpcodes/smtpcodes.h> instead."
#endif

#include <glib.h>
#include <glib-object.h>

/**
 * SECTION:smtpcodes-version
 * @title: Versions
 * @short_description: API version macros
 */

#define SMTPCODES_MAJOR_VERSION 1
#define SMTPCODES_MINOR_VERSION 0

#ifndef _SMTPCODES_EXTERN
# define _SMTPCODES_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * SMTPCODES_AVAILABLE_IN_1_0:
 *
 * Marks a symbol that is public API since 1.0.
 */
#define SMTPCODES_AVAILABLE_IN_1_0 _SMTPCODES_EXTERN
