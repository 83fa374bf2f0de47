// SPDX-License-Identifier: BSD-2-Clause
/*
 * Intrusive red-black trees: the rebalancing behind lib/rbtree.h.
 *
 * What it manages: nodes embedded in the caller's structures, linked by
 * left/right/parent pointers and one colour flag. The caller owns the
 * order: it descends with its own key to the empty link where a new
 * node goes (rb_insert) and finds nodes itself; this file restores the
 * colour rules after each change with at most three rotations, as
 * CLRS (3rd ed., 13.3 and 13.4) does.
 *
 *   rotate left at x:       x                y
 *                          / \              / \
 *                         a   y     ->     x   c
 *                            / \          / \
 *                           b   c        a   b
 *
 * Invariants (rb_check() verifies each and cites its number):
 *   I1  The root is black (and has no parent).
 *   I2  No red node has a red child.
 *   I3  Every path from a node down to a NULL leaf passes the same
 *       number of black nodes, so the height is at most 2 log2(n + 1).
 *   I4  Each child's parent pointer names the node that links it.
 *   I5  An in-order walk visits the nodes in the owner's order (no
 *       node sorts before the one visited before it).
 *
 * Locking: none; the owner's lock covers the tree (vmem: the arena
 * lock).
 *
 * Failure modes: none at run time (nothing allocates, no operation can
 * fail). Misuse (erasing a node that is not in the tree) corrupts the
 * tree; rb_check reports the damage without following a loop past
 * ops->max_nodes.
 */
#include "lib/rbtree.h"

static bool rb_is_red(const struct rb_node *n)
{
	return n && n->red;
}

/* Make new take old's place as parent's child (or as the root). */
static void rb_set_child(struct rb_root *root, struct rb_node *parent,
			 struct rb_node *old, struct rb_node *new)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static void rb_rotate_left(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	rb_set_child(root, x->parent, x, y);
	y->left = x;
	x->parent = y;
}

static void rb_rotate_right(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	rb_set_child(root, x->parent, x, y);
	y->right = x;
	x->parent = y;
}

void rb_insert(struct rb_root *root, struct rb_node *z, struct rb_node *parent,
	       struct rb_node **link)
{
	struct rb_node *p;

	z->parent = parent;
	z->left = z->right = NULL;
	z->red = true;
	*link = z;

	/* Only I2 can be broken, between z and its parent. */
	while ((p = z->parent) && p->red) {
		struct rb_node *g = p->parent; /* exists: p is red (I1) */

		if (p == g->left) {
			struct rb_node *u = g->right;

			if (rb_is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				z = g;
				continue;
			}
			if (z == p->right) {
				rb_rotate_left(root, p);
				z = p;
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			rb_rotate_right(root, g);
		} else {
			struct rb_node *u = g->left;

			if (rb_is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				z = g;
				continue;
			}
			if (z == p->left) {
				rb_rotate_right(root, p);
				z = p;
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			rb_rotate_left(root, g);
		}
	}
	root->node->red = false; /* I1 */
}

/* Put v (may be NULL) where u was. */
static void rb_transplant(struct rb_root *root, struct rb_node *u,
			  struct rb_node *v)
{
	rb_set_child(root, u->parent, u, v);
	if (v)
		v->parent = u->parent;
}

/* x (may be NULL, child of xp) carries an extra black: push it up (I3). */
static void rb_erase_fixup(struct rb_root *root, struct rb_node *x,
			   struct rb_node *xp)
{
	while (x != root->node && !rb_is_red(x)) {
		/* x carries an extra black, so its sibling w is non-NULL. */
		if (x == xp->left) {
			struct rb_node *w = xp->right;

			if (w->red) {
				w->red = false;
				xp->red = true;
				rb_rotate_left(root, xp);
				w = xp->right;
			}
			if (!rb_is_red(w->left) && !rb_is_red(w->right)) {
				w->red = true;
				x = xp;
				xp = x->parent;
				continue;
			}
			if (!rb_is_red(w->right)) {
				w->left->red = false;
				w->red = true;
				rb_rotate_right(root, w);
				w = xp->right;
			}
			w->red = xp->red;
			xp->red = false;
			w->right->red = false;
			rb_rotate_left(root, xp);
		} else {
			struct rb_node *w = xp->left;

			if (w->red) {
				w->red = false;
				xp->red = true;
				rb_rotate_right(root, xp);
				w = xp->left;
			}
			if (!rb_is_red(w->left) && !rb_is_red(w->right)) {
				w->red = true;
				x = xp;
				xp = x->parent;
				continue;
			}
			if (!rb_is_red(w->left)) {
				w->right->red = false;
				w->red = true;
				rb_rotate_left(root, w);
				w = xp->left;
			}
			w->red = xp->red;
			xp->red = false;
			w->left->red = false;
			rb_rotate_right(root, xp);
		}
		x = root->node;
		break;
	}
	if (x)
		x->red = false;
}

void rb_erase(struct rb_root *root, struct rb_node *z)
{
	struct rb_node *x, *xp, *y;
	bool y_was_red = z->red;

	if (!z->left) {
		x = z->right;
		xp = z->parent;
		rb_transplant(root, z, x);
	} else if (!z->right) {
		x = z->left;
		xp = z->parent;
		rb_transplant(root, z, x);
	} else {
		/* z's successor y takes z's place and colour. */
		y = z->right;
		while (y->left)
			y = y->left;
		y_was_red = y->red;
		x = y->right;
		if (y->parent == z) {
			xp = y;
		} else {
			xp = y->parent;
			rb_transplant(root, y, x);
			y->right = z->right;
			y->right->parent = y;
		}
		rb_transplant(root, z, y);
		y->left = z->left;
		y->left->parent = y;
		y->red = z->red;
	}
	if (!y_was_red)
		rb_erase_fixup(root, x, xp);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	while (n && n->left)
		n = n->left;
	return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct rb_node *)n;
	}
	while (n->parent && n == n->parent->right)
		n = n->parent;
	return n->parent;
}

/* ------------------------------------------------------------- checker */

struct rb_check_state {
	const struct rb_check_ops *ops;
	const struct rb_node *prev; /* in order: the node visited last */
	size_t nodes;
	unsigned int depth;
	int errors;
};

static void rb_report(struct rb_check_state *c, const struct rb_node *n,
		      const char *what)
{
	c->ops->report(c->ops->arg, n, what);
	c->errors++;
}

/* Returns the black height of the subtree at n (I3). */
static int rb_check_node(struct rb_check_state *c, const struct rb_node *n,
			 const struct rb_node *parent)
{
	int lh, rh;

	if (!n)
		return 1;
	/* A red-black tree of max_nodes nodes is no deeper than this. */
	if (++c->depth > 2 * 64 || c->nodes >= c->ops->max_nodes) {
		rb_report(c, n, "tree deeper or larger than possible (loop?)");
		c->depth--;
		return 0;
	}
	c->nodes++;
	if (n->parent != parent)
		rb_report(c, n, "I4 parent link does not name its parent");
	if (n->red && (rb_is_red(n->left) || rb_is_red(n->right)))
		rb_report(c, n, "I2 red node has a red child");
	lh = rb_check_node(c, n->left, n);
	if (c->prev && c->ops->less(n, c->prev))
		rb_report(c, n, "I5 node out of order");
	c->prev = n;
	if (c->ops->visit)
		c->ops->visit(c->ops->arg, n);
	rh = rb_check_node(c, n->right, n);
	if (lh != rh)
		rb_report(c, n, "I3 black heights of the subtrees differ");
	c->depth--;
	return lh + (n->red ? 0 : 1);
}

int rb_check(const struct rb_root *root, const struct rb_check_ops *ops,
	     size_t *nodes)
{
	struct rb_check_state c = { ops, NULL, 0, 0, 0 };

	if (root->node && root->node->red)
		rb_report(&c, root->node, "I1 root is red");
	rb_check_node(&c, root->node, NULL);
	if (nodes)
		*nodes = c.nodes;
	return c.errors;
}
