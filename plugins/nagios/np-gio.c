/* np-gio.c: check_smtp_reply's GIO module: TLS on a connected socket (STARTTLS, implicit
 * TLS) and name lookup, loaded by the plugin only when a check needs one of them. See
 * np-gio.h. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "np-gio.h"

struct _NpGio {
  GCancellable       *cancel;
  GSocket            *sock;
  GSocketConnection  *conn;
  GIOStream          *tls;
  GInputStream       *in;
  GOutputStream      *out;
  GTlsCertificateFlags seen;     /* from accept-certificate */
};

/* cancellation and -t in the plugin's terms; other GIO errors keep their message */
static void
np_error (GError **error)
{
  if (!error || !*error || (*error)->domain != G_IO_ERROR)
    return;
  if ((*error)->code == G_IO_ERROR_CANCELLED)
    (*error)->code = NP_IO_CANCELLED;
  else if ((*error)->code == G_IO_ERROR_TIMED_OUT)
    (*error)->code = NP_IO_TIMED_OUT;
  else
    return;
  (*error)->domain = NP_IO_ERROR;
}

static NpGio *
gio_open (void)
{
  NpGio *g = g_new0 (NpGio, 1);
  g->cancel = g_cancellable_new ();
  return g;
}

static void
gio_cancel (NpGio *g)
{
  g_cancellable_cancel (g->cancel);
}

static gboolean
gio_tls_supported (void)
{
  return g_tls_backend_supports_tls (g_tls_backend_get_default ());
}

static GArray *
gio_resolve (NpGio *g, const char *name, int family, guint16 port, GError **error)
{
  GResolver *resolver = g_resolver_get_default ();
  GResolverNameLookupFlags flags = family == 4 ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY
                                   : family == 6 ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY
                                   : G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT;
  GList *addrs = g_resolver_lookup_by_name_with_flags (resolver, name, flags, g->cancel, error);
  GArray *out = NULL;
  GList *l;

  g_object_unref (resolver);
  if (!addrs)
    {
      np_error (error);
      return NULL;
    }
  out = g_array_new (FALSE, TRUE, sizeof (struct sockaddr_storage));
  for (l = addrs; l; l = l->next)
    {
      GSocketAddress *sa = g_inet_socket_address_new (l->data, port);
      struct sockaddr_storage ss;
      memset (&ss, 0, sizeof ss);
      if (g_socket_address_to_native (sa, &ss, sizeof ss, NULL))
        g_array_append_val (out, ss);
      g_object_unref (sa);
    }
  g_resolver_free_addresses (addrs);
  return out;
}

static gboolean
accept_any_certificate (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
                        gpointer user_data)
{
  NpGio *g = user_data;
  g->seen = errors;
  return TRUE;   /* the plugin decides: report, or CRITICAL with --tls-verify */
}

static gboolean
gio_tls_new (NpGio *g, int fd, const char *identity, guint16 port, const char *ca_file,
             guint timeout, GError **error)
{
  GSocketConnectable *id = identity ? g_network_address_new (identity, port) : NULL;

  g->sock = g_socket_new_from_fd (fd, error);
  if (!g->sock)
    {
      close (fd);
      g_clear_object (&id);
      return FALSE;
    }
  g_socket_set_timeout (g->sock, timeout);
  g->conn = g_socket_connection_factory_create_connection (g->sock);
  g->tls = g_tls_client_connection_new (G_IO_STREAM (g->conn), id, error);
  g_clear_object (&id);
  if (!g->tls)
    {
      if (error && *error)
        {
          (*error)->domain = NP_IO_ERROR;
          (*error)->code = NP_IO_NO_TLS;
        }
      return FALSE;
    }
  if (ca_file)
    {
      GTlsDatabase *db = g_tls_file_database_new (ca_file, error);
      if (!db)
        {
          if (error && *error)
            {
              (*error)->domain = NP_IO_ERROR;
              (*error)->code = NP_IO_BAD_CA;
            }
          return FALSE;
        }
      g_tls_connection_set_database (G_TLS_CONNECTION (g->tls), db);
      g_object_unref (db);
    }
  g_signal_connect (g->tls, "accept-certificate", G_CALLBACK (accept_any_certificate), g);
  return TRUE;
}

static gboolean
gio_tls_handshake (NpGio *g, GError **error)
{
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (g->tls), g->cancel, error))
    {
      np_error (error);
      return FALSE;
    }
  g->in = g_io_stream_get_input_stream (g->tls);
  g->out = g_io_stream_get_output_stream (g->tls);
  return TRUE;
}

/* Properties read by name: GLib 2.70 added them, and we build against 2.62's API. */
static gboolean
has_property (gpointer obj, const char *name)
{
  return g_object_class_find_property (G_OBJECT_GET_CLASS (obj), name) != NULL;
}

static void
gio_tls_facts (NpGio *g, NpTlsFacts *f)
{
  static const struct { GTlsCertificateFlags gio; guint np; } flags[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, NP_CERT_UNKNOWN_CA },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, NP_CERT_BAD_IDENTITY },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, NP_CERT_NOT_ACTIVATED },
    { G_TLS_CERTIFICATE_EXPIRED, NP_CERT_EXPIRED },
    { G_TLS_CERTIFICATE_REVOKED, NP_CERT_REVOKED },
    { G_TLS_CERTIFICATE_INSECURE, NP_CERT_INSECURE },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, NP_CERT_GENERIC_ERROR },
  };
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (g->tls));
  GTlsCertificateFlags errors;
  guint i;

  memset (f, 0, sizeof *f);
  if (has_property (g->tls, "protocol-version"))
    {
      static const char *const versions[] = { "unknown", "SSL 3.0", "TLS 1.0", "TLS 1.1",
                                              "TLS 1.2", "TLS 1.3", "DTLS 1.0", "DTLS 1.2" };
      int v = 0;
      char *cipher = NULL;
      g_object_get (g->tls, "protocol-version", &v, "ciphersuite-name", &cipher, NULL);
      f->protocol = g_strdup (v >= 0 && v < 8 ? versions[v] : "unknown");
      f->cipher = cipher ? cipher : g_strdup ("unknown cipher");
    }
  if (peer && has_property (peer, "subject-name"))
    {
      GDateTime *not_after = NULL;
      g_object_get (peer, "subject-name", &f->subject, "issuer-name", &f->issuer,
                    "not-valid-after", &not_after, NULL);
      f->have_cert = TRUE;
      if (not_after)
        {
          f->have_not_after = TRUE;
          f->not_after = g_date_time_to_unix (not_after);
          g_date_time_unref (not_after);
        }
    }
  errors = g->seen | g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (g->tls));
  for (i = 0; i < G_N_ELEMENTS (flags); i++)
    if (errors & flags[i].gio)
      f->errors |= flags[i].np;
}

static gssize
gio_tls_read (NpGio *g, char *buf, gsize size, GError **error)
{
  gssize n = g_input_stream_read (g->in, buf, size, g->cancel, error);
  if (n < 0)
    np_error (error);
  return n;
}

static gboolean
gio_tls_write_all (NpGio *g, const char *data, gsize len, GError **error)
{
  if (!g_output_stream_write_all (g->out, data, len, NULL, g->cancel, error))
    {
      np_error (error);
      return FALSE;
    }
  return TRUE;
}

static void
gio_close (NpGio *g)
{
  if (g->tls)
    g_io_stream_close (g->tls, NULL, NULL);
  if (g->conn)
    g_io_stream_close (G_IO_STREAM (g->conn), NULL, NULL);
  g_clear_object (&g->tls);
  g_clear_object (&g->conn);
  g_clear_object (&g->sock);
  /* the cancellable stays: the plugin's helper may still cancel it */
}

G_MODULE_EXPORT const NpGioFuncs *
np_gio_funcs (void)
{
  static const NpGioFuncs funcs = {
    NP_GIO_ABI, gio_open, gio_cancel, gio_tls_supported, gio_resolve, gio_tls_new,
    gio_tls_handshake, gio_tls_facts, gio_tls_read, gio_tls_write_all, gio_close,
  };
  return &funcs;
}
