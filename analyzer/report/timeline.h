/* timeline.h - one session's merged timeline for the reports: its events
 * and the query and response of every lookup tied to it, in time order
 * (ties: data before FIN/RST/timeout, then the order they were added). */
#ifndef MXRAY_TIMELINE_H
#define MXRAY_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/session.h"

struct tl_item {
	double t;
	int rank;                  /* ties: data before FIN/RST */
	const struct tl_event *ev; /* or */
	const struct dns_tie *tie;
	bool response;
	size_t pos; /* insertion order, the last sort key */
};

/* The array a timeline is sorted in, reused from session to session. */
struct tl_scratch {
	struct tl_item *items;
	size_t cap;
};

/* Fills the scratch array and returns it; NULL on OOM or when empty. */
struct tl_item *tl_merge(const struct session *s, size_t *n,
			 struct tl_scratch *sc);

#endif
