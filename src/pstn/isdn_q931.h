/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A decoder of D-channel frames for traces and logs: the Q.921 header
 * (Q.921 §3), the Q.931 message header and the information elements that
 * matter to the call layer (Q.931 §4).  libpri does the protocol; this reads
 * the same bytes independently, with every length checked before every read,
 * so it can be fuzzed and can vet frames before they reach libpri.
 */
#ifndef STROWGER_PSTN_ISDN_Q931_H
#define STROWGER_PSTN_ISDN_Q931_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pstn/isdn.h"

enum isdn_l2_kind { ISDN_L2_I, ISDN_L2_S, ISDN_L2_U };

/* Q.931 protocol discriminators. */
#define Q931_PD_Q931	  0x08
#define Q931_PD_MAINT	  0x03 /* national maintenance (SERVICE) */
#define Q931_PD_MAINT_ATT 0x43

/* Message types (Q.931 §4.4 table 4-2) used by the code. */
enum {
	Q931_ALERTING = 0x01,
	Q931_CALL_PROCEEDING = 0x02,
	Q931_PROGRESS = 0x03,
	Q931_SETUP = 0x05,
	Q931_CONNECT = 0x07,
	Q931_SETUP_ACK = 0x0d,
	Q931_CONNECT_ACK = 0x0f,
	Q931_DISCONNECT = 0x45,
	Q931_RESTART = 0x46,
	Q931_RELEASE = 0x4d,
	Q931_RESTART_ACK = 0x4e,
	Q931_RELEASE_COMPLETE = 0x5a,
	Q931_STATUS_ENQUIRY = 0x75,
	Q931_INFORMATION = 0x7b,
	Q931_STATUS = 0x7d,
};

/* Information element identifiers, codeset 0 (Q.931 §4.5 table 4-3). */
enum {
	Q931_IE_BEARER_CAP = 0x04,
	Q931_IE_CAUSE = 0x08,
	Q931_IE_CALL_STATE = 0x14,
	Q931_IE_CHANNEL_ID = 0x18,
	Q931_IE_PROGRESS = 0x1e,
	Q931_IE_DISPLAY = 0x28,
	Q931_IE_KEYPAD = 0x2c,
	Q931_IE_CALLING = 0x6c,
	Q931_IE_CALLED = 0x70,
	Q931_IE_REDIRECTING = 0x74,
	Q931_IE_RESTART_IND = 0x79,
	Q931_IE_SENDING_COMPLETE = 0xa1,
};

struct isdn_frame {
	/* Q.921 */
	uint8_t sapi, tei;
	bool cr; /* command/response bit as sent */
	enum isdn_l2_kind kind;
	uint8_t ctl; /* S and U: the control octet without P/F */
	uint8_t ns, nr;
	bool pf;
	/* Q.931: I or UI frames on SAPI 0 with a message */
	bool has_l3;
	uint8_t pd;
	uint8_t cref_len;
	uint16_t cref;
	bool cref_flag; /* set: sent by the side that did not allocate it */
	uint8_t mt;
	unsigned n_ies, n_unknown;
	/* Main information elements */
	bool has_cause, has_chan, has_progress, has_bearer, has_restart;
	bool has_called, has_calling, has_redirecting, has_call_state;
	bool complete;
	uint8_t cause, location;
	int chan; /* -1: any, 0: none, else the B-channel */
	bool exclusive;
	uint8_t progress, bc_cap, bc_l1, restart_class, call_state;
	struct isdn_number called, calling, redirecting;
};

/* Decode `len` bytes (no FCS).  0, or EBADMSG with a fixed reason in *why
 * (what is decoded so far stays in `f`). */
int isdn_frame_decode(struct isdn_frame *f, const uint8_t *buf, size_t len, const char **why);
/* The Q.931 message type of an I-frame on SAPI 0 with protocol
 * discriminator 0x08, or -1: a quick look without a full decode. */
int isdn_frame_mt(const uint8_t *buf, size_t len);
/* One readable line (no newline) into out; returns the length written. */
size_t isdn_frame_format(const struct isdn_frame *f, char *out, size_t outlen);

const char *isdn_q931_mt_name(uint8_t pd, uint8_t mt);
const char *isdn_q850_name(unsigned cause);

#endif
