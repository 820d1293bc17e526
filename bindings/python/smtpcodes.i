/* bindings/python/smtpcodes.i: the private extension smtpcodes.raw (_raw.so).
 *
 * Nothing here is public API: smtpcodes/__init__.py wraps it in Pythonic classes.
 * Python-specific typemaps live here; what both languages share is in
 * ../smtpcodes-common.i.
 */
%module(package="smtpcodes", threads="1") raw

/* The GIL is held by default (getters are quick, and dropping it costs more than they
 * do); it is released only around work that can take time: loading modules, parsing
 * and explaining text, analysing bounces and reading mailboxes.  No Python object is
 * touched while it is released: the input typemaps copy nothing, and the str/bytes they
 * read is kept alive by the caller (bounce data is always an immutable bytes object). */
%nothread;
%thread smtpcodes_registry_new;
%thread smtpcodes_registry_new_from_files;
%thread smtpcodes_registry_validate_file;
%thread smtpcodes_binding_default_registry;
%thread smtpcodes_registry_parse_reply;
%thread smtpcodes_registry_explain_text;
%thread smtpcodes_registry_explain;
%thread smtpcodes_reply_parse;
%thread smtpcodes_report_parse;
%thread smtpcodes_report_reader_new;
%thread smtpcodes_report_reader_next;

%begin %{
#define PY_SSIZE_T_CLEAN
%}

%{
#include <libsmtpcodes/smtpcodes.h>

/* Turns a GError into the matching smtpcodes.Error subclass (chosen in pure Python by
 * smtpcodes._errors.from_gerror) and frees it. */
static void
smtpcodes_py_raise (GError *error, const char *context)
{
  static PyObject *from_gerror = NULL;
  PyObject *exc;

  if (from_gerror == NULL)
    {
      PyObject *mod = PyImport_ImportModule ("smtpcodes._errors");
      if (mod)
        {
          from_gerror = PyObject_GetAttrString (mod, "from_gerror");
          Py_DECREF (mod);
        }
    }
  if (from_gerror == NULL)
    {
      PyErr_Clear ();
      PyErr_SetString (PyExc_ValueError, "libsmtpcodes error (smtpcodes._errors cannot be imported)");
      g_error_free (error);
      return;
    }
  {
    /* the message may quote a cut-off piece of the input: never fail on its bytes */
    PyObject *msg = PyUnicode_DecodeUTF8 (error->message, (Py_ssize_t) strlen (error->message), "replace");
    exc = msg ? PyObject_CallFunction (from_gerror, "siOs", g_quark_to_string (error->domain),
                                       error->code, msg, context) : NULL;
    Py_XDECREF (msg);
  }
  g_error_free (error);
  if (exc == NULL)
    return;
  PyErr_SetObject ((PyObject *) Py_TYPE (exc), exc);
  Py_DECREF (exc);
}

/* Text input: str (as UTF-8) or bytes; anything else is an InputError. */
static int
smtpcodes_py_text (PyObject *obj, const char **text, gssize *len, PyObject **tmp)
{
  Py_ssize_t n = 0;

  *tmp = NULL;
  if (PyBytes_Check (obj))
    {
      char *s = NULL;
      if (PyBytes_AsStringAndSize (obj, &s, &n) < 0)
        return -1;
      *text = s;
      *len = (gssize) n;
      return 0;
    }
  if (PyUnicode_Check (obj))
    {
      *text = PyUnicode_AsUTF8AndSize (obj, &n);
      if (*text == NULL)
        {
          /* lone surrogates: keep them visible as replacement characters */
          char *s = NULL;
          PyErr_Clear ();
          *tmp = PyUnicode_AsEncodedString (obj, "utf-8", "replace");
          if (*tmp == NULL || PyBytes_AsStringAndSize (*tmp, &s, &n) < 0)
            return -1;
          *text = s;
        }
      *len = (gssize) n;
      return 0;
    }
  {
    GError *e = g_error_new (SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX,
                             "expected a str or bytes reply text, got %s",
                             obj == Py_None ? "None" : Py_TYPE (obj)->tp_name);
    smtpcodes_py_raise (e, "input-type");
  }
  return -1;
}

/* A list of owning entry objects from an entry pointer array (transfer container). */
static PyObject *
smtpcodes_py_entries (GPtrArray *array, swig_type_info *type)
{
  PyObject *list = PyList_New (array ? (Py_ssize_t) array->len : 0);
  if (list != NULL && array != NULL)
    for (guint i = 0; i < array->len; i++)
      PyList_SET_ITEM (list, i, SWIG_InternalNewPointerObj (smtpcodes_entry_ref (array->pdata[i]),
                                                    type, SWIG_POINTER_OWN));
  if (array)
    g_ptr_array_unref (array);
  return list;
}

/* The fields of a report in one call, so that smtpcodes.Report costs one crossing:
 * (kind, format, reporting_mta, from, subject, message_id, recipients), each recipient
 * (handle, address, original_address, action, status, reply_code, diagnostic, remote_mta,
 * command, reason, hard_bounce, retry), as the C library gives them (NULL is None; the
 * Python classes turn "" and 0 into None); text that is not UTF-8 is decoded with
 * replacement characters. */
static PyObject *
smtpcodes_py_str (const char *s)
{
  if (s == NULL)
    Py_RETURN_NONE;
  return PyUnicode_DecodeUTF8 (s, (Py_ssize_t) strlen (s), "replace");
}

static PyObject *
smtpcodes_py_report_fields (const SmtpcodesReport *report, swig_type_info *rtype)
{
  guint n = smtpcodes_report_get_n_recipients (report);
  PyObject *rcpts = PyTuple_New ((Py_ssize_t) n);
  if (rcpts == NULL)
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      const SmtpcodesRecipient *r = smtpcodes_report_get_recipient (report, i);
      int code = smtpcodes_recipient_get_reply_code (r);
      PyObject *t = Py_BuildValue ("(NNNNNNNNNNOO)",
        SWIG_InternalNewPointerObj (smtpcodes_recipient_ref ((SmtpcodesRecipient *) r), rtype, SWIG_POINTER_OWN),
        smtpcodes_py_str (smtpcodes_recipient_get_address (r)),
        smtpcodes_py_str (smtpcodes_recipient_get_original_address (r)),
        smtpcodes_py_str (smtpcodes_recipient_get_action (r)),
        smtpcodes_py_str (smtpcodes_recipient_get_status (r)),
        PyLong_FromLong (code),
        smtpcodes_py_str (smtpcodes_recipient_get_diagnostic (r)),
        smtpcodes_py_str (smtpcodes_recipient_get_remote_mta (r)),
        smtpcodes_py_str (smtpcodes_recipient_get_command (r)),
        smtpcodes_py_str (smtpcodes_recipient_get_reason (r)),
        smtpcodes_recipient_is_hard_bounce (r) ? Py_True : Py_False,
        smtpcodes_recipient_get_retry (r) ? Py_True : Py_False);
      if (t == NULL)
        {
          Py_DECREF (rcpts);
          return NULL;
        }
      PyTuple_SET_ITEM (rcpts, i, t);
    }
  return Py_BuildValue ("(sNNNNNN)",
                        smtpcodes_report_kind_to_string (smtpcodes_report_get_kind (report)),
                        smtpcodes_py_str (smtpcodes_report_get_format (report)),
                        smtpcodes_py_str (smtpcodes_report_get_reporting_mta (report)),
                        smtpcodes_py_str (smtpcodes_report_get_from (report)),
                        smtpcodes_py_str (smtpcodes_report_get_subject (report)),
                        smtpcodes_py_str (smtpcodes_report_get_message_id (report)),
                        rcpts);
}
%}

/* GError **error: hidden from Python, raised as smtpcodes.Error */
%typemap(in, numinputs=0) GError **error (GError *tmp_error = NULL) {
  $1 = &tmp_error;
}
%typemap(argout) GError **error {
  if (*$1 != NULL)
    {
      Py_XDECREF ($result);
      smtpcodes_py_raise (*$1, "$symname");
      SWIG_fail;
    }
}

/* reply text: str or bytes, with an explicit length so NUL bytes reach the parser */
%typemap(in) (const char *text, gssize length) (PyObject *tmp_text = NULL) {
  if (smtpcodes_py_text ($input, (const char **) &$1, &$2, &tmp_text) < 0)
    SWIG_fail;
}
%typemap(freearg) (const char *text, gssize length) {
  Py_XDECREF (tmp_text$argnum);
}

/* bounce data: an immutable bytes object (smtpcodes/__init__.py converts the rest), read
 * in place; its length may exceed what a C int holds */
%typemap(in) (const char *data, gsize length) {
  char *s = NULL;
  Py_ssize_t n = 0;
  if (!PyBytes_Check ($input))
    {
      smtpcodes_py_raise (g_error_new (SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX, "expected bytes, got %s",
                                       $input == Py_None ? "None" : Py_TYPE ($input)->tp_name), "input-type");
      SWIG_fail;
    }
  if (PyBytes_AsStringAndSize ($input, &s, &n) < 0)
    SWIG_fail;
  $1 = s;
  $2 = (gsize) n;
}

/* a mailbox data for smtpcodes_report_reader_new_for_data: bytes, copied */
%typemap(in) GBytes *data {
  char *s = NULL;
  Py_ssize_t n = 0;
  if (!PyBytes_Check ($input))
    {
      smtpcodes_py_raise (g_error_new (SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX, "expected bytes, got %s",
                                       $input == Py_None ? "None" : Py_TYPE ($input)->tp_name), "input-type");
      SWIG_fail;
    }
  if (PyBytes_AsStringAndSize ($input, &s, &n) < 0)
    SWIG_fail;
  $1 = g_bytes_new (s, (gsize) n);
}
%typemap(freearg) GBytes *data {
  if ($1)
    g_bytes_unref ($1);
}

/* a file name as the file system has it: bytes (os.fsencode), without NUL bytes */
%typemap(in) const char *path {
  char *s = NULL;
  if (!PyBytes_Check ($input))
    {
      smtpcodes_py_raise (g_error_new (SMTPCODES_ERROR, SMTPCODES_ERROR_SYNTAX, "expected a path as bytes, got %s",
                                       $input == Py_None ? "None" : Py_TYPE ($input)->tp_name), "input-type");
      SWIG_fail;
    }
  if (PyBytes_AsStringAndSize ($input, &s, NULL) < 0)
    SWIG_fail;
  $1 = s;
}

/* the fields of a report (smtpcodes_py_report_fields) */
%typemap(in, numinputs=0) swig_type_info *recipient_type {
  $1 = $descriptor(SmtpcodesRecipient *);
}
/* borrowed recipients: take a reference (which keeps the report alive), or None */
%typemap(out) const SmtpcodesRecipient * {
  if ($1)
    $result = SWIG_NewPointerObj (smtpcodes_recipient_ref ((SmtpcodesRecipient *) $1),
                                  $descriptor(SmtpcodesRecipient *), SWIG_POINTER_OWN);
  else
    $result = SWIG_Py_Void ();
}

/* search paths and file lists: a sequence of str, or None for the default */
%typemap(in) const char * const * (GPtrArray *tmp_vec = NULL) {
  if ($input == Py_None)
    $1 = NULL;
  else
    {
      PyObject *seq = PySequence_Fast ($input, "expected a list of str");
      if (seq == NULL)
        SWIG_fail;
      tmp_vec = g_ptr_array_new_with_free_func (g_free);
      for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE (seq); i++)
        {
          PyObject *item = PySequence_Fast_GET_ITEM (seq, i);
          const char *s = PyUnicode_Check (item) ? PyUnicode_AsUTF8 (item) : NULL;
          if (s == NULL)
            {
              Py_DECREF (seq);
              if (!PyErr_Occurred ())
                PyErr_SetString (PyExc_TypeError, "expected a list of str");
              SWIG_fail;
            }
          g_ptr_array_add (tmp_vec, g_strdup (s));
        }
      Py_DECREF (seq);
      g_ptr_array_add (tmp_vec, NULL);
      $1 = ($1_ltype) tmp_vec->pdata;
    }
}
%typemap(freearg) const char * const * {
  if (tmp_vec$argnum)
    g_ptr_array_unref (tmp_vec$argnum);
}

/* (transfer full) string vectors: a list of str */
%typemap(out) char ** {
  $result = PyList_New (0);
  for (char **p = $1; p && *p; p++)
    {
      PyObject *s = PyUnicode_DecodeUTF8 (*p, (Py_ssize_t) strlen (*p), "replace");
      PyList_Append ($result, s);
      Py_XDECREF (s);
    }
  g_strfreev ($1);
}

/* entry arrays (transfer container): a list of entries, each holding a reference */
%typemap(out) GPtrArray * {
  $result = smtpcodes_py_entries ($1, $descriptor(SmtpcodesEntry *));
}

/* borrowed entries: take a reference, or None */
%typemap(out) const SmtpcodesEntry * {
  if ($1)
    $result = SWIG_NewPointerObj (smtpcodes_entry_ref ((SmtpcodesEntry *) $1),
                                  $descriptor(SmtpcodesEntry *), SWIG_POINTER_OWN);
  else
    $result = SWIG_Py_Void ();
}

%include "smtpcodes-common.i"

/* after the headers, so that SmtpcodesReport is the type smtpcodes_report_parse returns */
PyObject *smtpcodes_py_report_fields (const SmtpcodesReport *report, swig_type_info *recipient_type);
