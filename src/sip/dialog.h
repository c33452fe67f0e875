/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/dialog: dialog state (RFC 3261 §12): Call-ID, tags, local and remote
 * URIs, remote target, route set, CSeq numbers.  A dialog builds in-dialog
 * requests (§12.2.1.1, loose and strict routing per §16.12.1.2) and checks
 * incoming ones (§12.2.2: CSeq must grow, else 500).
 *
 * Where in-dialog requests go: the first Route, else the remote target, if
 * it is an IP literal; a host name is located per RFC 3263 by
 * session_hop.c, which keeps the answer here (hop_*); until it has one,
 * the address the dialog was set up with.
 */
#ifndef STROWGER_SIP_DIALOG_H
#define STROWGER_SIP_DIALOG_H

#include "sip/txn.h"

struct sip_dlg {
	char *call_id, *ltag, *rtag; /* call_id: the part before '@' (log names) */
	char *call_id_text;	     /* the whole Call-ID, as requests must carry it */
	osip_from_t *local, *remote; /* From/To as we send them */
	osip_uri_t *target;	     /* remote target (Contact) */
	osip_list_t routes;	     /* osip_route_t, in sending order */
	uint32_t lcseq, rcseq;
	bool rcseq_set, uac;
	struct sip_peer peer;
	char name[48];
	/* The next hop's host name located (session_hop.c, RFC 3263 §4). */
	char hop_name[64];
	uint16_t hop_port;	   /* as in the URI; 0: none */
	bool hop_ok;		   /* hop_addr holds its first target */
	bool hop_failed;	   /* the lookup of hop_name found nothing */
	struct sip_sa hop_addr;
	struct sip_res_req *hop_req; /* the lookup under way */
};

/* The next hop of an in-dialog request: first Route, else the target. */
const osip_uri_t *sip_dlg_next_hop(const struct sip_dlg *d);

/* UAS side, from the dialog-creating request; `ltag` is our To tag. */
int sip_dlg_uas(struct sip_dlg **dp, const osip_message_t *req, const char *ltag,
		const struct sip_peer *peer);
/* UAC side, from our request and the response that creates the dialog. */
int sip_dlg_uac(struct sip_dlg **dp, const osip_message_t *req, const osip_message_t *resp,
		const struct sip_peer *peer);
/* A request in the dialog.  cseq 0: take the next local CSeq. */
int sip_dlg_request(struct sip_dlg *d, const char *method, uint32_t cseq,
		    const struct sip_sa *via_addr, enum sip_proto proto, osip_message_t **reqp,
		    struct sip_peer *dst);
/* §12.2.2 checks for an incoming in-dialog request: 0 or a status. */
uint16_t sip_dlg_rx_request(struct sip_dlg *d, const osip_message_t *req);
/* Target refresh (§12.2.2, re-INVITE/UPDATE and their 2xx). */
void sip_dlg_refresh_target(struct sip_dlg *d, const osip_message_t *m);

/* Index key of a dialog: the whole Call-ID and our tag. */
uint32_t sip_dlg_hash(const osip_call_id_t *cid, const char *ltag);
/* The Call-ID as text ("number@host"), osip_malloc'd, or NULL. */
char *sip_dlg_cid_text(const osip_call_id_t *cid);
/* Whether `text` (from sip_dlg_cid_text) is `cid`, compared exactly. */
bool sip_dlg_cid_eq(const char *text, const osip_call_id_t *cid);

/* A Via for a request we send: "SIP/2.0/UDP host:port;branch=z9hG4bK…;rport". */
int sip_msg_add_via(osip_message_t *m, enum sip_proto proto, const struct sip_sa *local);
/* Contact: <sip:host:port;transport=tcp> */
int sip_msg_add_contact(osip_message_t *m, enum sip_proto proto, const struct sip_sa *local);
/* For a response to `req` (a SIPS request over TLS gets a SIPS Contact). */
int sip_msg_add_contact_for(osip_message_t *m, const osip_message_t *req, enum sip_proto proto,
			    const struct sip_sa *local);

#endif
