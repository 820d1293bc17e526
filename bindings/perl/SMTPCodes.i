/* bindings/perl/SMTPCodes.i: the private XS module SMTPCodes::Raw.
 *
 * Nothing here is public API: SMTPCodes.pm wraps it in Perl classes.  Perl-specific
 * typemaps live here; what both languages share is in ../smtpcodes-common.i.
 * Built with -noproxy: no SWIG pointer objects either.  The raw functions take and
 * return the objects of SMTPCodes.pm themselves, hashes blessed into SMTPCodes::Registry,
 * ::Reply, ::Verdict, ::Entry, ::Report, ::Recipient and ::ReportReader that carry their C
 * handle as ext magic (see smtpcodes_pl_wrap below).
 */
%module "SMTPCodes::Raw"

%{
#include <libsmtpcodes/smtpcodes.h>

/* a character string from UTF-8 (invalid bytes, as in a message quoting a cut-off
 * piece of the input, become U+FFFD) */
static SV *
smtpcodes_pl_string (pTHX_ const char *s)
{
  SV *sv;
  if (g_utf8_validate (s, -1, NULL))
    sv = newSVpv (s, 0);
  else
    {
      char *valid = g_utf8_make_valid (s, -1);
      sv = newSVpv (valid, 0);
      g_free (valid);
    }
  SvUTF8_on (sv);
  return sv;
}

/* Text for the C library, which reads UTF-8, from a scalar whose get-magic has run: a
 * character string (UTF8 flag on) as its UTF-8; a byte string that is valid UTF-8 (or
 * ASCII) as it is, without a copy; any other byte string as Latin-1 characters, re-encoded
 * in a mortal copy.  The caller's scalar is never changed (SvPVutf8 would upgrade it, and
 * reading valid UTF-8 bytes as Latin-1 encoded them twice). */
static const char *
smtpcodes_pl_text (pTHX_ SV *sv, STRLEN *len)
{
  const char *s = SvPV_nomg_const (sv, *len);
  if (!SvUTF8 (sv) && !is_utf8_invariant_string ((const U8 *) s, *len)
      && !is_c9strict_utf8_string ((const U8 *) s, *len))
    s = SvPVutf8 (sv_2mortal (newSVpvn (s, *len)), *len);
  return s;
}

/* Bytes from a scalar whose get-magic has run (bounce data, file names): a byte string as
 * it is; a character string as the bytes its characters stand for, as print to a :raw
 * handle writes them -- downgraded in a mortal copy, or its UTF-8 when it holds characters
 * above 255.  The caller's scalar is never changed. */
static const char *
smtpcodes_pl_bytes (pTHX_ SV *sv, STRLEN *len)
{
  const char *s = SvPV_nomg_const (sv, *len);
  if (SvUTF8 (sv) && !is_utf8_invariant_string ((const U8 *) s, *len))
    {
      SV *copy = sv_2mortal (newSVpvn_flags (s, *len, SVf_UTF8));
      if (sv_utf8_downgrade (copy, TRUE))
        s = SvPV_const (copy, *len);
    }
  return s;
}

/* dies with a SMTPCodes::Error object (domain, code, message) and frees @error */
static void
smtpcodes_pl_croak (pTHX_ GError *error)
{
  HV *hv = newHV ();
  SV *obj;

  (void) hv_stores (hv, "domain", newSVpv (g_quark_to_string (error->domain), 0));
  (void) hv_stores (hv, "code", newSViv (error->code));
  (void) hv_stores (hv, "message", smtpcodes_pl_string (aTHX_ error->message));
  g_error_free (error);
  obj = sv_bless (newRV_noinc ((SV *) hv), gv_stashpv ("SMTPCodes::Error", GV_ADD));
  croak_sv (sv_2mortal (obj));
}

static void
smtpcodes_pl_croak_input (pTHX_ const char *message)
{
  smtpcodes_pl_croak (aTHX_ g_error_new_literal (SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX, message));
}

/* smtpcodes_pl_croak with the file and line of the statement @cop (the caller's) */
static void
smtpcodes_pl_croak_at (pTHX_ const COP *cop, GError *error)
{
  HV *hv = newHV ();
  SV *obj;

  (void) hv_stores (hv, "domain", newSVpv (g_quark_to_string (error->domain), 0));
  (void) hv_stores (hv, "code", newSViv (error->code));
  (void) hv_stores (hv, "message", smtpcodes_pl_string (aTHX_ error->message));
  (void) hv_stores (hv, "file", newSVpv (CopFILE (cop), 0));
  (void) hv_stores (hv, "line", newSVuv (CopLINE (cop)));
  g_error_free (error);
  obj = sv_bless (newRV_noinc ((SV *) hv), gv_stashpv ("SMTPCodes::Error", GV_ADD));
  croak_sv (sv_2mortal (obj));
}

/* The objects of SMTPCodes.pm hold their C handle, with a reference of its own, as ext
 * magic on the object's hash: one MGVTBL per type.  The handle cannot be forged, changed or
 * cleared from Perl (a look-up matches the vtable, so any other value is refused, not
 * crashed on), and the reference is dropped when Perl frees the hash (svt_free) -- no
 * DESTROY method to call per object, and nothing that global destruction could tear apart
 * in the wrong order.  A new interpreter thread that clones an object takes a reference of
 * its own (svt_dup), so each interpreter drops just its own.
 *
 * SWIG's own pointer objects cost more than the C call of an explain: a tied hash per
 * object, and an OWNER hash entry keyed by the stringified reference, made and deleted
 * each time. */
#ifdef USE_ITHREADS
#define SMTPCODES_PL_DUP(name, ref) \
  static int smtpcodes_pl_dup_##name (pTHX_ MAGIC *mg, CLONE_PARAMS *param) \
  { PERL_UNUSED_ARG (param); ref ((void *) mg->mg_ptr); return 0; }
#define SMTPCODES_PL_DUP_FN(name) smtpcodes_pl_dup_##name
#else
#define SMTPCODES_PL_DUP(name, ref)
#define SMTPCODES_PL_DUP_FN(name) NULL
#endif
#define SMTPCODES_PL_TYPE(name, ref, unref) \
  static int smtpcodes_pl_free_##name (pTHX_ SV *sv, MAGIC *mg) \
  { PERL_UNUSED_ARG (sv); if (mg->mg_ptr) unref ((void *) mg->mg_ptr); return 0; } \
  SMTPCODES_PL_DUP (name, ref) \
  static const MGVTBL smtpcodes_pl_##name##_vtbl = { \
    NULL, NULL, NULL, NULL, smtpcodes_pl_free_##name, NULL, SMTPCODES_PL_DUP_FN (name), NULL };

SMTPCODES_PL_TYPE (registry, smtpcodes_registry_ref, smtpcodes_registry_unref)
SMTPCODES_PL_TYPE (reply, smtpcodes_reply_ref, smtpcodes_reply_unref)
SMTPCODES_PL_TYPE (verdict, smtpcodes_verdict_ref, smtpcodes_verdict_unref)
SMTPCODES_PL_TYPE (entry, smtpcodes_entry_ref, smtpcodes_entry_unref)
SMTPCODES_PL_TYPE (report, smtpcodes_report_ref, smtpcodes_report_unref)
SMTPCODES_PL_TYPE (recipient, smtpcodes_recipient_ref, smtpcodes_recipient_unref)

/* A report reader is no shared, reference-counted value but a position in a mailbox: the
 * interpreter that opened it owns it, a thread's clone of the object holds none (its
 * handle is NULL, and using it dies), and close() frees it early. */
static int
smtpcodes_pl_free_reader (pTHX_ SV *sv, MAGIC *mg)
{
  PERL_UNUSED_ARG (sv);
  smtpcodes_report_reader_free ((SmtpcodesReportReader *) mg->mg_ptr);
  mg->mg_ptr = NULL;
  return 0;
}
#ifdef USE_ITHREADS
static int
smtpcodes_pl_dup_reader (pTHX_ MAGIC *mg, CLONE_PARAMS *param)
{
  PERL_UNUSED_ARG (param);
  mg->mg_ptr = NULL;
  return 0;
}
#define SMTPCODES_PL_DUP_READER smtpcodes_pl_dup_reader
#else
#define SMTPCODES_PL_DUP_READER NULL
#endif
static const MGVTBL smtpcodes_pl_reader_vtbl = {
  NULL, NULL, NULL, NULL, smtpcodes_pl_free_reader, NULL, SMTPCODES_PL_DUP_READER, NULL };

/* a new object of @klass owning the reference @ptr */
static SV *
smtpcodes_pl_wrap (pTHX_ void *ptr, const MGVTBL *vtbl, const char *klass)
{
  HV *hv = newHV ();
  MAGIC *mg = sv_magicext ((SV *) hv, NULL, PERL_MAGIC_ext, vtbl, (const char *) ptr, 0);

  mg->mg_flags |= MGf_DUP;
  return sv_bless (newRV_noinc ((SV *) hv), gv_stashpv (klass, GV_ADD));
}

/* the handle of an object made by smtpcodes_pl_wrap with @vtbl; dies for anything else */
static void *
smtpcodes_pl_handle_nomg (pTHX_ SV *sv, const MGVTBL *vtbl, const char *klass)
{
  MAGIC *mg;

  if (SvROK (sv) && SvTYPE (SvRV (sv)) == SVt_PVHV
      && (mg = mg_findext (SvRV (sv), PERL_MAGIC_ext, vtbl)) != NULL)
    {
      if (mg->mg_ptr == NULL)
        croak ("the %s object is closed or belongs to another thread", klass);
      return mg->mg_ptr;
    }
  croak ("expected an %s object", klass);
  return NULL;
}

static void *
smtpcodes_pl_handle (pTHX_ SV *sv, const MGVTBL *vtbl, const char *klass)
{
  SvGETMAGIC (sv);
  return smtpcodes_pl_handle_nomg (aTHX_ sv, vtbl, klass);
}

/* the string option @what of SMTPCodes->explain, as SMTPCodes::_str checks it: undef for
 * an absent or undefined one; dies for a reference or a NUL byte */
static SV *
smtpcodes_pl_option (pTHX_ const COP *cop, SV *value, const char *what)
{
  const char *s;
  STRLEN n;

  if (value == NULL || !SvOK (value))
    return NULL;
  if (SvROK (value))
    smtpcodes_pl_croak_at (aTHX_ cop, g_error_new (SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE,
                                                   "%s is a reference, not a string", what));
  s = SvPV_nomg (value, n);
  if (memchr (s, '\0', n))
    smtpcodes_pl_croak_at (aTHX_ cop, g_error_new (SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE,
                                                   "%s contains a NUL byte", what));
  return value;
}

/* SMTPCodes->explain($text, lang => $lang, vendor => $id), also as a method of a registry.
 *
 * The one call scripts make per log line, so all of it is here, in C: the Perl statements
 * it took (argument copies, checks, an eval, blessing, DESTROY) cost more than the C call
 * itself.  It does what the Perl version did, in the same order: the options are copied
 * once (as a hash assignment does), vendor is checked before the text is read and lang
 * after the verdict is made; errors die with an SMTPCodes::Error naming the caller's file
 * and line (PL_curcop: an XSUB has no frame of its own).  The registry's handle is looked
 * up last, after the text's string overloading (Perl code) has run, so nothing can free
 * it under the C call. */
XS (smtpcodes_pl_explain)
{
  dXSARGS;
  const COP *cop = PL_curcop;
  SV *self, *text, *vendor_sv = NULL, *lang_sv = NULL, *obj;
  const char *s, *vendor = NULL;
  STRLEN n;
  SmtpcodesRegistry *reg;
  SmtpcodesVerdict *v;
  GError *error = NULL;

  PERL_UNUSED_VAR (cv);
  self = items > 0 ? ST (0) : &PL_sv_undef;
  text = items > 1 ? ST (1) : &PL_sv_undef;
  SvGETMAGIC (self);
  for (I32 i = 2; i < items; i += 2)
    {
      STRLEN klen;
      const char *key = SvPV_const (ST (i), klen);
      SV *value = NULL;
      if (i + 1 < items)
        value = sv_mortalcopy (ST (i + 1));
      else
        Perl_ck_warner (aTHX_ packWARN (WARN_MISC), "Odd number of elements in hash assignment");
      if (klen == 6 && memEQ (key, "vendor", 6))
        vendor_sv = value;
      else if (klen == 4 && memEQ (key, "lang", 4))
        lang_sv = value;
    }
  if ((vendor_sv = smtpcodes_pl_option (aTHX_ cop, vendor_sv, "vendor")) != NULL)
    {
      STRLEN vn;
      vendor = smtpcodes_pl_text (aTHX_ vendor_sv, &vn);
    }

  /* any defined string: characters, or bytes that are UTF-8 (or else Latin-1) */
  SvGETMAGIC (text);
  if (!SvOK (text))
    smtpcodes_pl_croak_at (aTHX_ cop, g_error_new_literal (SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX,
                                                           "expected a reply text, got undef"));
  if (SvROK (text) && !SvAMAGIC (text))
    smtpcodes_pl_croak_at (aTHX_ cop, g_error_new_literal (SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX,
                                                           "expected a reply text, got a reference"));
  s = smtpcodes_pl_text (aTHX_ text, &n);

  reg = SvROK (self) ? smtpcodes_pl_handle_nomg (aTHX_ self, &smtpcodes_pl_registry_vtbl, "SMTPCodes::Registry")
                     : smtpcodes_registry_get_default ();
  v = smtpcodes_registry_explain_text (reg, s, (gssize) n, vendor, &error);
  if (v == NULL)
    smtpcodes_pl_croak_at (aTHX_ cop, error ? error : g_error_new_literal (SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX,
                                                                            "no registry to explain with"));
  obj = sv_2mortal (smtpcodes_pl_wrap (aTHX_ v, &smtpcodes_pl_verdict_vtbl, "SMTPCodes::Verdict"));
  if ((lang_sv = smtpcodes_pl_option (aTHX_ cop, lang_sv, "lang")) != NULL)
    (void) hv_stores ((HV *) SvRV (obj), "lang", SvREFCNT_inc_simple_NN (lang_sv));
  ST (0) = obj;
  XSRETURN (1);
}

/* SMTPCodes::Raw::reader_close($reader): frees the reader now; using it later dies */
XS (smtpcodes_pl_reader_close)
{
  dXSARGS;
  MAGIC *mg;
  SV *sv;

  PERL_UNUSED_VAR (cv);
  if (items != 1)
    croak ("usage: SMTPCodes::Raw::reader_close($reader)");
  sv = ST (0);
  SvGETMAGIC (sv);
  if (!SvROK (sv) || SvTYPE (SvRV (sv)) != SVt_PVHV
      || (mg = mg_findext (SvRV (sv), PERL_MAGIC_ext, &smtpcodes_pl_reader_vtbl)) == NULL)
    croak ("expected an SMTPCodes::ReportReader object");
  smtpcodes_report_reader_free ((SmtpcodesReportReader *) mg->mg_ptr);
  mg->mg_ptr = NULL;
  XSRETURN_EMPTY;
}

%}

/* SMTPCodes::explain (SMTPCodes.pm makes it that) */
%native(explain) void smtpcodes_pl_explain ();
%native(reader_close) void smtpcodes_pl_reader_close ();

/* Registries, replies, verdicts and entries: objects in (any subclass), new objects out
 * (every non-const pointer returned is a reference of the caller's: registry_new*,
 * parse_reply, explain*, the binding helpers).  The %extend destructors of
 * smtpcodes-common.i are Python's; here the magic drops the reference. */
%define SMTPCODES_PL_OBJECT(Type, name, klass)
%typemap(in) Type *, const Type * {
  $1 = ($1_ltype) smtpcodes_pl_handle (aTHX_ $input, &smtpcodes_pl_##name##_vtbl, klass);
}
%typemap(out) Type * {
  ST(argvi) = $1 ? sv_2mortal (smtpcodes_pl_wrap (aTHX_ $1, &smtpcodes_pl_##name##_vtbl, klass))
                 : &PL_sv_undef;
  argvi++;
}
%ignore _##Type::~_##Type;
%enddef
SMTPCODES_PL_OBJECT (SmtpcodesRegistry, registry, "SMTPCodes::Registry")
SMTPCODES_PL_OBJECT (SmtpcodesReply, reply, "SMTPCodes::Reply")
SMTPCODES_PL_OBJECT (SmtpcodesVerdict, verdict, "SMTPCodes::Verdict")
SMTPCODES_PL_OBJECT (SmtpcodesEntry, entry, "SMTPCodes::Entry")
SMTPCODES_PL_OBJECT (SmtpcodesReport, report, "SMTPCodes::Report")
SMTPCODES_PL_OBJECT (SmtpcodesRecipient, recipient, "SMTPCodes::Recipient")
SMTPCODES_PL_OBJECT (SmtpcodesReportReader, reader, "SMTPCodes::ReportReader")

/* borrowed recipients: an SMTPCodes::Recipient with a reference of its own (which keeps the
 * report alive), or undef */
%typemap(out) const SmtpcodesRecipient * {
  if ($1)
    ST(argvi) = sv_2mortal (smtpcodes_pl_wrap (aTHX_ smtpcodes_recipient_ref ((SmtpcodesRecipient *) $1),
                                               &smtpcodes_pl_recipient_vtbl, "SMTPCodes::Recipient"));
  else
    ST(argvi) = &PL_sv_undef;
  argvi++;
}

/* GError **error: hidden from Perl; a failure dies with SMTPCodes::Error */
%typemap(in, numinputs=0) GError **error (GError *tmp_error = NULL) {
  $1 = &tmp_error;
}
%typemap(argout) GError **error {
  if (*$1 != NULL)
    smtpcodes_pl_croak (aTHX_ *$1);
}

/* reply text: any defined string, characters or bytes (smtpcodes_pl_text), with its
 * length so NUL bytes reach the parser */
%typemap(in) (const char *text, gssize length) {
  STRLEN n = 0;
  SvGETMAGIC ($input);
  if (!SvOK ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a reply text, got undef");
  if (SvROK ($input) && !SvAMAGIC ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a reply text, got a reference");
  $1 = (char *) smtpcodes_pl_text (aTHX_ $input, &n);
  $2 = (gssize) n;
}

/* bounce data: the bytes of any defined string (smtpcodes_pl_bytes), untouched */
%typemap(in) (const char *data, gsize length) {
  STRLEN n = 0;
  SvGETMAGIC ($input);
  if (!SvOK ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a message, got undef");
  if (SvROK ($input) && !SvAMAGIC ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a message, got a reference");
  $1 = (char *) smtpcodes_pl_bytes (aTHX_ $input, &n);
  $2 = (gsize) n;
}

/* a mailbox in memory (smtpcodes_report_reader_new_for_data): bytes, copied */
%typemap(in) GBytes *data {
  STRLEN n = 0;
  const char *s;
  SvGETMAGIC ($input);
  if (!SvOK ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a message or an mbox, got undef");
  if (SvROK ($input) && !SvAMAGIC ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a message or an mbox, got a reference");
  s = smtpcodes_pl_bytes (aTHX_ $input, &n);
  $1 = g_bytes_new (s, n);
}
%typemap(freearg) GBytes *data {
  if ($1)
    g_bytes_unref ($1);
}

/* file names: the bytes of the string, as Perl's open() takes them */
%typemap(in) const char *path {
  STRLEN n = 0;
  SvGETMAGIC ($input);
  if (!SvOK ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a file name, got undef");
  if (SvROK ($input) && !SvAMAGIC ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a file name, got a reference");
  $1 = (char *) SvPV_nomg_const ($input, n);
  if (memchr ($1, '\0', n))
    smtpcodes_pl_croak (aTHX_ g_error_new_literal (SMTPCODES_ERROR, SMTPCODES_ERROR_INVALID_VALUE,
                                                   "the file name contains a NUL byte"));
}
/* ... and back: the source of a message is a file name, so bytes */
%typemap(out) const char *smtpcodes_report_reader_get_source {
  ST(argvi) = $1 ? sv_2mortal (newSVpv ($1, 0)) : &PL_sv_undef;
  argvi++;
}

/* C strings: undef is NULL; otherwise UTF-8 (smtpcodes_pl_text) */
%typemap(in) const char * {
  SvGETMAGIC ($input);
  if (SvOK ($input))
    {
      STRLEN n;
      $1 = ($1_ltype) smtpcodes_pl_text (aTHX_ $input, &n);
    }
  else
    $1 = NULL;
}
%typemap(freearg) const char * "";
%typemap(out) const char * {
  ST(argvi) = $1 ? sv_2mortal (smtpcodes_pl_string (aTHX_ $1)) : &PL_sv_undef;
  argvi++;
}
%typemap(out) char * {
  ST(argvi) = $1 ? sv_2mortal (smtpcodes_pl_string (aTHX_ $1)) : &PL_sv_undef;
  argvi++;
}

/* search paths and file lists: an array reference, or undef for the default */
%typemap(in) const char * const * (GPtrArray *tmp_vec = NULL) {
  if (!SvOK ($input))
    $1 = NULL;
  else if (SvROK ($input) && SvTYPE (SvRV ($input)) == SVt_PVAV)
    {
      AV *av = (AV *) SvRV ($input);
      SSize_t top = av_top_index (av);
      tmp_vec = g_ptr_array_new_with_free_func (g_free);
      for (SSize_t i = 0; i <= top; i++)
        {
          SV **item = av_fetch (av, i, 0);
          STRLEN n;
          if (item)
            SvGETMAGIC (*item);
          g_ptr_array_add (tmp_vec, g_strdup (item && SvOK (*item) ? smtpcodes_pl_text (aTHX_ *item, &n) : ""));
        }
      g_ptr_array_add (tmp_vec, NULL);
      $1 = ($1_ltype) tmp_vec->pdata;
    }
  else
    croak ("expected an array reference of directory or file names");
}
%typemap(freearg) const char * const * {
  if (tmp_vec$argnum)
    g_ptr_array_unref (tmp_vec$argnum);
}

/* (transfer full) string vectors: an array reference */
%typemap(out) char ** {
  AV *av = newAV ();
  for (char **p = $1; p && *p; p++)
    av_push (av, smtpcodes_pl_string (aTHX_ *p));
  g_strfreev ($1);
  ST(argvi) = sv_2mortal (newRV_noinc ((SV *) av));
  argvi++;
}

/* entry arrays (transfer container): an array reference of SMTPCodes::Entry objects,
 * each holding a reference of its own */
%typemap(out) GPtrArray * {
  AV *av = newAV ();
  if ($1)
    {
      for (guint i = 0; i < $1->len; i++)
        av_push (av, smtpcodes_pl_wrap (aTHX_ smtpcodes_entry_ref ($1->pdata[i]),
                                        &smtpcodes_pl_entry_vtbl, "SMTPCodes::Entry"));
      g_ptr_array_unref ($1);
    }
  ST(argvi) = sv_2mortal (newRV_noinc ((SV *) av));
  argvi++;
}

/* borrowed entries: an SMTPCodes::Entry with a reference of its own, or undef */
%typemap(out) const SmtpcodesEntry * {
  if ($1)
    ST(argvi) = sv_2mortal (smtpcodes_pl_wrap (aTHX_ smtpcodes_entry_ref ((SmtpcodesEntry *) $1),
                                               &smtpcodes_pl_entry_vtbl, "SMTPCodes::Entry"));
  else
    ST(argvi) = &PL_sv_undef;
  argvi++;
}

%include "smtpcodes-common.i"
