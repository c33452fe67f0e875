/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prefix index over called numbers.
 *
 * Each rule whose called-number condition is a plain prefix, or an anchored
 * regex that begins with literal digits, hangs on the trie node for those
 * digits.  A lookup walks the number once and returns, for every node on
 * the path, its rule ids in file order; the matcher merges those lists with
 * the rules the trie cannot hold.  So a decision looks only at rules that
 * could match, wherever they sit in the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call/route_int.h"

#define TRIE_FANOUT 13 /* 0-9 * # + */

struct trie_node {
	unsigned child[TRIE_FANOUT]; /* node index, 0: none (0 is the root) */
	unsigned *ids;
	unsigned n_ids, cap_ids;
};

struct route_trie {
	struct trie_node *nodes;
	unsigned n_nodes, cap_nodes;
};

static int sym(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c == '*')
		return 10;
	if (c == '#')
		return 11;
	if (c == '+')
		return 12;
	return -1;
}

void route_trie_free(struct route_trie *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->n_nodes; i++)
		free(t->nodes[i].ids);
	free(t->nodes);
	free(t);
}

static int trie_node_new(struct route_trie *t, unsigned *idx)
{
	struct trie_node *n = route_grow(t->nodes, t->n_nodes, &t->cap_nodes, sizeof(*n));
	if (!n)
		return ENOMEM;
	t->nodes = n;
	memset(&t->nodes[t->n_nodes], 0, sizeof(*n));
	*idx = t->n_nodes++;
	return 0;
}

static int trie_insert(struct route_trie *t, const char *key, unsigned id)
{
	unsigned cur = 0;

	for (; *key; key++) {
		int s = sym(*key);
		if (s < 0)
			return EINVAL;
		if (!t->nodes[cur].child[s]) {
			unsigned nn;
			int err = trie_node_new(t, &nn);
			if (err)
				return err;
			t->nodes[cur].child[s] = nn;
		}
		cur = t->nodes[cur].child[s];
	}
	struct trie_node *n = &t->nodes[cur];
	unsigned *ids = route_grow(n->ids, n->n_ids, &n->cap_ids, sizeof(*ids));
	if (!ids)
		return ENOMEM;
	n->ids = ids;
	n->ids[n->n_ids++] = id;
	return 0;
}

/* Literal head of an anchored regex.  Stops at the first metacharacter;
 * a literal followed by a quantifier that allows zero (or more) of it is
 * dropped.  Any '|' makes the regex unindexable (the alternation might be
 * at the top level). */
size_t route_regex_literal(const char *re, char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	if (re[0] != '^' || strchr(re, '|'))
		return 0;
	for (const char *p = re + 1; *p && n + 1 < outsz;) {
		char c = *p;
		size_t adv = 1;
		if (c == '\\' && (p[1] == '+' || p[1] == '*' || p[1] == '#')) {
			c = p[1];
			adv = 2;
		} else if (!((c >= '0' && c <= '9') || c == '#')) {
			break;
		}
		char q = p[adv];
		if (q == '?' || q == '*' || q == '{')
			break;
		out[n++] = c;
		if (q == '+')
			break;
		p += adv;
	}
	out[n] = '\0';
	return n;
}

static int trie_add_rule(struct route_set *set, struct route_rule *r, unsigned **un,
			 unsigned *cap_un)
{
	const struct route_numcond *c = &r->num[RF_CALLED];
	char lit[ROUTE_NUM_MAX + 1];
	const char *key = NULL;

	if (c->kind == RN_PREFIX)
		key = c->text;
	else if (c->kind == RN_REGEX && route_regex_literal(c->text, lit, sizeof(lit)))
		key = lit;
	if (key && sym(key[0]) >= 0) {
		r->indexed = true;
		return trie_insert(set->trie, key, r->id);
	}
	unsigned *p = route_grow(*un, set->n_unindexed, cap_un, sizeof(unsigned));
	if (!p)
		return ENOMEM;
	*un = p;
	p[set->n_unindexed++] = r->id;
	return 0;
}

int route_trie_build(struct route_set *set)
{
	unsigned root, cap_un = 0;
	unsigned *un = NULL;
	int err;

	set->trie = calloc(1, sizeof(*set->trie));
	if (!set->trie)
		return ENOMEM;
	err = trie_node_new(set->trie, &root);
	for (unsigned i = 0; !err && i < set->n_rules; i++)
		err = trie_add_rule(set, &set->rules[i], &un, &cap_un);
	set->unindexed = un;
	return err;
}

void route_trie_lookup(const struct route_trie *t, const char *digits, struct route_cands *c)
{
	unsigned cur = 0;

	c->n = 0;
	for (const char *p = digits;; p++) {
		const struct trie_node *n = &t->nodes[cur];
		if (n->n_ids) {
			c->list[c->n] = n->ids;
			c->len[c->n++] = n->n_ids;
		}
		int s = *p ? sym(*p) : -1;
		if (s < 0 || !n->child[s] || c->n >= ROUTE_NUM_MAX + 1)
			return;
		cur = n->child[s];
	}
}
