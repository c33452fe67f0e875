/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/transport over TLS (RFC 3261 §18, §26.3.1) on OpenSSL 3.
 *
 * TLS connections are the TCP transport's connections (transport_tcp.c:
 * framing, keep-alive, reuse by peer, timers) with an SSL object between
 * the socket and the buffers.  This file holds what is TLS's own: the
 * context (our certificate chain and key, the CAs we trust, TLS 1.2 at
 * least), a socket BIO that never raises SIGPIPE, the non-blocking
 * handshake and record I/O, and the verification of servers we connect to
 * (RFC 5922 §7: the host we meant to reach, or its IP literal, must be in
 * the certificate's subjectAltName).
 *
 *   new --handshake (WANT_READ/WANT_WRITE on the loop)--> open --> closed
 *           `--timeout / alert / bad certificate / plaintext--> closed
 *
 * We do not ask clients for certificates: peers are authorised by the
 * layers above (digest, trunk addresses), as RFC 3261 §26.3.2.3 allows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/clock.h"
#include "core/mem.h"
#include "sip/transport.h"

struct sip_tls {
	SSL_CTX *ctx;
	BIO_METHOD *bio;
	bool verify, have_cert;
	uint64_t hs_timeout;
};

/* --- a socket BIO with MSG_NOSIGNAL --------------------------------------
 * OpenSSL's own socket BIO write()s, and a peer that has gone away would
 * kill the process with SIGPIPE. */

static int bio_write(BIO *b, const char *buf, size_t len, size_t *done)
{
	ssize_t n = send((int)(intptr_t)BIO_get_data(b), buf, len, MSG_NOSIGNAL);

	BIO_clear_retry_flags(b);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			BIO_set_retry_write(b);
		return 0;
	}
	*done = (size_t)n;
	return 1;
}

static int bio_read(BIO *b, char *buf, size_t len, size_t *done)
{
	ssize_t n = recv((int)(intptr_t)BIO_get_data(b), buf, len, 0);

	BIO_clear_retry_flags(b);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			BIO_set_retry_read(b);
		return 0;
	}
	*done = (size_t)n;
	return 1;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b, (void)num, (void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* --- context --------------------------------------------------------------- */

static void tls_destroy(void *data)
{
	struct sip_tls *t = data;

	SSL_CTX_free(t->ctx);
	BIO_meth_free(t->bio);
}

/* The first queued OpenSSL error as text (and the queue emptied). */
static const char *ssl_reason(char *buf, size_t sz)
{
	unsigned long e = ERR_get_error();

	if (!e)
		snprintf(buf, sz, "unknown error");
	else
		ERR_error_string_n(e, buf, sz);
	ERR_clear_error();
	return buf;
}

static int readable(const char *what, const char *path, char *why, size_t whysz)
{
	if (!access(path, R_OK))
		return 0;
	int err = errno;

	snprintf(why, whysz, "%s %s: %s", what, path, strerror(err));
	return err;
}

static int use_key(SSL_CTX *ctx, const char *key, const char *cert, char *why, size_t whysz)
{
	char e[256];
	FILE *f = fopen(key, "r");
	EVP_PKEY *pk = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	int err = 0;

	if (f)
		fclose(f);
	if (!pk) {
		snprintf(why, whysz, "private key %s: not a PEM private key (%s)", key,
			 ssl_reason(e, sizeof(e)));
		return EINVAL;
	}
	if (SSL_CTX_use_PrivateKey(ctx, pk) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(why, whysz, "private key %s does not match certificate %s", key, cert);
		err = EINVAL;
	}
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return err;
}

/* Load what `tc` names into `ctx`: the checks --check-config shares. */
static int ctx_load(SSL_CTX *ctx, const struct sip_tls_conf *tc, char *why, size_t whysz)
{
	char e[256];
	const char *key = tc->key_file ? tc->key_file : tc->cert_file;
	int err;

	if (tc->cert_file) {
		if ((err = readable("certificate", tc->cert_file, why, whysz)) ||
		    (err = readable("private key", key, why, whysz)))
			return err;
		if (SSL_CTX_use_certificate_chain_file(ctx, tc->cert_file) != 1) {
			snprintf(why, whysz, "certificate %s: %s", tc->cert_file,
				 ssl_reason(e, sizeof(e)));
			return EINVAL;
		}
		err = use_key(ctx, key, tc->cert_file, why, whysz);
		if (err)
			return err;
	}
	if (tc->ca_file) {
		if ((err = readable("CA file", tc->ca_file, why, whysz)))
			return err;
		if (SSL_CTX_load_verify_locations(ctx, tc->ca_file, NULL) != 1) {
			snprintf(why, whysz, "CA file %s: %s", tc->ca_file,
				 ssl_reason(e, sizeof(e)));
			return EINVAL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(why, whysz, "the system's CA store: %s", ssl_reason(e, sizeof(e)));
		return EINVAL;
	}
	return 0;
}

static SSL_CTX *ctx_new(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());

	if (!ctx)
		return NULL;
	/* TLS 1.2 at least: SSL 3, TLS 1.0 and 1.1 are deprecated (RFC 8996). */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* conn_write() moves its buffer and may hand over less than it has. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	return ctx;
}

int sip_tls_conf_check(const struct sip_tls_conf *tc, char *why, size_t whysz)
{
	SSL_CTX *ctx = ctx_new();
	int err;

	if (!ctx) {
		snprintf(why, whysz, "cannot create a TLS context");
		return ENOMEM;
	}
	err = ctx_load(ctx, tc, why, whysz);
	SSL_CTX_free(ctx);
	return err;
}

/* SSLKEYLOGFILE (the NSS key log format): lets tshark decrypt a capture.
 * Only when the variable is set, appended, never truncated. */
static void keylog(const SSL *ssl, const char *line)
{
	const char *path = getenv("SSLKEYLOGFILE");
	FILE *f = path ? fopen(path, "a") : NULL;

	(void)ssl;
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

int sip_tls_alloc(struct sip_tls **tp, const struct sip_tls_conf *tc, char *why, size_t whysz)
{
	struct sip_tls *t = mem_zalloc(sizeof(*t), tls_destroy);
	int err = 0;

	if (!t)
		return ENOMEM;
	t->ctx = ctx_new();
	t->bio = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sip socket");
	if (!t->ctx || !t->bio) {
		snprintf(why, whysz, "cannot create a TLS context");
		err = ENOMEM;
	} else {
		BIO_meth_set_write_ex(t->bio, bio_write);
		BIO_meth_set_read_ex(t->bio, bio_read);
		BIO_meth_set_ctrl(t->bio, bio_ctrl);
		BIO_meth_set_create(t->bio, bio_create);
		err = ctx_load(t->ctx, tc, why, whysz);
		if (getenv("SSLKEYLOGFILE"))
			SSL_CTX_set_keylog_callback(t->ctx, keylog);
	}
	if (err) {
		mem_deref(t);
		return err;
	}
	t->verify = tc->verify;
	t->have_cert = tc->cert_file != NULL;
	t->hs_timeout = tc->handshake_timeout ? tc->handshake_timeout : 10 * NS_PER_S;
	*tp = t;
	return 0;
}

bool sip_tls_can_serve(const struct sip_tls *t)
{
	return t && t->have_cert;
}

uint64_t sip_tls_hs_timeout(const struct sip_tls *t)
{
	return t->hs_timeout;
}

/* --- connections ------------------------------------------------------------ */

/* RFC 5922 §7.2 / RFC 6125: the name we meant to reach must be in the
 * server's subjectAltName; an IP literal is matched as an iPAddress entry,
 * and only DNS names go in SNI (RFC 6066 §3). */
static int set_peer_name(SSL *ssl, const char *name)
{
	char ip[64];
	size_t n = strlen(name);
	unsigned char tmp[16];

	if (n >= 2 && name[0] == '[' && name[n - 1] == ']' && n - 2 < sizeof(ip)) {
		memcpy(ip, name + 1, n - 2);
		ip[n - 2] = 0;
	} else {
		snprintf(ip, sizeof(ip), "%s", name);
	}
	if (inet_pton(AF_INET, ip, tmp) == 1 || inet_pton(AF_INET6, ip, tmp) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip) == 1 ? 0 : EINVAL;
	if (SSL_set_tlsext_host_name(ssl, name) != 1 || SSL_set1_host(ssl, name) != 1)
		return EINVAL;
	return 0;
}

SSL *sip_tls_ssl_new(struct sip_tls *t, int fd, bool server, const char *name)
{
	SSL *ssl = SSL_new(t->ctx);
	BIO *b = ssl ? BIO_new(t->bio) : NULL;

	if (!b) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	BIO_set_data(b, (void *)(intptr_t)fd);
	SSL_set_bio(ssl, b, b);
	if (server) {
		SSL_set_accept_state(ssl);
		return ssl;
	}
	SSL_set_connect_state(ssl);
	SSL_set_verify(ssl, t->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (t->verify && set_peer_name(ssl, name)) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	return ssl;
}

void sip_tls_ssl_free(SSL *ssl)
{
	if (!ssl)
		return;
	/* A close_notify if the handshake finished; never wait for the reply. */
	if (SSL_is_init_finished(ssl))
		SSL_shutdown(ssl);
	SSL_free(ssl);
	ERR_clear_error();
}

/* Map the result of an SSL call: 0 done, EAGAIN (want_write tells which
 * readiness to wait for), ECONNRESET on a clean or abrupt close, EPROTO
 * with the reason in `why` otherwise. */
static int ssl_result(SSL *ssl, int rc, bool *want_write, char *why, size_t whysz)
{
	int e = SSL_get_error(ssl, rc);
	long vr;

	*want_write = false;
	switch (e) {
	case SSL_ERROR_WANT_READ:
		return EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		*want_write = true;
		return EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(why, whysz, "closed by peer");
		return ECONNRESET;
	case SSL_ERROR_SYSCALL:
		snprintf(why, whysz, "connection lost");
		ERR_clear_error();
		return ECONNRESET;
	default:
		vr = SSL_get_verify_result(ssl);
		if (vr != X509_V_OK)
			snprintf(why, whysz, "certificate refused: %s",
				 X509_verify_cert_error_string(vr));
		else
			ssl_reason(why, whysz);
		ERR_clear_error();
		return EPROTO;
	}
}

int sip_tls_handshake(SSL *ssl, bool *want_write, char *why, size_t whysz)
{
	ERR_clear_error();
	int rc = SSL_do_handshake(ssl);

	if (rc == 1) {
		*want_write = false;
		return 0;
	}
	return ssl_result(ssl, rc, want_write, why, whysz);
}

int sip_tls_read(SSL *ssl, char *buf, size_t len, size_t *got, bool *want_write, char *why,
		 size_t whysz)
{
	ERR_clear_error();
	int rc = SSL_read_ex(ssl, buf, len, got);

	if (rc == 1) {
		*want_write = false;
		return 0;
	}
	return ssl_result(ssl, rc, want_write, why, whysz);
}

int sip_tls_write(SSL *ssl, const char *buf, size_t len, size_t *put, bool *want_write, char *why,
		  size_t whysz)
{
	ERR_clear_error();
	int rc = SSL_write_ex(ssl, buf, len, put);

	if (rc == 1) {
		*want_write = false;
		return 0;
	}
	return ssl_result(ssl, rc, want_write, why, whysz);
}
