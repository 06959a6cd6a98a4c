/* report_writer.c - see report_writer.h.  One mutex guards a ring of
 * objects in flight and the free arenas; each side waits on its own
 * condition only when it has nothing to do. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "report_writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jarena.h"
#include "report_json.h"

#define RW_DEPTH 64 /* objects in flight (each with its arena) */

struct rw_item {
	json_t *o;
	struct jarena *arena;
	FILE *f;
	const char *prefix, *indent, *suffix;
};

struct rw {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t has_items, has_room;
	struct rw_item q[RW_DEPTH];
	size_t head, n;
	struct jarena *spare[RW_DEPTH]; /* arenas not in flight */
	size_t n_spare, n_arenas;
	bool closing, live;
	int err;
	struct jarena *building; /* the builder's, between rw_arena and submit */
	/* the writer thread's own */
	struct jarena *own; /* jansson's allocations while dumping */
	char *buf;
	size_t cap;
};

struct dump {
	char *buf;
	size_t len, cap;
};

static int to_buf(const char *p, size_t n, void *ctx)
{
	struct dump *d = ctx;
	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap : 64 << 10;
		char *nb;
		while (cap < d->len + n)
			cap *= 2;
		if (!(nb = realloc(d->buf, cap)))
			return -1;
		d->buf = nb;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	return 0;
}

int rw_write_json(FILE *f, json_t *o, const char *prefix, const char *indent,
		  const char *suffix, char **buf, size_t *cap)
{
	struct dump d = {*buf, 0, *cap};
	const char *p, *end, *nl;
	int rc = o ? json_dump_callback(o, to_buf, &d,
					RJ_FLAGS | (indent ? JSON_INDENT(2)
							   : JSON_COMPACT))
		   : -1;
	*buf = d.buf;
	*cap = d.cap;
	if (rc != 0)
		return -1;
	fputs(prefix, f);
	if (!indent) {
		fwrite(d.buf, 1, d.len, f);
		fputs(suffix, f);
		return 0;
	}
	fputs(indent, f);
	for (p = d.buf, end = p + d.len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			fwrite(p, 1, (size_t)(end - p), f);
			break;
		}
		fwrite(p, 1, (size_t)(nl + 1 - p), f);
		fputs(indent, f);
	}
	fputs(suffix, f);
	return 0;
}

static void *writer(void *arg)
{
	struct rw *w = arg;
	struct rw_item it;
	jarena_use(w->own);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->n == 0 && !w->closing)
			pthread_cond_wait(&w->has_items, &w->mu);
		if (w->n == 0)
			break;
		it = w->q[w->head];
		pthread_mutex_unlock(&w->mu);

		if (rw_write_json(it.f, it.o, it.prefix, it.indent, it.suffix,
				  &w->buf, &w->cap) != 0)
			w->err = 1;
		if (w->live)
			fflush(it.f);
		jarena_reset(w->own);
		jarena_reset(it.arena);

		pthread_mutex_lock(&w->mu);
		w->head = (w->head + 1) % RW_DEPTH;
		w->n--;
		w->spare[w->n_spare++] = it.arena;
		pthread_cond_signal(&w->has_room);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct rw *rw_start(bool live)
{
	struct rw *w = calloc(1, sizeof(*w));
	if (!w || !(w->own = jarena_new())) {
		free(w);
		return NULL;
	}
	w->live = live;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->has_items, NULL);
	pthread_cond_init(&w->has_room, NULL);
	if (pthread_create(&w->thread, NULL, writer, w) == 0) {
		/* "mxray-writer" in top and perf */
		pthread_setname_np(w->thread, "mxray-writer");
		return w;
	}
	{
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->has_items);
		pthread_cond_destroy(&w->has_room);
		jarena_free(w->own);
		free(w);
		return NULL;
	}
}

struct jarena *rw_arena(struct rw *w)
{
	struct jarena *a = NULL;
	pthread_mutex_lock(&w->mu);
	/* a new arena while fewer than RW_DEPTH exist, else wait for one */
	while (w->n_spare == 0 && w->n_arenas >= RW_DEPTH)
		pthread_cond_wait(&w->has_room, &w->mu);
	if (w->n_spare)
		a = w->spare[--w->n_spare];
	pthread_mutex_unlock(&w->mu);
	if (!a && (a = jarena_new()))
		w->n_arenas++; /* only this thread counts them */
	w->building = a;
	jarena_use(a);
	return a;
}

void rw_submit(struct rw *w, json_t *o, FILE *f, const char *prefix,
	       const char *indent, const char *suffix)
{
	struct rw_item it = {o, w->building, f, prefix, indent, suffix};
	w->building = NULL;
	pthread_mutex_lock(&w->mu);
	/* never full: no more objects are in flight than arenas exist */
	w->q[(w->head + w->n) % RW_DEPTH] = it;
	w->n++;
	pthread_cond_signal(&w->has_items);
	pthread_mutex_unlock(&w->mu);
}

int rw_finish(struct rw *w)
{
	int err;
	if (!w)
		return 0;
	pthread_mutex_lock(&w->mu);
	w->closing = true;
	pthread_cond_signal(&w->has_items);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	err = w->err;
	while (w->n_spare)
		jarena_free(w->spare[--w->n_spare]);
	jarena_free(w->building);
	jarena_free(w->own);
	free(w->buf);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->has_items);
	pthread_cond_destroy(&w->has_room);
	free(w);
	return err ? -1 : 0;
}
