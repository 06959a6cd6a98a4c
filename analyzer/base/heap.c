/* heap.c - see heap.h. */
#include "base/heap.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define TOP_PAD (64 << 20) /* the heap grows 64 MB at a time */

static uintptr_t advised; /* the heap is advised up to here */
static int enabled;

void heap_advise(void)
{
	uintptr_t top = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
	if (!enabled || top <= advised)
		return;
	/* the aligned part not advised yet; what is already touched stays */
	if (madvise((void *)advised, top - advised, MADV_HUGEPAGE) != 0) {
		enabled = 0; /* no THP here: never mind */
		return;
	}
	advised = top;
}

void heap_prepare(void)
{
	if (getenv("MXRAY_NO_HUGEPAGES"))
		return;
	/* grow in large steps and keep what was grown, so most of the heap
	 * is advised before it is touched */
	mallopt(M_TOP_PAD, TOP_PAD);
	mallopt(M_TRIM_THRESHOLD, 2 * TOP_PAD);
	mallopt(M_MMAP_THRESHOLD, TOP_PAD / 2); /* tables on the heap too */
	advised = ((uintptr_t)sbrk(0) + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	enabled = 1;
	free(malloc(1)); /* the first step */
	heap_advise();
}
#else
void heap_prepare(void)
{
}

void heap_advise(void)
{
}
#endif
