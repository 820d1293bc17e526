/* bindings/python/smtpcodes.i: the private extension smtpcodes.raw (_raw.so).
 *
 * Nothing here is public API: smtpcodes/__init__.py wraps it in Pythonic classes.
 * Python-specific typemaps live here; what both languages share is in
 * ../smtpcodes-common.i.
 */
%module(package="smtpcodes", threads="1") raw

/* The GIL is held by default (getters are quick, and dropping it costs more than they
 * do); it is released only around work that can take time: loading modules, parsing
 * and explaining text.  No Python object is touched while it is released: the input
 * typemaps copy nothing, and the str/bytes they read is kept alive by the caller. */
%nothread;
%thread smtpcodes_registry_new;
%thread smtpcodes_registry_new_from_files;
%thread smtpcodes_registry_validate_file;
%thread smtpcodes_binding_default_registry;
%thread smtpcodes_registry_parse_reply;
%thread smtpcodes_registry_explain_text;
%thread smtpcodes_registry_explain;
%thread smtpcodes_reply_parse;

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
