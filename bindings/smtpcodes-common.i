/* bindings/smtpcodes-common.i: what the Python and Perl bindings share.
 *
 * Included by python/smtpcodes.i and perl/SMTPCodes.i after each has defined its
 * language-specific typemaps (GError, string lists, entry arrays).  The generated
 * module is private (smtpcodes.raw, SMTPCodes::Raw); the public API is written by
 * hand on top of it (smtpcodes/__init__.py, SMTPCodes.pm).
 *
 * Ownership, once for both languages:
 *  - registries, replies, verdicts, reports, recipients and report readers are wrapped
 *    as owning pointers; the language object releases its reference (or frees the
 *    reader) when it goes away (the %extend destructors below in Python; in Perl,
 *    which ignores them, the handle magic of perl/SMTPCodes.i);
 *  - every entry handed out holds its own reference, which keeps its registry alive,
 *    and every recipient one that keeps its report alive;
 *  - report readers are not thread-safe: each language serialises the calls on one;
 *  - (transfer full) strings are g_free()d and string vectors g_strfreev()d here.
 */

%{
#include <libsmtpcodes/smtpcodes.h>
%}

/* What SWIG needs to read the public headers: the GLib types they use and the
 * decoration macros, which mean nothing to SWIG. */
#define G_BEGIN_DECLS
#define G_END_DECLS
#define G_GNUC_CONST
#define SMTPCODES_AVAILABLE_IN_1_0
#define G_DEFINE_AUTOPTR_CLEANUP_FUNC(a, b)
#define SMTPCODES_INSIDE
typedef int gboolean;
typedef unsigned int guint;
typedef long gssize;
typedef unsigned long gsize;
typedef unsigned int GQuark;

/* (transfer full) returns */
%newobject smtpcodes_binding_default_registry;
%newobject smtpcodes_binding_verdict_reply;
%newobject smtpcodes_registry_new;
%newobject smtpcodes_registry_new_from_files;
%newobject smtpcodes_registry_parse_reply;
%newobject smtpcodes_reply_parse;
%newobject smtpcodes_reply_new;
%newobject smtpcodes_registry_explain;
%newobject smtpcodes_registry_explain_text;
%newobject smtpcodes_verdict_get_summary;
%newobject smtpcodes_verdict_get_explanation;
%newobject smtpcodes_verdict_get_advice;
%newobject smtpcodes_verdict_get_alternative_label;
%newobject smtpcodes_report_parse;
%newobject smtpcodes_report_reader_new;
%newobject smtpcodes_report_reader_new_for_data;
%newobject smtpcodes_report_reader_next;
%newobject smtpcodes_binding_recipient_verdict;
%typemap(newfree) char * "g_free ($1);";

/* C-only helpers: reference counting is done by the wrappers, GTypes and raw module
 * handles mean nothing to a script, the vectors owned by the library are copied by the
 * smtpcodes_binding_* helpers above. */
%ignore smtpcodes_error_quark;
%ignore smtpcodes_registry_ref;
%ignore smtpcodes_registry_unref;
%ignore smtpcodes_registry_get_default;
%ignore smtpcodes_registry_get_modules;
%ignore smtpcodes_registry_get_module;
%ignore smtpcodes_registry_get_rejected;
%ignore smtpcodes_registry_list_reasons;
%ignore smtpcodes_registry_get_default_search_path;
%ignore smtpcodes_entry_get_type;
%ignore smtpcodes_entry_ref;
%ignore smtpcodes_entry_unref;
%ignore smtpcodes_entry_get_module;
%ignore smtpcodes_entry_get_related;
%ignore smtpcodes_entry_get_markers;
%ignore smtpcodes_entry_get_kind;
%ignore smtpcodes_entry_get_class;
%ignore smtpcodes_reply_get_type;
%ignore smtpcodes_reply_ref;
%ignore smtpcodes_reply_unref;
%ignore smtpcodes_verdict_get_type;
%ignore smtpcodes_verdict_ref;
%ignore smtpcodes_verdict_unref;
%ignore smtpcodes_verdict_get_reply;
%ignore smtpcodes_verdict_get_class;
%ignore smtpcodes_verdict_get_alternative;
%ignore smtpcodes_alternative_kind_to_string;
%ignore smtpcodes_class_to_string;
%ignore smtpcodes_module_get_id;
%ignore smtpcodes_module_get_name;
%ignore smtpcodes_module_get_description;
%ignore smtpcodes_module_get_kind;
%ignore smtpcodes_module_get_version;
%ignore smtpcodes_module_get_filename;
%ignore smtpcodes_module_is_builtin;
%ignore smtpcodes_module_get_n_entries;
%ignore smtpcodes_report_get_type;
%ignore smtpcodes_recipient_get_type;
%ignore smtpcodes_report_ref;
%ignore smtpcodes_report_unref;
%ignore smtpcodes_recipient_ref;
%ignore smtpcodes_recipient_unref;
%ignore smtpcodes_report_get_kind;
%ignore smtpcodes_report_kind_to_string;
%ignore smtpcodes_recipient_get_verdict;
%ignore smtpcodes_report_reader_free;

/* The opaque types become classes without constructors whose destructor drops the
 * reference the wrapper holds. */
%nodefaultctor _SmtpcodesRegistry;
%nodefaultctor _SmtpcodesReply;
%nodefaultctor _SmtpcodesVerdict;
%nodefaultctor _SmtpcodesEntry;
%nodefaultctor _SmtpcodesReport;
%nodefaultctor _SmtpcodesRecipient;
%nodefaultctor _SmtpcodesReportReader;
struct _SmtpcodesRegistry {};
struct _SmtpcodesReply {};
struct _SmtpcodesVerdict {};
struct _SmtpcodesEntry {};
struct _SmtpcodesReport {};
struct _SmtpcodesRecipient {};
struct _SmtpcodesReportReader {};
%extend _SmtpcodesRegistry { ~_SmtpcodesRegistry () { smtpcodes_registry_unref ($self); } }
%extend _SmtpcodesReply { ~_SmtpcodesReply () { smtpcodes_reply_unref ($self); } }
%extend _SmtpcodesVerdict { ~_SmtpcodesVerdict () { smtpcodes_verdict_unref ($self); } }
%extend _SmtpcodesEntry { ~_SmtpcodesEntry () { smtpcodes_entry_unref ($self); } }
%extend _SmtpcodesReport { ~_SmtpcodesReport () { smtpcodes_report_unref ($self); } }
%extend _SmtpcodesRecipient { ~_SmtpcodesRecipient () { smtpcodes_recipient_unref ($self); } }
%extend _SmtpcodesReportReader { ~_SmtpcodesReportReader () { smtpcodes_report_reader_free ($self); } }

%include <libsmtpcodes/smtpcodes-error.h>
%include <libsmtpcodes/smtpcodes-registry.h>
%include <libsmtpcodes/smtpcodes-reply.h>
%include <libsmtpcodes/smtpcodes-verdict.h>
%include <libsmtpcodes/smtpcodes-report.h>

/* Helpers the bindings call; part of neither public API. */
%inline %{
/* the default registry with a reference of its own, so the binding may drop it */
static SmtpcodesRegistry *
smtpcodes_binding_default_registry (void)
{
  return smtpcodes_registry_ref (smtpcodes_registry_get_default ());
}

/* the kind of alternative @index as a string ("dotless", "registry", ...) */
static const char *
smtpcodes_binding_alternative_kind (const SmtpcodesVerdict *verdict, guint index)
{
  SmtpcodesAlternativeKind kind = SMTPCODES_ALTERNATIVE_DOTLESS;
  if (smtpcodes_verdict_get_alternative (verdict, index, &kind) == NULL)
    return NULL;
  return smtpcodes_alternative_kind_to_string (kind);
}

/* the entry of alternative @index (a reference is taken by the out typemap) */
static const SmtpcodesEntry *
smtpcodes_binding_alternative_entry (const SmtpcodesVerdict *verdict, guint index)
{
  return smtpcodes_verdict_get_alternative (verdict, index, NULL);
}

static const char *
smtpcodes_binding_verdict_class (const SmtpcodesVerdict *verdict)
{
  return smtpcodes_class_to_string (smtpcodes_verdict_get_class (verdict));
}

static const char *
smtpcodes_binding_entry_class (const SmtpcodesEntry *entry)
{
  return smtpcodes_class_to_string (smtpcodes_entry_get_class (entry));
}

static const char *
smtpcodes_binding_entry_kind (const SmtpcodesEntry *entry)
{
  switch (smtpcodes_entry_get_kind (entry))
    {
    case SMTPCODES_ENTRY_REPLY: return "reply";
    case SMTPCODES_ENTRY_STATUS: return "status";
    case SMTPCODES_ENTRY_PATTERN: return "pattern";
    case SMTPCODES_ENTRY_COMMAND: return "command";
    default: return "unknown";
    }
}

/* the reply a verdict explains, with a reference of its own */
static SmtpcodesReply *
smtpcodes_binding_verdict_reply (const SmtpcodesVerdict *verdict)
{
  return smtpcodes_reply_ref ((SmtpcodesReply *) smtpcodes_verdict_get_reply (verdict));
}

/* ids of the loaded modules, in search order */
static char **
smtpcodes_binding_module_ids (SmtpcodesRegistry *registry)
{
  GPtrArray *mods = smtpcodes_registry_get_modules (registry);
  char **ids = g_new0 (char *, mods->len + 1);
  for (guint i = 0; i < mods->len; i++)
    ids[i] = g_strdup (smtpcodes_module_get_id (mods->pdata[i]));
  g_ptr_array_unref (mods);
  return ids;
}

/* what was rejected while loading, as a newly allocated vector */
static char **
smtpcodes_binding_rejected (SmtpcodesRegistry *registry)
{
  return g_strdupv ((char **) smtpcodes_registry_get_rejected (registry));
}

/* the reason vocabulary */
static char **
smtpcodes_binding_reasons (void)
{
  return g_strdupv ((char **) smtpcodes_registry_list_reasons ());
}

static char **
smtpcodes_binding_entry_related (const SmtpcodesEntry *entry)
{
  return g_strdupv ((char **) smtpcodes_entry_get_related (entry));
}

/* the kind of a report as a string ("bounce", "delay", "not-bounce", ...) */
static const char *
smtpcodes_binding_report_kind (const SmtpcodesReport *report)
{
  return smtpcodes_report_kind_to_string (smtpcodes_report_get_kind (report));
}

/* the verdict of a recipient, with a reference of its own (NULL if it has none) */
static SmtpcodesVerdict *
smtpcodes_binding_recipient_verdict (const SmtpcodesRecipient *recipient)
{
  const SmtpcodesVerdict *v = smtpcodes_recipient_get_verdict (recipient);
  return v ? smtpcodes_verdict_ref ((SmtpcodesVerdict *) v) : NULL;
}

/* "de" or "en": the language the library's texts come in for @lang (NULL: the locale),
 * decided as the library and 'smtpcodes bounce --json' ("lang") decide it */
static const char *
smtpcodes_binding_text_lang (const char *lang)
{
  if (lang == NULL)
    lang = g_get_language_names ()[0];
  return lang[0] == 'd' && lang[1] == 'e'
         && (lang[2] == '\0' || lang[2] == '_' || lang[2] == '.' || lang[2] == '@') ? "de" : "en";
}

static char **
smtpcodes_binding_entry_markers (const SmtpcodesEntry *entry)
{
  return g_strdupv ((char **) smtpcodes_entry_get_markers (entry));
}
%}
