/* bindings/perl/SMTPCodes.i: the private XS module SMTPCodes::Raw.
 *
 * Nothing here is public API: SMTPCodes.pm wraps it in Perl classes.  Perl-specific
 * typemaps live here; what both languages share is in ../smtpcodes-common.i.
 * Built with -noproxy: the raw functions take and return plain pointer objects, and
 * SMTPCodes.pm owns them (its DESTROY methods drop the references).
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

%}

/* GError **error: hidden from Perl; a failure dies with SMTPCodes::Error */
%typemap(in, numinputs=0) GError **error (GError *tmp_error = NULL) {
  $1 = &tmp_error;
}
%typemap(argout) GError **error {
  if (*$1 != NULL)
    smtpcodes_pl_croak (aTHX_ *$1);
}

/* reply text: any defined string, bytes or characters (as UTF-8), with its length so
 * NUL bytes reach the parser */
%typemap(in) (const char *text, gssize length) {
  STRLEN n = 0;
  if (!SvOK ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a reply text, got undef");
  if (SvROK ($input) && !SvAMAGIC ($input))
    smtpcodes_pl_croak_input (aTHX_ "expected a reply text, got a reference");
  $1 = SvPVutf8 ($input, n);
  $2 = (gssize) n;
}

/* C strings: undef is NULL; UTF-8 bytes otherwise */
%typemap(in) const char * {
  if (SvOK ($input))
    $1 = SvPVutf8_nolen ($input);
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
          g_ptr_array_add (tmp_vec, g_strdup (item && SvOK (*item) ? SvPVutf8_nolen (*item) : ""));
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

/* entry arrays (transfer container): an array reference of entries, each holding a
 * reference that SMTPCodes::Entry::DESTROY drops */
%typemap(out) GPtrArray * {
  AV *av = newAV ();
  if ($1)
    {
      for (guint i = 0; i < $1->len; i++)
        {
          SV *sv = newSV (0);
          SWIG_MakePtr (sv, smtpcodes_entry_ref ($1->pdata[i]), $descriptor(SmtpcodesEntry *), 0);
          av_push (av, sv);
        }
      g_ptr_array_unref ($1);
    }
  ST(argvi) = sv_2mortal (newRV_noinc ((SV *) av));
  argvi++;
}

/* borrowed entries: take a reference, or undef */
%typemap(out) const SmtpcodesEntry * {
  if ($1)
    ST(argvi) = SWIG_NewPointerObj (smtpcodes_entry_ref ((SmtpcodesEntry *) $1),
                                    $descriptor(SmtpcodesEntry *), 0);
  else
    ST(argvi) = &PL_sv_undef;
  argvi++;
}

%include "smtpcodes-common.i"
