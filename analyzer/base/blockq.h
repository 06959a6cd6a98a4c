/* blockq.h - a bounded queue of byte blocks from one thread to another:
 * the producer fills a block and hands it over whole, the consumer takes
 * them in order and gives each back.  One lock round per block, and a
 * producer that got ahead sleeps until several blocks are free again, so
 * wake-ups are few.  Memory: nblocks * size, allocated once. */
#ifndef MXRAY_BLOCKQ_H
#define MXRAY_BLOCKQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blockq;

/* NULL on OOM. */
struct blockq *bq_new(size_t nblocks, size_t size);
void bq_free(struct blockq *q);
size_t bq_block_size(const struct blockq *q);

/* Producer: the next block to fill (waiting for room), NULL once the
 * consumer quit; then hand it over with the bytes used, end when it is
 * the last. */
uint8_t *bq_fill(struct blockq *q);
void bq_filled(struct blockq *q, size_t used, bool end);

/* Consumer: the oldest full block and its bytes used (waiting for one),
 * NULL after the last; then give it back. */
const uint8_t *bq_take(struct blockq *q, size_t *used);
void bq_taken(struct blockq *q);
/* Consumer: no more blocks wanted; the producer's next bq_fill is NULL. */
void bq_quit(struct blockq *q);

#endif
