/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * D-channel traces as pcap files with link type 177, LINKTYPE_LINUX_LAPD:
 * each frame is preceded by a 16-byte header in the layout of Linux
 * "cooked" captures, all fields big-endian:
 *
 *   0  packet type   0 = sent to us, 4 = sent by us
 *   2  ARPHRD type   ARPHRD_LAPD (8445)
 *   4  address len   1
 *   6  address[8]    byte 0: 1 if we are the network side, else 0
 *  14  protocol      ETH_P_LAPD (0x0030)
 *
 * Wireshark uses the direction and the network flag to tell commands from
 * responses, then decodes Q.921 and Q.931 (the frame is without FCS).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "pstn/isdn.h"

#define LINKTYPE_LINUX_LAPD 177
#define LAPD_HDR_LEN	    16
#define PCAP_SNAPLEN	    65535

struct isdn_pcap {
	FILE *f;
	struct clk *clk;
};

static void pcap_destroy(void *data)
{
	struct isdn_pcap *pc = data;
	if (pc->f)
		fclose(pc->f);
	mem_deref(pc->clk);
}

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The file header is written in host order with the magic that says so;
 * readers detect the order from the magic. */
int isdn_pcap_open(struct isdn_pcap **pcp, const char *path, struct clk *clk)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = {0xa1b2c3d4u, 2, 4, 0, 0, PCAP_SNAPLEN, LINKTYPE_LINUX_LAPD};

	if (!pcp || !path || !clk)
		return EINVAL;
	struct isdn_pcap *pc = mem_zalloc(sizeof(*pc), pcap_destroy);
	if (!pc)
		return ENOMEM;
	pc->clk = mem_ref(clk);
	pc->f = fopen(path, "wb");
	if (!pc->f) {
		int rc = errno;
		mem_deref(pc);
		return rc;
	}
	if (fwrite(&hdr, sizeof(hdr), 1, pc->f) != 1) {
		mem_deref(pc);
		return EIO;
	}
	*pcp = pc;
	return 0;
}

int isdn_pcap_write(struct isdn_pcap *pc, const uint8_t *frame, size_t len, bool outgoing,
		    bool we_network)
{
	uint8_t lapd[LAPD_HDR_LEN] = {0};
	struct {
		uint32_t sec, usec, caplen, len;
	} rec;

	if (!pc || !pc->f || (!frame && len) || len > PCAP_SNAPLEN - LAPD_HDR_LEN)
		return EINVAL;
	uint64_t now = clk_wall(pc->clk);
	rec.sec = (uint32_t)(now / NS_PER_S);
	rec.usec = (uint32_t)(now % NS_PER_S / NS_PER_US);
	rec.caplen = rec.len = (uint32_t)(len + LAPD_HDR_LEN);
	put16be(lapd + 0, outgoing ? 4 : 0);
	put16be(lapd + 2, 8445);
	put16be(lapd + 4, 1);
	lapd[6] = we_network ? 1 : 0;
	put16be(lapd + 14, 0x0030);
	if (fwrite(&rec, sizeof(rec), 1, pc->f) != 1 || fwrite(lapd, sizeof(lapd), 1, pc->f) != 1 ||
	    (len && fwrite(frame, len, 1, pc->f) != 1))
		return EIO;
	return 0;
}
