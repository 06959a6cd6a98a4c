/* blockq.c - see blockq.h. */
#include "base/blockq.h"

#include <pthread.h>
#include <stdlib.h>

struct blockq {
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;
	size_t nblocks, size, wake_free;
	uint8_t **blk;
	size_t *used;
	size_t head, n_full; /* full blocks, the oldest at head */
	/* end: none comes after those full; quit: the consumer stopped;
	 * *_waits: who sleeps, so the other signals only then */
	bool end, quit, producer_waits, consumer_waits;
};

struct blockq *bq_new(size_t nblocks, size_t size)
{
	struct blockq *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->nblocks = nblocks;
	q->size = size;
	q->wake_free = nblocks > 1 ? nblocks / 2 : 1;
	q->blk = calloc(nblocks, sizeof(*q->blk));
	q->used = calloc(nblocks, sizeof(*q->used));
	for (size_t i = 0; q->blk && i < nblocks; i++)
		if (!(q->blk[i] = malloc(size)))
			break;
	if (!q->blk || !q->used || !q->blk[nblocks - 1]) {
		bq_free(q);
		return NULL;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->filled, NULL);
	pthread_cond_init(&q->emptied, NULL);
	return q;
}

void bq_free(struct blockq *q)
{
	if (!q)
		return;
	if (q->blk && q->used && q->blk[q->nblocks - 1]) { /* initialised */
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->filled);
		pthread_cond_destroy(&q->emptied);
	}
	for (size_t i = 0; q->blk && i < q->nblocks; i++)
		free(q->blk[i]);
	free(q->blk);
	free(q->used);
	free(q);
}

size_t bq_block_size(const struct blockq *q)
{
	return q->size;
}

uint8_t *bq_fill(struct blockq *q)
{
	uint8_t *b = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->n_full == q->nblocks) /* ahead: wait until several are free */
		while (q->nblocks - q->n_full < q->wake_free && !q->quit) {
			q->producer_waits = true;
			pthread_cond_wait(&q->emptied, &q->mu);
			q->producer_waits = false;
		}
	if (!q->quit)
		b = q->blk[(q->head + q->n_full) % q->nblocks];
	pthread_mutex_unlock(&q->mu);
	return b;
}

void bq_filled(struct blockq *q, size_t used, bool end)
{
	pthread_mutex_lock(&q->mu);
	q->used[(q->head + q->n_full) % q->nblocks] = used;
	q->n_full++;
	q->end = end;
	if (q->consumer_waits)
		pthread_cond_signal(&q->filled);
	pthread_mutex_unlock(&q->mu);
}

const uint8_t *bq_take(struct blockq *q, size_t *used)
{
	const uint8_t *b = NULL;
	pthread_mutex_lock(&q->mu);
	while (q->n_full == 0 && !q->end) {
		q->consumer_waits = true;
		pthread_cond_wait(&q->filled, &q->mu);
		q->consumer_waits = false;
	}
	if (q->n_full) {
		b = q->blk[q->head];
		*used = q->used[q->head];
	}
	pthread_mutex_unlock(&q->mu);
	return b;
}

void bq_taken(struct blockq *q)
{
	pthread_mutex_lock(&q->mu);
	q->head = (q->head + 1) % q->nblocks;
	q->n_full--;
	if (q->producer_waits && q->nblocks - q->n_full >= q->wake_free)
		pthread_cond_signal(&q->emptied);
	pthread_mutex_unlock(&q->mu);
}

void bq_quit(struct blockq *q)
{
	pthread_mutex_lock(&q->mu);
	q->quit = true;
	pthread_cond_signal(&q->emptied);
	pthread_mutex_unlock(&q->mu);
}
