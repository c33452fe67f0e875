/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Throwaway CA and server certificates for the TLS tests (see tls_fx.h):
 * P-256 keys, valid from a minute ago for a day, written as PEM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_fx.h"

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return 0;
}

/* A certificate for `key` named `cn`, signed by issuer/ikey (self-signed
 * when issuer is NULL); a CA if san is NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, const char *san,
		       long serial)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();
	int bad = 0;

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -60);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400);
	X509_set_pubkey(c, key);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, n);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	if (san) {
		bad |= add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE");
		bad |= add_ext(c, issuer, NID_subject_alt_name, san);
		bad |= add_ext(c, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
	} else {
		bad |= add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
		bad |= add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
		bad |= add_ext(c, c, NID_subject_key_identifier, "hash");
	}
	if (bad || !X509_sign(c, ikey ? ikey : key, EVP_sha256())) {
		X509_free(c);
		return NULL;
	}
	return c;
}

static int write_cert(const char *path, X509 *c)
{
	FILE *f = fopen(path, "w");
	int ok = f && PEM_write_X509(f, c);

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

static int write_key(const char *path, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");
	int ok = f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

int tls_fx_make(struct tls_fx *fx)
{
	EVP_PKEY *cak = EVP_EC_gen("P-256"), *ok = EVP_EC_gen("P-256");
	EVP_PKEY *sk = EVP_EC_gen("P-256"), *xk = EVP_EC_gen("P-256");
	X509 *ca = NULL, *oca = NULL, *srv = NULL;
	int rc = -1;

	memset(fx, 0, sizeof(*fx));
	strcpy(fx->dir, "/tmp/sg-tls-XXXXXX");
	if (!cak || !ok || !sk || !xk || !mkdtemp(fx->dir))
		goto out;
	snprintf(fx->ca, sizeof(fx->ca), "%s/ca.pem", fx->dir);
	snprintf(fx->other_ca, sizeof(fx->other_ca), "%s/other-ca.pem", fx->dir);
	snprintf(fx->cert, sizeof(fx->cert), "%s/srv.pem", fx->dir);
	snprintf(fx->key, sizeof(fx->key), "%s/srv.key", fx->dir);
	snprintf(fx->other_key, sizeof(fx->other_key), "%s/other.key", fx->dir);
	ca = make_cert(cak, "strowger test CA", NULL, NULL, NULL, 1);
	oca = make_cert(ok, "some other CA", NULL, NULL, NULL, 1);
	if (ca)
		srv = make_cert(sk, "gw.test", ca, cak, "DNS:gw.test,IP:127.0.0.1,IP:::1", 2);
	if (!srv || !oca)
		goto out;
	/* The certificate file carries the chain: ours, then the CA's. */
	if (write_cert(fx->ca, ca) || write_cert(fx->other_ca, oca) || write_key(fx->key, sk) ||
	    write_key(fx->other_key, xk))
		goto out;
	FILE *f = fopen(fx->cert, "w");

	if (f && PEM_write_X509(f, srv) && PEM_write_X509(f, ca))
		rc = 0;
	if (f)
		fclose(f);
out:
	if (rc)
		fprintf(stderr, "tls_fx: cannot make the test certificates\n");
	X509_free(ca);
	X509_free(oca);
	X509_free(srv);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(xk);
	return rc;
}

void tls_fx_remove(const struct tls_fx *fx)
{
	const char *files[] = {fx->ca, fx->other_ca, fx->cert, fx->key, fx->other_key};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i][0])
			unlink(files[i]);
	if (fx->dir[0])
		rmdir(fx->dir);
}
