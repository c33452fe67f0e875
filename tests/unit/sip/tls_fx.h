/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Throwaway certificates for the TLS tests, made at test time with the
 * OpenSSL API (no openssl binary, nothing checked in that could expire).
 */
#ifndef STROWGER_TESTS_TLS_FX_H
#define STROWGER_TESTS_TLS_FX_H

#include <stddef.h>

/* Paths in a fresh temporary directory:
 *   ca.pem         CA "strowger test CA"
 *   other-ca.pem   an unrelated CA
 *   srv.pem/.key   signed by ca.pem, SAN DNS:gw.test, IP:127.0.0.1, IP:::1
 *   other.key      a key that matches no certificate */
struct tls_fx {
	char dir[64];
	char ca[96], other_ca[96], cert[96], key[96], other_key[96];
};

/* 0, or -1 with a message on stderr. */
int tls_fx_make(struct tls_fx *fx);
void tls_fx_remove(const struct tls_fx *fx);

#endif
