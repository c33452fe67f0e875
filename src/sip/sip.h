/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip: the SIP stack as the call layer sees it.
 *
 * A stack lives on one loop.  It listens on UDP and TCP (IPv4/IPv6), runs
 * libosip2's transaction state machines on our timers (virtual time works),
 * keeps dialogs, and reports INVITE sessions through callbacks.  Layers,
 * bottom up (see src/sip/README): transport → txn → dialog → session.
 *
 * Messages handed up are `struct sip_msg` (read-only views); nothing here
 * exposes libosip2 types.
 */
#ifndef STROWGER_SIP_SIP_H
#define STROWGER_SIP_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct sip_stack;
struct sip_sess;
struct sip_msg;
struct sockaddr;

enum sip_proto { SIP_PROTO_UDP, SIP_PROTO_TCP, SIP_PROTO_TLS, SIP_PROTO__COUNT };

const char *sip_proto_name(enum sip_proto p); /* "UDP", "TCP", "TLS" */

/* Reliable provisional responses (RFC 3262): never offered (used only when
 * the peer requires them), offered (Supported: 100rel), or required. */
enum sip_100rel { SIP_100REL_OFF, SIP_100REL_SUPPORTED, SIP_100REL_REQUIRED };

struct sip_conf {
	uint64_t t1, t2, t4;	   /* ns; RFC 3261 defaults 500 ms, 4 s, 5 s */
	size_t max_msg;		   /* larger messages get 513 */
	uint64_t tcp_msg_timeout;  /* ns to finish a message on a stream */
	uint64_t tcp_idle_timeout; /* ns before an idle stream is closed */
	bool answer_options;	   /* answer out-of-dialog OPTIONS with 200 */
	char user_agent[64];	   /* User-Agent/Server value, "" for none */
	enum sip_100rel rel100;	   /* RFC 3262; default SUPPORTED */
	uint32_t session_expires;  /* s, RFC 4028; default 1800, 0: no timers */
	uint32_t min_se;	   /* s, smallest interval we accept; default 90 */
	/* RFC 3263 server location for INVITEs to host names (c-ares). */
	char dns_servers[128];	   /* "192.0.2.53,[2001:db8::53]:5353"; "": resolv.conf */
	unsigned dns_timeout_ms;   /* per try; 0: c-ares' default */
	unsigned dns_tries;	   /* 0: c-ares' default */
	/* Overload (RFC 3261 §21.5.4): at or above either ceiling a new INVITE
	 * gets 503 with Retry-After, statelessly, before any session or
	 * transaction exists and without the call layer.  0: no ceiling. */
	unsigned max_sessions;	   /* concurrent sessions (UAS and UAC) */
	unsigned max_txns;	   /* live transactions, lingering ones included */
	unsigned retry_after;	   /* seconds in that Retry-After (§20.33) */
};

void sip_conf_defaults(struct sip_conf *conf);

/* --- Session (an INVITE dialog usage, RFC 3261 §13-15) --------------------
 *
 *   UAS:  INCOMING --1xx--> EARLY --2xx--> ANSWERED --ACK--> ESTABLISHED
 *   UAC:  CALLING --1xx--> EARLY --2xx/ACK--> ESTABLISHED
 *   any --final error/CANCEL/BYE/timeout--> TERMINATED
 */
enum sip_sess_state {
	SIP_SESS_CALLING,
	SIP_SESS_INCOMING,
	SIP_SESS_EARLY,
	SIP_SESS_ANSWERED,
	SIP_SESS_ESTABLISHED,
	SIP_SESS_TERMINATING,
	SIP_SESS_TERMINATED,
};

enum sip_sess_ev {
	SIP_EV_PROGRESS,    /* UAC: 1xx received (msg) */
	SIP_EV_ANSWERED,    /* UAC: 2xx received (msg), ACK sent */
	SIP_EV_ESTABLISHED, /* UAS: ACK for our 2xx received (msg) */
	SIP_EV_CANCELLED,   /* UAS: CANCEL received; 487 sent */
	SIP_EV_INFO,	    /* in-dialog INFO/MESSAGE/NOTIFY (msg); 200 sent */
	SIP_EV_REINVITE,    /* UAS: re-INVITE (msg): answer it with
			     * sip_sess_answer() from the handler, else 200
			     * with our last SDP goes out */
	SIP_EV_TERMINATED,  /* final: BYE, error response, timeout (status);
			     * 408 also when the session timer ran out */
	SIP_EV_UPDATE,	    /* UPDATE with an offer (msg, RFC 3311): answer it
			     * with sip_sess_answer() from the handler (2xx
			     * with SDP, or 488), else 200 with our last SDP */
	SIP_EV_REFER,	    /* in-dialog REFER, RFC 3515 (msg: Refer-To through
			     * sip_msg_header): answer it from the handler with
			     * sip_sess_refer_answer(), else 603 goes out */
	SIP_EV_REFER_ANSWER, /* the final response to our REFER (status, msg if
			      * one came; 408 on timeout): 202 accepted, the
			      * progress then comes as NOTIFY (SIP_EV_INFO, a
			      * message/sipfrag body, RFC 3515 §2.4.5) */
	SIP_EV_REQUEST_ANSWER, /* the final response to our sip_sess_request()
				* (status; msg if one came: sip_msg_cseq_method
				* names the request; 408 timeout, 503 transport) */
};

const char *sip_sess_state_name(enum sip_sess_state st);
const char *sip_sess_ev_name(enum sip_sess_ev ev);

struct sip_handlers {
	/* A new INVITE outside any dialog.  Answer it now or later with
	 * sip_sess_answer(); the session is the stack's until TERMINATED. */
	void (*invite_h)(struct sip_sess *sess, const struct sip_msg *msg, void *arg);
	/* Session events; `msg` may be NULL; `status` is the SIP status behind
	 * the event (e.g. 487, 408, 200 for a BYE). */
	void (*sess_h)(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
		       const struct sip_msg *msg, void *arg);
	/* Out-of-dialog request other than INVITE (and OPTIONS when
	 * answer_options is set): return the status to answer (0: 405). */
	uint16_t (*request_h)(const struct sip_msg *msg, void *arg);
};

/* A mem object; mem_deref() closes sockets and frees every session. */
int sip_stack_alloc(struct sip_stack **sp, struct loop *loop, const struct sip_conf *conf,
		    const struct sip_handlers *h, void *arg);
/* Listen on an IP literal; port 0 picks one, returned in *bound_port.
 * TLS needs sip_stack_tls() with a certificate first (EINVAL without). */
int sip_stack_listen(struct sip_stack *s, enum sip_proto proto, const char *ip, uint16_t port,
		     uint16_t *bound_port);

/* TLS (RFC 3261 §26.3.1), set before listening on or sending over TLS.
 * Files are PEM; the certificate file may carry the chain after our own
 * certificate.  Servers we connect to are verified against ca_file (NULL:
 * the system's store) and the host of the URI we are reaching, or its IP
 * literal, in their subjectAltName (RFC 5922 §7).  TLS 1.2 at least. */
struct sip_tls_conf {
	const char *cert_file;	    /* NULL: no certificate (client only) */
	const char *key_file;	    /* NULL: in cert_file */
	const char *ca_file;	    /* NULL: the system's CAs */
	bool verify;		    /* false: accept any server (labs only) */
	uint64_t handshake_timeout; /* ns; 0: 10 s */
};
/* 0, or an errno with the reason in `why` (a file missing or unreadable, a
 * key that does not match the certificate, ...). */
int sip_stack_tls(struct sip_stack *s, const struct sip_tls_conf *tc, char *why, size_t whysz);
/* The same checks without a stack (strowger --check-config). */
int sip_tls_conf_check(const struct sip_tls_conf *tc, char *why, size_t whysz);

struct sip_stats {
	uint64_t rx_msgs, tx_msgs;
	uint64_t rx_bad;	  /* answered 4xx/5xx by the checks, or dropped */
	uint64_t retransmissions; /* requests and responses we sent again */
	uint64_t sessions;	  /* sessions created */
	uint64_t txns;		  /* transactions created */
	uint64_t overload;	  /* INVITEs refused 503 by the ceilings */
};
void sip_stack_stats(const struct sip_stack *s, struct sip_stats *st);
unsigned sip_stack_sess_count(const struct sip_stack *s);
unsigned sip_stack_txn_count(const struct sip_stack *s);

/* UAC: send an INVITE.  *sessp is the stack's session (take a reference
 * to keep it past its TERMINATED event).  If sending fails at once, the
 * error comes back, *sessp is NULL, and TERMINATED (503) has already been
 * reported.
 *
 * Where to: an IP literal (dst_ip or dst_host) is sent to at once, port 0
 * meaning 5060.  A host name is located per RFC 3263 (NAPTR, SRV, A/AAAA;
 * src/sip/README): the session is CALLING at once and the INVITE goes out
 * when the lookup answers; the targets are tried in order, the next one
 * after a transport error, Timer B or a 503 (§4.3), each with a new
 * transaction and the same Call-ID and From tag.  When every one failed,
 * or the lookup did, TERMINATED carries the last status (503; 408 for a
 * timeout).  A sips: req_uri needs proto TLS (EPROTO otherwise, RFC 5630
 * §4.1); over TLS the server must show the req_uri's host in its
 * certificate, and port 0 means 5061. */
struct sip_invite_prm {
	enum sip_proto proto;
	const char *dst_ip;   /* an IP literal; or NULL and dst_host */
	uint16_t dst_port;    /* 0: none (a host name: SRV decides; else 5060) */
	const char *dst_host; /* a domain name or IP literal; overrides dst_ip */
	bool tp_given;	      /* the URI named its transport (proto): with a
			       * host name, no NAPTR (RFC 3263 §4.1) */
	const char *req_uri; /* "sip:123@192.0.2.1" */
	const char *from;    /* "<sip:gw@example.net>" (tag added) */
	const char *to;	     /* "<sip:123@example.net>" */
	const char *ctype;   /* body type or NULL */
	const char *body;    /* or NULL */
	/* More headers, "Name: value" each, NULL-terminated (or NULL): e.g.
	 * P-Asserted-Identity and Privacy (RFC 3325, RFC 3323).  A line with
	 * CR or LF, or without a token name, fails the call with EINVAL
	 * before anything is sent (no session). */
	const char *const *extra_headers;
	/* Credentials for a 401/407 (RFC 3261 §22.2): the INVITE, and BYE
	 * in its dialog, go again signed, once per challenge; a second
	 * challenge that is not stale ends the session with that status.
	 * NULL username: a challenge ends the session. */
	const char *username, *password;
};
int sip_sess_invite(struct sip_sess **sessp, struct sip_stack *s, const struct sip_invite_prm *prm);
/* Credentials for a 401/407 to a session started without any: fill `user`
 * and `pass` for `realm` and return true, or false to give up. */
typedef bool(sip_cred_h)(const char *realm, char *user, size_t usz, char *pass, size_t psz,
			 void *arg);
void sip_stack_set_credentials(struct sip_stack *s, sip_cred_h *h, void *arg);

/* OPTIONS (RFC 3261 §11: a trunk's keep-alive or qualify) or MESSAGE
 * (RFC 3428) outside any dialog, one non-INVITE transaction each.  The
 * destination is an IP literal (dst_ip, or dst_host holding one; port 0:
 * 5060, 5061 over TLS); a host name gets ENOTSUP (no RFC 3263 lookup here
 * yet).  With a username, one 401/407 per challenge is answered by sending
 * it again signed (RFC 3261 §22.2).  `h` gets the final status and
 * response once (msg NULL for 408 on timeout and 503 on a transport error,
 * which may come before sip_stack_request() returns).  EINVAL for another
 * method, a missing or multi-line req_uri/from/to, a body without type or
 * a bad extra header line (checked as the INVITE's); nothing is sent then
 * and `h` is never called. */
struct sip_request_prm {
	const char *method; /* "OPTIONS" or "MESSAGE" */
	enum sip_proto proto;
	const char *dst_ip, *dst_host;
	uint16_t dst_port;
	const char *req_uri, *from, *to; /* from/to: "<sip:gw@example.net>" */
	const char *ctype, *body;	 /* or NULL */
	const char *const *extra_headers;
	const char *username, *password; /* NULL: a challenge is the answer */
};
typedef void(sip_request_h)(uint16_t status, const struct sip_msg *resp, void *arg);
int sip_stack_request(struct sip_stack *s, const struct sip_request_prm *p, sip_request_h *h,
		      void *arg);
/* The owner `arg` goes away: its pending requests end without a call. */
void sip_stack_request_forget(struct sip_stack *s, void *arg);

/* UAS: answer with 1xx, 2xx (needs a body for an offer) or 3xx-6xx.
 * UAC, from SIP_EV_PROGRESS of a reliable 1xx with an offer (our INVITE
 * had none): a 2xx with SDP is the answer, sent in the PRACK. */
int sip_sess_answer(struct sip_sess *sess, uint16_t status, const char *reason, const char *ctype,
		    const char *body);
/* The same with more headers, "Name: value" each, NULL-terminated (e.g.
 * "Retry-After: 30" on a 503, RFC 3261 §20.33), checked as the INVITE's
 * extra_headers are: EINVAL and nothing sent for a bad line. */
int sip_sess_answer_hdrs(struct sip_sess *sess, uint16_t status, const char *reason,
			 const char *ctype, const char *body, const char *const *extra_headers);
/* REFER (RFC 3515), from the SIP_EV_REFER handler only: 202 accepts it
 * (and sends the first NOTIFY, "SIP/2.0 100 Trying", §2.4.4); 4xx-6xx
 * refuses it.  EPROTO outside the handler or for another status. */
int sip_sess_refer_answer(struct sip_sess *sess, uint16_t status);
/* Send REFER (RFC 3515 §2.4.1) in a confirmed dialog: Refer-To is
 * `refer_to` (a URI, "<...>" added when missing).  Its final response comes
 * as SIP_EV_REFER_ANSWER.  EBUSY while one of ours is pending; EINVAL for
 * an empty value or one with CR/LF; EPROTO outside a confirmed dialog. */
int sip_sess_refer(struct sip_sess *sess, const char *refer_to);
/* INFO (RFC 6086), MESSAGE (RFC 3428), NOTIFY (RFC 6665) or OPTIONS in
 * the session's dialog (confirmed; early only where the stack keeps one,
 * e.g. a UAC after a reliable 1xx), with an optional body (ctype needed
 * with it) and extra headers checked as the INVITE's are (e.g. "Info-Package:
 * dtmf"; a NOTIFY needs Event and Subscription-State, RFC 6665 §8.2.3, and
 * they are the caller's); its final response comes as SIP_EV_REQUEST_ANSWER.
 * EINVAL for another method (INVITE, UPDATE, PRACK, BYE, CANCEL, ACK and
 * REFER have their own calls), a bad header line or a body without type;
 * EBUSY while one of ours is pending; EPROTO without a dialog. */
int sip_sess_request(struct sip_sess *sess, const char *method, const char *ctype,
		     const char *body, const char *const *extra_headers);
/* Progress of an accepted REFER: NOTIFY with message/sipfrag "SIP/2.0
 * <status> <reason>" (reason NULL: the standard phrase); a final status
 * (>= 200) ends the subscription (Subscription-State: terminated). */
int sip_sess_refer_notify(struct sip_sess *sess, uint16_t status, const char *reason);
/* UPDATE (RFC 3311) in an early or confirmed dialog: with an SDP offer
 * (the answer comes back as remote SDP), or without a body as a session
 * refresh (RFC 4028).  EBUSY while an offer of ours is outstanding. */
int sip_sess_update(struct sip_sess *sess, const char *ctype, const char *body);
/* UAC before a final response: CANCEL (RFC 3261 §9). */
int sip_sess_cancel(struct sip_sess *sess);
/* Either side once established (or early, UAC with a 2xx race): BYE. */
int sip_sess_bye(struct sip_sess *sess);
/* A Reason header value (RFC 3326, e.g. `Q.850;cause=17;text="User busy"`)
 * for the error response (RFC 6432), BYE or CANCEL this session sends
 * next.  EINVAL if it holds CR or LF. */
int sip_sess_set_reason(struct sip_sess *sess, const char *value);

enum sip_sess_state sip_sess_state(const struct sip_sess *sess);
const char *sip_sess_name(const struct sip_sess *sess); /* "dlg 3f2a9c{EARLY}" */
void sip_sess_set_user(struct sip_sess *sess, void *user);
void *sip_sess_user(const struct sip_sess *sess);
/* The remote party's SDP (last offer or answer), or NULL. */
const char *sip_sess_remote_sdp(const struct sip_sess *sess);

/* --- Access control (stack_access.c) --------------------------------------
 *
 * Before a new out-of-dialog request (INVITE, OPTIONS, MESSAGE, ...; not
 * ACK or CANCEL, RFC 3261 §22.1) reaches the handlers, the stack asks
 * `check` for a verdict on it and its source address:
 *   ACCEPT  the handlers get it; sip_msg_who() returns `who` (e.g. the
 *           trunk it matched);
 *   REJECT  403, the handlers never see it;
 *   DIGEST  401 with WWW-Authenticate for `realm` (expiring, non-replayable
 *           nonces, auth.h); the retry's Authorization is checked against
 *           `password` (which also names `who`): a good one is accepted,
 *           a stale nonce challenged again (stale=true), a wrong password
 *           refused (403), a forged or replayed nonce challenged afresh.
 * Without a check every request is accepted (who NULL). */
enum sip_access_kind { SIP_ACCESS_ACCEPT, SIP_ACCESS_REJECT, SIP_ACCESS_DIGEST };

struct sip_access {
	enum sip_access_kind kind;
	const void *who;
	char realm[64];
};

typedef void(sip_access_check_h)(const struct sip_msg *msg, const struct sockaddr *src,
				 struct sip_access *v, void *arg);
/* The password `username` must present in `realm`, or NULL (unknown: 403);
 * *who is what the request is accepted as. */
typedef const char *(sip_access_password_h)(const struct sip_msg *msg, const struct sockaddr *src,
					    const char *realm, const char *username,
					    const void **who, void *arg);

int sip_stack_set_access(struct sip_stack *s, sip_access_check_h *check,
			 sip_access_password_h *password, void *arg);
/* What the access check accepted the request as (NULL: no check). */
const void *sip_msg_who(const struct sip_msg *m);
/* Requests refused (403) and challenged (401) by the access check. */
void sip_stack_access_stats(const struct sip_stack *s, uint64_t *rejected, uint64_t *challenged);

/* --- Message views -------------------------------------------------------- */

const char *sip_msg_method(const struct sip_msg *m); /* NULL for a response */
uint16_t sip_msg_status(const struct sip_msg *m);    /* 0 for a request */
/* The method in CSeq: what a response answers (e.g. SIP_EV_REQUEST_ANSWER's). */
const char *sip_msg_cseq_method(const struct sip_msg *m);
const char *sip_msg_call_id(const struct sip_msg *m);
/* Body and its Content-Type (both NULL if none). */
const char *sip_msg_body(const struct sip_msg *m, size_t *len);
const char *sip_msg_ctype(const struct sip_msg *m, char *buf, size_t sz);
/* Value of the idx-th header `name` (any header, case-insensitive), or NULL. */
const char *sip_msg_header(const struct sip_msg *m, const char *name, unsigned idx);
/* Request-URI / From / To as text into buf; NULL if absent. */
const char *sip_msg_ruri(const struct sip_msg *m, char *buf, size_t sz);
const char *sip_msg_from(const struct sip_msg *m, char *buf, size_t sz);
const char *sip_msg_to(const struct sip_msg *m, char *buf, size_t sz);

#endif
