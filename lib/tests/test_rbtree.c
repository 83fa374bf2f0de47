// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of lib/rbtree.c: random inserts and erases of keyed nodes
 * mirrored in a presence model, with rb_check() and an in-order walk
 * compared against the model after every step; sorted and reversed
 * insertion orders (the rotation-heavy cases); and rb_check() reporting
 * each kind of corruption.
 */
#include <stdlib.h>

#include "lib/kernel.h"
#include "lib/rand.h"
#include "lib/rbtree.h"
#include "lib/tests/host_ktest.h"

#define KEYS 512
#define RANDOM_STEPS 20000

struct item {
	struct rb_node rb;
	unsigned int key;
	bool in; /* linked in the tree (the model) */
};

static struct item items[KEYS];
static int reports;

static struct item *item_of(const struct rb_node *n)
{
	return container_of(n, struct item, rb);
}

static bool item_less(const struct rb_node *a, const struct rb_node *b)
{
	return item_of(a)->key < item_of(b)->key;
}

static void count_report(void *arg, const struct rb_node *n, const char *what)
{
	(void)arg, (void)n, (void)what;
	reports++;
}

static const struct rb_check_ops check_ops = { item_less, count_report, NULL,
					       NULL, KEYS };

static void item_insert(struct rb_root *root, struct item *it)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = it->key < item_of(parent)->key ? &parent->left
						      : &parent->right;
	}
	rb_insert(root, &it->rb, parent, link);
	it->in = true;
}

static struct item *item_find(const struct rb_root *root, unsigned int key)
{
	struct rb_node *n = root->node;

	while (n && item_of(n)->key != key)
		n = key < item_of(n)->key ? n->left : n->right;
	return n ? item_of(n) : NULL;
}

/* Height of the tree (longest path, in nodes). */
static unsigned int height(const struct rb_node *n)
{
	unsigned int l, r;

	if (!n)
		return 0;
	l = height(n->left);
	r = height(n->right);
	return 1 + (l > r ? l : r);
}

/*
 * Expect root to be a valid red-black tree holding exactly the items
 * marked in, in key order, no higher than 2 log2(n + 1).
 */
static void expect_matches(struct ktest *t, const struct rb_root *root)
{
	const struct rb_node *n = rb_first(root);
	size_t nodes = 0, in = 0;

	reports = 0;
	KTEST_EXPECT_EQ(t, rb_check(root, &check_ops, &nodes), 0);
	KTEST_EXPECT_EQ(t, reports, 0);
	for (unsigned int k = 0; k < KEYS; k++) {
		if (!items[k].in)
			continue;
		in++;
		KTEST_EXPECT(t, n == &items[k].rb);
		if (n != &items[k].rb)
			return;
		n = rb_next(n);
	}
	KTEST_EXPECT(t, n == NULL);
	KTEST_EXPECT_EQ(t, nodes, in);
	KTEST_EXPECT_LE(t, height(root->node), 2 * (ilog2_u64(in + 1) + 1));
}

static void items_reset(void)
{
	for (unsigned int k = 0; k < KEYS; k++)
		items[k] = (struct item){ .key = k };
}

/*
 * Scenario: 20000 random steps on keys 0..511: insert a key not in the
 * tree or erase one that is (each found by a descent), in proportions
 * that fill the tree to about half and drain it again. Expect after
 * every step: rb_check() clean, the in-order walk equal to the model's
 * keys in order, the node count and the height bound; finally erasing
 * every key leaves an empty tree.
 */
static void rbtree_random_vs_model(struct ktest *t)
{
	struct rb_root root = RB_ROOT_INIT;
	struct rand_state r;
	unsigned long inserts = 0, erases = 0;

	items_reset();
	rand_seed(&r, 0xb1ac4);
	for (int step = 0; step < RANDOM_STEPS && t->failures == 0; step++) {
		unsigned int k = (unsigned int)rand_below(&r, KEYS);

		if (!items[k].in) {
			KTEST_EXPECT(t, item_find(&root, k) == NULL);
			item_insert(&root, &items[k]);
			inserts++;
		} else {
			KTEST_EXPECT(t, item_find(&root, k) == &items[k]);
			rb_erase(&root, &items[k].rb);
			items[k].in = false;
			erases++;
		}
		expect_matches(t, &root);
	}
	for (unsigned int k = 0; k < KEYS; k++) {
		if (items[k].in) {
			rb_erase(&root, &items[k].rb);
			items[k].in = false;
		}
	}
	expect_matches(t, &root);
	KTEST_EXPECT(t, root.node == NULL);
	ktest_info(t, "inserts %lu erases %lu", inserts, erases);
	KTEST_EXPECT_GT(t, erases, RANDOM_STEPS / 4);
}

/*
 * Scenario: all 512 keys inserted in ascending order, then erased in
 * ascending order; then inserted in descending order and erased from
 * the root down. Expect a valid tree within the height bound after
 * every step and an empty tree at the end of each pass.
 */
static void rbtree_sorted_orders(struct ktest *t)
{
	struct rb_root root = RB_ROOT_INIT;

	items_reset();
	for (unsigned int k = 0; k < KEYS; k++) {
		item_insert(&root, &items[k]);
		expect_matches(t, &root);
	}
	for (unsigned int k = 0; k < KEYS; k++) {
		rb_erase(&root, &items[k].rb);
		items[k].in = false;
		expect_matches(t, &root);
	}
	KTEST_EXPECT(t, root.node == NULL);
	for (unsigned int k = KEYS; k-- > 0;)
		item_insert(&root, &items[k]);
	expect_matches(t, &root);
	while (root.node) {
		struct item *it = item_of(root.node);

		rb_erase(&root, root.node);
		it->in = false;
		expect_matches(t, &root);
	}
}

/*
 * Scenario: a valid tree of 15 keys, then one corruption at a time: the
 * root made red, a red node given a red child, a child's parent link
 * pointed elsewhere, two keys swapped out of order, a loop through a
 * child link. Expect rb_check() to report at least one violation for
 * each (and stop on the loop), and none once each is undone.
 */
static void rbtree_check_detects_corruption(struct ktest *t)
{
	struct rb_root root = RB_ROOT_INIT;
	struct rb_node *n, *saved;
	bool red, child_red;

	items_reset();
	for (unsigned int k = 0; k < 15; k++)
		item_insert(&root, &items[k]);
	expect_matches(t, &root);

	root.node->red = true;
	KTEST_EXPECT_GT(t, rb_check(&root, &check_ops, NULL), 0);
	root.node->red = false;

	/* A red node's child made red too (a leaf's parent: has a child). */
	n = root.node->left;
	KTEST_ASSERT_NOT_NULL(t, n->left);
	red = n->red;
	child_red = n->left->red;
	n->red = true;
	n->left->red = true;
	KTEST_EXPECT_GT(t, rb_check(&root, &check_ops, NULL), 0);
	n->left->red = child_red;
	n->red = red;
	KTEST_EXPECT_EQ(t, rb_check(&root, &check_ops, NULL), 0);

	n = root.node->right;
	saved = n->parent;
	n->parent = root.node->left;
	KTEST_EXPECT_GT(t, rb_check(&root, &check_ops, NULL), 0);
	n->parent = saved;

	item_of(root.node->left)->key += 100;
	KTEST_EXPECT_GT(t, rb_check(&root, &check_ops, NULL), 0);
	item_of(root.node->left)->key -= 100;

	n = rb_first(&root);
	n->left = root.node; /* a cycle */
	KTEST_EXPECT_GT(t, rb_check(&root, &check_ops, NULL), 0);
	n->left = NULL;
	expect_matches(t, &root);
}

static const struct ktest_case rbtree_cases[] = {
	KTEST_CASE(rbtree_random_vs_model),
	KTEST_CASE(rbtree_sorted_orders),
	KTEST_CASE(rbtree_check_detects_corruption),
	KTEST_END,
};
static const struct ktest_suite rbtree_suite = { "rbtree", rbtree_cases, NULL,
						 NULL };

KTEST_HOST_MAIN(&rbtree_suite)
