/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/txn_merge: merged-request detection (RFC 3261 §8.2.2.2).
 *
 * A request without a To tag that carries the From tag, Call-ID and CSeq
 * of a server transaction still in progress, but did not match it by the
 * §17.2.3 rules (another branch: it came a second way, e.g. forked by a
 * proxy upstream), is a merged request; the UAS answers it 482 (Loop
 * Detected) and no more.  Every out-of-dialog server transaction is kept
 * in a second hash under that triple for its whole life (lingering and
 * RFC 6026's accepted state included); the one that finds an earlier entry
 * is marked merged and is not indexed itself.
 */
#include <stdlib.h>
#include <string.h>

#include "sip/txn_priv.h"

static struct sip_txn *merge_find(struct sip_txl *l, const char *key, uint32_t h)
{
	struct le *b = hash_bucket(l->merge, h), *e;

	list_for_each(b, e)
	{
		struct sip_txn *t = container_of(e, struct sip_txn, mhe.le);

		if (t->mhe.key == h && !strcmp(t->mkey, key))
			return t;
	}
	return NULL;
}

bool sip_txn_merge_check(struct sip_txn *t, const osip_message_t *req)
{
	struct sip_txl *l = t->l;
	char *key;
	uint32_t h;

	if (sip_msg_tag(req->to) || !(key = sip_txn_merge_key(req)))
		return false; /* in a dialog, or no From tag (RFC 2543): not checked */
	h = hash_fnv(key, strlen(key), HASH_SEED);
	if (merge_find(l, key, h)) {
		free(key);
		t->merged = true;
		return true;
	}
	t->mkey = key;
	hash_insert(l->merge, &t->mhe, h);
	return false;
}

void sip_txn_merge_unlink(struct sip_txn *t)
{
	hash_remove(t->l->merge, &t->mhe);
}

bool sip_txn_merged(const struct sip_txn *t)
{
	return t->merged;
}
