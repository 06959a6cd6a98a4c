/* frames.c - see frames.h. */
#include "model/frames.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Most SMTP sessions without a message body fit in one or two; a chain's
 * first chunk is small, so that a SYN flood's sessions of one frame each
 * hold a quarter of it. */
#define CHUNK_SIZE ((size_t)4 << 10)
#define FIRST_SIZE ((size_t)1 << 10)
/* Spare chunks kept for reuse (16 MiB): a busy capture starts and ends
 * sessions at a steady rate, so chunks go round without malloc. */
#define SPARE_MAX 4096

struct fr_chunk {
	struct fr_chunk *next;
	uint32_t used, cap; /* bytes of data */
	uint32_t frames;
	uint32_t spare;
	uint8_t data[];
};

/* A frame's record in a chunk: the header, then the bytes, 8-aligned. */
struct fr_rec {
	uint64_t seq;
	int64_t sec;
	uint32_t usec, caplen, len, spare;
};

struct fr_pool {
	pthread_mutex_t lock;
	size_t max, used, peak;
	struct fr_chunk *spare[2]; /* CHUNK_SIZE, FIRST_SIZE */
	size_t n_spare[2];
};

static size_t rec_size(uint32_t caplen)
{
	return (sizeof(struct fr_rec) + caplen + 7) & ~(size_t)7;
}

struct fr_pool *fr_pool_new(size_t max_bytes)
{
	struct fr_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	p->max = max_bytes;
	return p;
}

void fr_pool_free(struct fr_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < 2; i++)
		while (p->spare[i]) {
			struct fr_chunk *k = p->spare[i];
			p->spare[i] = k->next;
			free(k);
		}
	pthread_mutex_destroy(&p->lock);
	free(p);
}

size_t fr_pool_used(struct fr_pool *p)
{
	size_t n;
	pthread_mutex_lock(&p->lock);
	n = p->used;
	pthread_mutex_unlock(&p->lock);
	return n;
}

size_t fr_pool_peak(struct fr_pool *p)
{
	size_t n;
	pthread_mutex_lock(&p->lock);
	n = p->peak;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* The spare list of chunks of that size, or -1 (not kept). */
static int size_class(size_t size)
{
	return size == CHUNK_SIZE ? 0 : size == FIRST_SIZE ? 1 : -1;
}

/* A chunk with room for need bytes of data (a small one for a chain's
 * first), or NULL (the cap, or OOM).  Frames larger than a chunk get one
 * of their own size. */
static struct fr_chunk *chunk_get(struct fr_pool *p, size_t need, bool first)
{
	size_t std = (first && need <= FIRST_SIZE - sizeof(struct fr_chunk)
			      ? FIRST_SIZE
			      : CHUNK_SIZE) -
		     sizeof(struct fr_chunk);
	size_t cap = need > std ? need : std;
	size_t size = sizeof(struct fr_chunk) + cap;
	int cls = size_class(size);
	struct fr_chunk *k = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->used + size > p->max) {
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	if (cls >= 0 && (k = p->spare[cls])) {
		p->spare[cls] = k->next;
		p->n_spare[cls]--;
	}
	p->used += size;
	if (p->used > p->peak)
		p->peak = p->used;
	pthread_mutex_unlock(&p->lock);
	if (!k && !(k = malloc(size))) {
		pthread_mutex_lock(&p->lock);
		p->used -= size;
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	k->next = NULL;
	k->used = 0;
	k->cap = (uint32_t)cap;
	k->frames = 0;
	return k;
}

static void chunk_put(struct fr_pool *p, struct fr_chunk *k)
{
	size_t size = sizeof(struct fr_chunk) + k->cap;
	int cls = size_class(size);
	pthread_mutex_lock(&p->lock);
	p->used -= size;
	if (cls >= 0 && p->n_spare[cls] < SPARE_MAX) {
		k->next = p->spare[cls];
		p->spare[cls] = k;
		p->n_spare[cls]++;
		k = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	free(k);
}

bool fr_chain_drop_first(struct fr_pool *p, struct fr_chain *c)
{
	struct fr_chunk *k = c->head;
	if (!k)
		return false;
	if (!(c->head = k->next))
		c->tail = NULL;
	if (c->pinned == k)
		c->pinned = NULL;
	c->bytes -= sizeof(*k) + k->cap;
	c->frames -= k->frames;
	c->dropped += k->frames;
	chunk_put(p, k);
	return true;
}

/* Past the session's cap: the oldest chunk after the kept beginning goes
 * (never the one being filled), so the end of the session stays. */
static void trim_middle(struct fr_pool *p, struct fr_chain *c, size_t max)
{
	while (c->bytes > max && c->pinned && c->pinned->next &&
	       c->pinned->next != c->tail) {
		struct fr_chunk *k = c->pinned->next;
		c->pinned->next = k->next;
		c->bytes -= sizeof(*k) + k->cap;
		c->frames -= k->frames;
		c->dropped += k->frames;
		chunk_put(p, k);
	}
}

bool fr_chain_add(struct fr_pool *p, struct fr_chain *c,
		  const struct fr_frame *f, size_t per_session_max)
{
	size_t need = rec_size(f->caplen);
	struct fr_chunk *k = c->tail;
	struct fr_rec *r;

	if (!k || k->cap - k->used < need) {
		bool head_part = c->bytes < per_session_max / 2;
		if (!(k = chunk_get(p, need, !c->head))) {
			c->dropped++;
			return false;
		}
		if (c->tail)
			c->tail->next = k;
		else
			c->head = k;
		c->tail = k;
		c->bytes += sizeof(*k) + k->cap;
		if (head_part || !per_session_max)
			c->pinned = k;
		if (per_session_max)
			trim_middle(p, c, per_session_max);
	}
	r = (struct fr_rec *)(k->data + k->used);
	*r = (struct fr_rec){f->seq, f->sec, f->usec, f->caplen, f->len, 0};
	memcpy(r + 1, f->bytes, f->caplen);
	k->used += (uint32_t)need;
	k->frames++;
	c->frames++;
	return true;
}

void fr_chain_release(struct fr_pool *p, struct fr_chain *c)
{
	uint64_t dropped = c->dropped;
	while (fr_chain_drop_first(p, c))
		;
	*c = (struct fr_chain){0};
	c->dropped = dropped;
}

static void read_rec(const struct fr_chunk *k, size_t off, struct fr_frame *f)
{
	const struct fr_rec *r = (const struct fr_rec *)(k->data + off);
	*f = (struct fr_frame){r->seq, r->sec, r->usec, r->caplen, r->len,
			       (const uint8_t *)(r + 1)};
}

bool fr_first(const struct fr_chain *c, struct fr_cursor *cur,
	      struct fr_frame *f)
{
	cur->k = c->head;
	cur->off = 0;
	while (cur->k && cur->k->used == 0)
		cur->k = cur->k->next;
	if (!cur->k)
		return false;
	read_rec(cur->k, 0, f);
	return true;
}

bool fr_next(struct fr_cursor *cur, struct fr_frame *f)
{
	const struct fr_rec *r;
	if (!cur->k)
		return false;
	r = (const struct fr_rec *)(cur->k->data + cur->off);
	cur->off += rec_size(r->caplen);
	while (cur->k && cur->off >= cur->k->used) {
		cur->k = cur->k->next;
		cur->off = 0;
	}
	if (!cur->k)
		return false;
	read_rec(cur->k, cur->off, f);
	return true;
}

/* ---- DNS frames ---- */

struct dns_entry {
	uint64_t seq;
	double ts;
	const struct fr_chunk *k;
	uint32_t off;
	bool taken;
};

struct fr_dns {
	struct fr_pool *pool; /* borrowed */
	size_t max;
	struct fr_chain chain;
	/* one entry per frame held, oldest first, in a circular array */
	struct dns_entry *ent;
	size_t cap, first, n;
};

struct fr_dns *fr_dns_new(struct fr_pool *p, size_t max_bytes)
{
	struct fr_dns *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->pool = p;
	d->max = max_bytes;
	return d;
}

void fr_dns_free(struct fr_dns *d)
{
	if (!d)
		return;
	fr_chain_release(d->pool, &d->chain);
	free(d->ent);
	free(d);
}

static struct dns_entry *entry(const struct fr_dns *d, size_t i)
{
	return &d->ent[(d->first + i) % d->cap];
}

/* The oldest chunk goes, and with it the entries of its frames. */
static void drop_oldest(struct fr_dns *d)
{
	uint32_t n = d->chain.head->frames;
	fr_chain_drop_first(d->pool, &d->chain);
	d->first = (d->first + n) % d->cap;
	d->n -= n;
}

static bool grow(struct fr_dns *d)
{
	size_t cap = d->cap ? d->cap * 2 : 1024;
	struct dns_entry *v = malloc(cap * sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < d->n; i++)
		v[i] = *entry(d, i);
	free(d->ent);
	d->ent = v;
	d->cap = cap;
	d->first = 0;
	return true;
}

bool fr_dns_add(struct fr_dns *d, const struct fr_frame *f)
{
	const struct fr_chunk *k;
	struct dns_entry *e;
	if (d->n == d->cap && !grow(d))
		return false;
	while (d->chain.head && d->chain.bytes + rec_size(f->caplen) > d->max)
		drop_oldest(d);
	if (!fr_chain_add(d->pool, &d->chain, f, 0))
		return false;
	k = d->chain.tail;
	e = entry(d, d->n++);
	*e = (struct dns_entry){f->seq, (double)f->sec + f->usec / 1e6, k,
				(uint32_t)(k->used - rec_size(f->caplen)),
				false};
	return true;
}

void fr_dns_expire(struct fr_dns *d, double t)
{
	/* a chunk goes when its newest frame is older than t */
	while (d->chain.head && d->chain.head != d->chain.tail &&
	       entry(d, d->chain.head->frames - 1)->ts < t)
		drop_oldest(d);
}

int fr_dns_take(struct fr_dns *d, uint64_t seq, struct fr_frame *f)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) { /* sequence numbers grow along the entries */
		size_t mid = lo + (hi - lo) / 2;
		if (entry(d, mid)->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == d->n || entry(d, lo)->seq != seq)
		return -1;
	if (entry(d, lo)->taken)
		return 0;
	entry(d, lo)->taken = true;
	read_rec(entry(d, lo)->k, entry(d, lo)->off, f);
	return 1;
}

uint64_t fr_dns_oldest_untaken(const struct fr_dns *d, double t)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) { /* times grow along the entries, near enough */
		size_t mid = lo + (hi - lo) / 2;
		if (entry(d, mid)->ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->n; lo++)
		if (!entry(d, lo)->taken)
			return entry(d, lo)->seq;
	return UINT64_MAX;
}
