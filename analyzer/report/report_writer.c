/* report_writer.c - see report_writer.h.  One mutex guards a ring of
 * objects in flight, the free arenas and the free text buffers; each side
 * waits on its own condition only when it has nothing to do.  When the
 * ring is full the writer is behind: the builder then dumps its object
 * itself and hands over the text, so both cores dump; the writer writes
 * everything in the order handed over either way. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "report/report_writer.h"
#include "report/outfile.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "report/jarena.h"
#include "report/jdump.h"
#include "report/report_json.h"
#include "base/textbuf.h"

#define RW_DEPTH 64 /* objects in flight (each with its arena) */
/* objects handed over, and taken, under one lock (a contended lock and a
 * wake-up are system calls) */
#define RW_BATCH 16

struct rw_item {
	json_t *o;              /* built by the caller, in arena */
	struct arena *arena;
	struct dns_tx *tx;      /* or: a transaction built here */
	const char *type;
	FILE *f;
	const char *prefix, *indent, *suffix;
	struct textbuf *text;   /* or: dumped already, only to be written */
};

struct rw {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t has_items, has_room;
	struct rw_item q[RW_DEPTH];
	size_t head, n;
	/* arenas not in flight: one per slot, per pending object, and the
	 * one being built at most */
	struct arena *spare[RW_DEPTH + RW_BATCH + 1];
	size_t n_spare, n_arenas;
	bool closing, live;
	/* who sleeps on its condition: the other side signals only then
	 * (a signal can cost a system call) */
	bool writer_waits, builder_waits;
	int err;
	struct arena *building; /* the builder's, between rw_arena and submit */
	/* transactions written, for the builder's thread to unreference
	 * (their counts are not atomic) */
	struct dns_tx *done[2 * RW_DEPTH];
	size_t n_done;
	/* text buffers for objects the builder dumps itself */
	struct textbuf texts[RW_DEPTH], *tspare[RW_DEPTH];
	size_t n_tspare;
	struct arena *builder_own; /* the builder's transactions' values */
	int builder_err;           /* set by the builder only */
	/* the builder's objects not handed over yet (its own, no lock) */
	struct rw_item pending[RW_BATCH];
	size_t n_pending;
	/* the writer thread's own */
	struct arena *own; /* jansson's allocations while dumping */
	struct textbuf text;
};

/* The text rw_write_json writes, into b. */
static int render(json_t *o, const char *prefix, const char *indent,
		  const char *suffix, struct textbuf *b)
{
	/* prefix, first indent, the dump, suffix: one buffer, one write */
	tb_clear(b);
	tb_puts(b, prefix);
	if (indent)
		tb_puts(b, indent);
	if (!o)
		return -1;
	/* indented as jansson would at the indent's depth, or compact */
	if (jd_dump(b, o, indent ? 2 : 0, indent ? (int)strlen(indent) / 2 : 0))
		return -1;
	tb_puts(b, suffix);
	return b->oom ? -1 : 0;
}

int rw_write_json(FILE *f, json_t *o, const char *prefix, const char *indent,
		  const char *suffix, struct textbuf *b)
{
	if (render(o, prefix, indent, suffix, b) != 0)
		return -1;
	outfile_boundary(f);
	fwrite(b->p, 1, b->len, f);
	return 0;
}

/* One object written, on the writer's thread. */
static void write_item(struct rw *w, struct rw_item *it)
{
	if (it->text) { /* the builder dumped it */
		outfile_boundary(it->f);
		fwrite(it->text->p, 1, it->text->len, it->f);
	}
	else if (it->tx) /* out of the window: nothing changes it */
		it->o = rj_dns(it->tx, -1, it->type);
	if (!it->text && rw_write_json(it->f, it->o, it->prefix, it->indent,
				       it->suffix, &w->text) != 0)
		w->err = 1;
	if (w->live)
		fflush(it->f);
	arena_reset(w->own);
	if (it->arena)
		arena_reset(it->arena);
}

static void *writer(void *arg)
{
	struct rw *w = arg;
	struct rw_item batch[RW_BATCH];
	size_t k;
	jarena_use(w->own);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->n == 0 && !w->closing) {
			w->writer_waits = true;
			pthread_cond_wait(&w->has_items, &w->mu);
			w->writer_waits = false;
		}
		if (w->n == 0)
			break;
		/* a batch at a time: two lock rounds for RW_BATCH objects */
		k = w->n < RW_BATCH ? w->n : RW_BATCH;
		for (size_t i = 0; i < k; i++)
			batch[i] = w->q[(w->head + i) % RW_DEPTH];
		pthread_mutex_unlock(&w->mu);

		for (size_t i = 0; i < k; i++)
			write_item(w, &batch[i]);

		pthread_mutex_lock(&w->mu);
		w->head = (w->head + k) % RW_DEPTH;
		w->n -= k;
		for (size_t i = 0; i < k; i++) {
			if (batch[i].arena)
				w->spare[w->n_spare++] = batch[i].arena;
			if (batch[i].tx)
				w->done[w->n_done++] = batch[i].tx;
			if (batch[i].text)
				w->tspare[w->n_tspare++] = batch[i].text;
		}
		if (w->builder_waits)
			pthread_cond_signal(&w->has_room);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct rw *rw_start(bool live)
{
	struct rw *w = calloc(1, sizeof(*w));
	if (!w || !(w->own = jarena_new()) ||
	    !(w->builder_own = jarena_new())) {
		if (w)
			jarena_free(w->own);
		free(w);
		return NULL;
	}
	for (size_t i = 0; i < RW_DEPTH; i++)
		w->tspare[w->n_tspare++] = &w->texts[i];
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
		jarena_free(w->builder_own);
		free(w);
		return NULL;
	}
}

static void flush_pending(struct rw *w);

/* Under the lock: wake the writer if it sleeps. */
static void wake_writer(struct rw *w)
{
	if (w->writer_waits) {
		w->writer_waits = false;
		pthread_cond_signal(&w->has_items);
	}
}

/* Under the lock: sleep until the writer has made room. */
static void builder_wait(struct rw *w)
{
	w->builder_waits = true;
	pthread_cond_wait(&w->has_room, &w->mu);
	w->builder_waits = false;
}

struct arena *rw_arena(struct rw *w)
{
	struct arena *a = NULL;
	/* a new arena while fewer than one per slot and per pending object
	 * and the one being built exist (an object built while the ring is
	 * full is dumped here, its arena back at once), else wait for one,
	 * the pending ones handed over first */
	pthread_mutex_lock(&w->mu);
	if (w->n_spare == 0 && w->n_arenas > RW_DEPTH + RW_BATCH) {
		pthread_mutex_unlock(&w->mu);
		flush_pending(w);
		pthread_mutex_lock(&w->mu);
	}
	while (w->n_spare == 0 && w->n_arenas > RW_DEPTH + RW_BATCH) {
		wake_writer(w);
		builder_wait(w);
	}
	if (w->n_spare)
		a = w->spare[--w->n_spare];
	pthread_mutex_unlock(&w->mu);
	if (!a && (a = jarena_new()))
		w->n_arenas++; /* only this thread counts them */
	w->building = a;
	jarena_use(a);
	return a;
}

/* Under the lock: the transactions written go back (unreferenced here,
 * on the thread that owns their counts). */
static void drain_done(struct rw *w)
{
	while (w->n_done)
		dns_tx_unref(w->done[--w->n_done]);
}

/* Dump it on the builder's thread into t: afterwards it holds only the
 * text, its arena and transaction given back. */
static void dump_here(struct rw *w, struct rw_item *it, struct textbuf *t)
{
	struct arena *was = jarena_current();
	if (it->tx) {
		jarena_use(w->builder_own);
		it->o = rj_dns(it->tx, -1, it->type);
	} else {
		jarena_use(it->arena); /* where the object was built */
	}
	tb_clear(t);
	if (render(it->o, it->prefix, it->indent, it->suffix, t) != 0)
		w->builder_err = 1;
	if (it->tx) { /* this thread owns the counts */
		dns_tx_unref(it->tx);
		arena_reset(w->builder_own);
	}
	if (it->arena)
		arena_reset(it->arena);
	jarena_use(was);
	it->o = NULL;
	it->tx = NULL;
	it->text = t;
}

/* The pending objects into the ring, in order, under one lock. */
static void flush_pending(struct rw *w)
{
	if (!w->n_pending)
		return;
	pthread_mutex_lock(&w->mu);
	drain_done(w);
	for (size_t i = 0; i < w->n_pending; i++) {
		struct rw_item *it = &w->pending[i];
		if (w->n == RW_DEPTH && w->n_tspare) { /* the writer is behind */
			struct textbuf *t = w->tspare[--w->n_tspare];
			wake_writer(w);
			pthread_mutex_unlock(&w->mu);
			dump_here(w, it, t);
			pthread_mutex_lock(&w->mu);
			if (it->arena) {
				w->spare[w->n_spare++] = it->arena;
				it->arena = NULL;
			}
		}
		while (w->n == RW_DEPTH) {
			wake_writer(w);
			builder_wait(w);
			drain_done(w);
		}
		w->q[(w->head + w->n) % RW_DEPTH] = *it;
		w->n++;
	}
	w->n_pending = 0;
	wake_writer(w);
	pthread_mutex_unlock(&w->mu);
}

static void enqueue(struct rw *w, struct rw_item *it)
{
	w->pending[w->n_pending++] = *it;
	/* live: every object out at once */
	if (w->n_pending == RW_BATCH || w->live)
		flush_pending(w);
}

void rw_submit(struct rw *w, json_t *o, FILE *f, const char *prefix,
	       const char *indent, const char *suffix)
{
	struct rw_item it = {o, w->building, NULL, NULL, f,
			     prefix, indent, suffix, NULL};
	w->building = NULL;
	enqueue(w, &it);
}

void rw_submit_dns(struct rw *w, struct dns_tx *tx, const char *type,
		   FILE *f, const char *prefix, const char *indent,
		   const char *suffix)
{
	struct rw_item it = {NULL, NULL, tx, type, f, prefix, indent, suffix,
			     NULL};
	dns_tx_ref(tx);
	enqueue(w, &it);
}

int rw_finish(struct rw *w)
{
	int err;
	if (!w)
		return 0;
	flush_pending(w);
	pthread_mutex_lock(&w->mu);
	w->closing = true;
	pthread_cond_signal(&w->has_items);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	drain_done(w);
	err = w->err || w->builder_err;
	while (w->n_spare)
		jarena_free(w->spare[--w->n_spare]);
	jarena_free(w->building);
	jarena_free(w->own);
	jarena_free(w->builder_own);
	tb_free(&w->text);
	for (size_t i = 0; i < RW_DEPTH; i++)
		tb_free(&w->texts[i]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->has_items);
	pthread_cond_destroy(&w->has_room);
	free(w);
	return err ? -1 : 0;
}
