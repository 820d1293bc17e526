/* np-gio.h: what check_smtp_reply needs from GIO, TLS and name lookup, in a module of its
 * own (check_smtp_reply-gio.so). GIO and the libraries it brings take about a millisecond to
 * load, more than all the rest of a local check; a check of an address without TLS (the
 * usual -H $HOSTADDRESS$) never loads them. The plugin opens the module with dlopen() and
 * takes its one symbol, np_gio_funcs(). */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

#define NP_GIO_MODULE "check_smtp_reply-gio.so"
#define NP_GIO_ABI    1

/* Errors of the dialogue's I/O, shared by the plugin and the module (one quark by name). */
#define NP_IO_ERROR (g_quark_from_static_string ("check-smtp-reply-io"))
enum {
  NP_IO_EOF,          /* the server closed the connection */
  NP_IO_GARBAGE,      /* not an SMTP reply */
  NP_IO_TOO_LONG,     /* over-long line or reply */
  NP_IO_TIMED_OUT,    /* -t passed on one wait */
  NP_IO_CANCELLED,    /* the deadline passed */
  NP_IO_FAILED,       /* any other I/O error */
  NP_IO_NO_TLS,       /* no TLS backend */
  NP_IO_BAD_CA        /* --ca-file unreadable */
};

/* Certificate problems (GTlsCertificateFlags, named without GIO's headers). */
enum {
  NP_CERT_UNKNOWN_CA    = 1 << 0,
  NP_CERT_BAD_IDENTITY  = 1 << 1,
  NP_CERT_NOT_ACTIVATED = 1 << 2,
  NP_CERT_EXPIRED       = 1 << 3,
  NP_CERT_REVOKED       = 1 << 4,
  NP_CERT_INSECURE      = 1 << 5,
  NP_CERT_GENERIC_ERROR = 1 << 6
};

typedef struct {
  char    *protocol;       /* "TLS 1.3"; NULL when GIO cannot tell (before 2.70) */
  char    *cipher;
  gboolean have_cert;      /* subject and issuer known */
  char    *subject;
  char    *issuer;
  gboolean have_not_after;
  gint64   not_after;      /* Unix time */
  guint    errors;         /* NP_CERT_* */
} NpTlsFacts;

static inline void
np_tls_facts_clear (NpTlsFacts *facts)
{
  g_free (facts->protocol);
  g_free (facts->cipher);
  g_free (facts->subject);
  g_free (facts->issuer);
  memset (facts, 0, sizeof *facts);
}

typedef struct _NpGio NpGio;   /* one per check: a GCancellable and the TLS connection */

typedef struct {
  int       abi;           /* NP_GIO_ABI */
  NpGio   *(*open) (void);
  /* ends a lookup or TLS operation under way with NP_IO_CANCELLED; from any thread */
  void     (*cancel) (NpGio *g);
  gboolean (*tls_supported) (void);
  /* the addresses of @name (family 4, 6 or 0), each a struct sockaddr_storage with @port */
  GArray  *(*resolve) (NpGio *g, const char *name, int family, guint16 port, GError **error);
  /* TLS client on the connected @fd, which the module owns from now on, even on failure;
   * @identity (NULL: none) is the name the certificate must match */
  gboolean (*tls_new) (NpGio *g, int fd, const char *identity, guint16 port, const char *ca_file,
                       guint timeout, GError **error);
  gboolean (*tls_handshake) (NpGio *g, GError **error);
  void     (*tls_facts) (NpGio *g, NpTlsFacts *facts);
  gssize   (*tls_read) (NpGio *g, char *buf, gsize size, GError **error);
  gboolean (*tls_write_all) (NpGio *g, const char *data, gsize len, GError **error);
  void     (*close) (NpGio *g);
} NpGioFuncs;

const NpGioFuncs *np_gio_funcs (void);

G_END_DECLS
