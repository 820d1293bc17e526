#pragma once
#if !defined (SMTPCODES_INSIDE) && !defined (SMTPCODES_COMPILATION)
#error "Include <libsmtpcodes/smtpcodes.h> instead."
#endif

#include <libsmtpcodes/smtpcodes-version.h>

G_BEGIN_DECLS

/**
 * SECTION:smtpcodes-registry
 * @title: SmtpcodesRegistry
 * @short_description: the loaded, immutable set of code meanings
 *
 * A registry holds every data module that was loaded: the built-in
 * standard sets and the modules found on the search path. It is built
 * once and never changes afterwards; it is reference-counted and may be
 * used from any number of threads at once without locking.
 *
 * Thread safety: every function of this section may be called from any
 * thread on a registry shared between threads.
 */

/**
 * SmtpcodesRegistry:
 *
 * An opaque, immutable, reference-counted set of data modules.
 *
 * Since: 1.0
 */
typedef struct _SmtpcodesRegistry SmtpcodesRegistry;

/**
 * SmtpcodesModule:
 *
 * One loaded data module, owned by its registry.
 *
 * Since: 1.0
 */
typedef struct _SmtpcodesModule SmtpcodesModule;

/**
 * SmtpcodesEntry:
 *
 * One meaning from a data module: a reply code, a status code, a pair,
 * or a text pattern. Owned by its registry; smtpcodes_entry_ref() keeps
 * the registry alive.
 *
 * Since: 1.0
 */
typedef struct _SmtpcodesEntry SmtpcodesEntry;

typedef struct _SmtpcodesReply SmtpcodesReply;

/**
 * SmtpcodesLoadFlags:
 * @SMTPCODES_LOAD_DEFAULT: built-in modules plus the search path; a bad module is skipped
 * @SMTPCODES_LOAD_STRICT: any defect of any module is fatal, and a missing German text is a defect
 * @SMTPCODES_LOAD_NO_BUILTIN: do not load the built-in modules
 *
 * How smtpcodes_registry_new() loads modules.
 *
 * Since: 1.0
 */
typedef enum {
  SMTPCODES_LOAD_DEFAULT    = 0,
  SMTPCODES_LOAD_STRICT     = 1 << 0,
  SMTPCODES_LOAD_NO_BUILTIN = 1 << 1
} SmtpcodesLoadFlags;

/**
 * SmtpcodesClass:
 * @SMTPCODES_CLASS_UNKNOWN: no class could be determined
 * @SMTPCODES_CLASS_SUCCESS: 2yz / 2.x.x: the action succeeded
 * @SMTPCODES_CLASS_INTERMEDIATE: 3yz: the server waits for more input
 * @SMTPCODES_CLASS_TRANSIENT: 4yz / 4.x.x: a temporary failure; retrying may work
 * @SMTPCODES_CLASS_PERMANENT: 5yz / 5.x.x: a permanent failure
 *
 * The class of a reply.
 *
 * Since: 1.0
 */
typedef enum {
  SMTPCODES_CLASS_UNKNOWN,
  SMTPCODES_CLASS_SUCCESS,
  SMTPCODES_CLASS_INTERMEDIATE,
  SMTPCODES_CLASS_TRANSIENT,
  SMTPCODES_CLASS_PERMANENT
} SmtpcodesClass;

/**
 * SmtpcodesEntryKind:
 * @SMTPCODES_ENTRY_REPLY: a basic reply code (`[Reply 550]`), possibly with a command or status
 * @SMTPCODES_ENTRY_STATUS: an enhanced status code, subject or class (`[Status 5.1.1]`)
 * @SMTPCODES_ENTRY_PATTERN: a text pattern (`[Pattern name]`)
 * @SMTPCODES_ENTRY_COMMAND: an SMTP command (`[Command EHLO]`)
 *
 * What an entry describes.
 *
 * Since: 1.0
 */
typedef enum {
  SMTPCODES_ENTRY_REPLY,
  SMTPCODES_ENTRY_STATUS,
  SMTPCODES_ENTRY_PATTERN,
  SMTPCODES_ENTRY_COMMAND
} SmtpcodesEntryKind;

/* registry */
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesRegistry *smtpcodes_registry_new (const char * const *search_path,
                                           SmtpcodesLoadFlags   flags,
                                           GError             **error);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesRegistry *smtpcodes_registry_new_from_files (const char * const *files,
                                                      SmtpcodesLoadFlags   flags,
                                                      GError             **error);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesRegistry *smtpcodes_registry_get_default (void);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesRegistry *smtpcodes_registry_ref (SmtpcodesRegistry *self);
SMTPCODES_AVAILABLE_IN_1_0
void smtpcodes_registry_unref (SmtpcodesRegistry *self);
SMTPCODES_AVAILABLE_IN_1_0
char **smtpcodes_registry_get_default_search_path (void);
SMTPCODES_AVAILABLE_IN_1_0
GPtrArray *smtpcodes_registry_get_modules (SmtpcodesRegistry *self);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesModule *smtpcodes_registry_get_module (SmtpcodesRegistry *self,
                                                      const char        *id);
SMTPCODES_AVAILABLE_IN_1_0
const char * const *smtpcodes_registry_get_rejected (SmtpcodesRegistry *self);
SMTPCODES_AVAILABLE_IN_1_0
GPtrArray *smtpcodes_registry_lookup (SmtpcodesRegistry *self,
                                      const char        *vendor,
                                      const char        *code,
                                      GError           **error);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesEntry *smtpcodes_registry_lookup_command (SmtpcodesRegistry *self,
                                                         const char        *name);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesReply *smtpcodes_registry_parse_reply (SmtpcodesRegistry *self,
                                                const char        *text,
                                                gssize             length,
                                                GError           **error);
SMTPCODES_AVAILABLE_IN_1_0
GPtrArray *smtpcodes_registry_list (SmtpcodesRegistry *self,
                                    const char        *module_id);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_registry_validate_file (const char         *filename,
                                           SmtpcodesLoadFlags  flags,
                                           GError            **error);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_registry_is_reason (const char *reason);
SMTPCODES_AVAILABLE_IN_1_0
const char * const *smtpcodes_registry_list_reasons (void);

/* module */
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_module_get_id (const SmtpcodesModule *module);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_module_get_name (const SmtpcodesModule *module, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_module_get_description (const SmtpcodesModule *module, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_module_get_kind (const SmtpcodesModule *module);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_module_get_version (const SmtpcodesModule *module);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_module_get_filename (const SmtpcodesModule *module);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_module_is_builtin (const SmtpcodesModule *module);
SMTPCODES_AVAILABLE_IN_1_0
guint smtpcodes_module_get_n_entries (const SmtpcodesModule *module);

/* entry */
SMTPCODES_AVAILABLE_IN_1_0
GType smtpcodes_entry_get_type (void) G_GNUC_CONST;
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesEntry *smtpcodes_entry_ref (SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
void smtpcodes_entry_unref (SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesEntryKind smtpcodes_entry_get_kind (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_code (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
int smtpcodes_entry_get_reply_code (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_status (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_command (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const SmtpcodesModule *smtpcodes_entry_get_module (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_module_id (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
SmtpcodesClass smtpcodes_entry_get_class (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_reason (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_entry_is_generic (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
gboolean smtpcodes_entry_get_retry (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_source (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_usage (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_summary (const SmtpcodesEntry *entry, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_explanation (const SmtpcodesEntry *entry, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_advice (const SmtpcodesEntry *entry, const char *lang);
SMTPCODES_AVAILABLE_IN_1_0
guint smtpcodes_entry_get_line (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char * const *smtpcodes_entry_get_related (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char * const *smtpcodes_entry_get_markers (const SmtpcodesEntry *entry);
SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_entry_get_obsoleted_by (const SmtpcodesEntry *entry);

SMTPCODES_AVAILABLE_IN_1_0
const char *smtpcodes_class_to_string (SmtpcodesClass klass);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmtpcodesRegistry, smtpcodes_registry_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmtpcodesEntry, smtpcodes_entry_unref)

G_END_DECLS
