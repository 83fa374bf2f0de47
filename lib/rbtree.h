/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Intrusive red-black trees (the algorithms of CLRS, chapter 13), in the
 * manner of Linux's lib/rbtree.c: the node lives inside the caller's
 * structure (container_of), the caller descends the tree with its own
 * key to find where a node goes, and this file only links, rebalances,
 * unlinks and checks. Every operation is O(log n); nothing allocates.
 *
 *             root.node
 *                 |
 *              [ b:B ]            each node: left, right, parent, red
 *              /     \            (NULL children are black leaves)
 *          [ a:R ]  [ c:R ]
 *
 * No locking: a tree is its owner's, and the owner's lock covers it.
 */
#ifndef LIB_RBTREE_H
#define LIB_RBTREE_H

#include <stdbool.h>
#include <stddef.h>

struct rb_node {
	struct rb_node *left, *right, *parent;
	bool red;
};

struct rb_root {
	struct rb_node *node; /* NULL: empty */
};

#define RB_ROOT_INIT                                                           \
	{                                                                      \
		NULL                                                           \
	}

/*
 * Link node into root as the child *link of parent, where the caller's
 * descent from root->node ended (parent NULL and link &root->node for an
 * empty tree), then rebalance.
 */
void rb_insert(struct rb_root *root, struct rb_node *node,
	       struct rb_node *parent, struct rb_node **link);

/* Unlink node (which must be in root) and rebalance. */
void rb_erase(struct rb_root *root, struct rb_node *node);

/* The first (leftmost) node, or NULL for an empty tree. */
struct rb_node *rb_first(const struct rb_root *root);
/* The node after n in order, or NULL after the last. */
struct rb_node *rb_next(const struct rb_node *n);

/* What rb_check() needs from the tree's owner. */
struct rb_check_ops {
	/* True when a sorts before b (the owner's strict order). */
	bool (*less)(const struct rb_node *a, const struct rb_node *b);
	/*
	 * Called once per violation: at node n (NULL for the tree as a
	 * whole), what is a fixed description ("red node has a red child").
	 */
	void (*report)(void *arg, const struct rb_node *n, const char *what);
	/* Optional: called for each node in order, for the owner's checks. */
	void (*visit)(void *arg, const struct rb_node *n);
	void *arg;
	/* More nodes than this is a loop: the walk stops and reports it. */
	size_t max_nodes;
};

/*
 * Check root: black root, no red node with a red child, the same number
 * of black nodes on every path, parent links that match, in-order nodes
 * never out of ops->less order. Reports each violation through ops and
 * returns their count; *nodes (optional) gets the nodes walked.
 */
int rb_check(const struct rb_root *root, const struct rb_check_ops *ops,
	     size_t *nodes);

#endif /* LIB_RBTREE_H */
